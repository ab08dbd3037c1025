"""Cases followable from the fediverse: a fake Mastodon server (a real HTTP server here,
with its own RSA key, signing and checking draft-cavage signatures by its own code) finds
the news actor by WebFinger, follows it, is accepted, and receives each new case as a Note
linking to its page, signed by the news actor."""

from __future__ import annotations

import base64
import datetime
import hashlib
import json
import re
import threading
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from email.utils import format_datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import padding, rsa
from django.contrib.auth.models import Group, User
from django.test import Client
from django.utils import timezone

from tests.federation.fake import Posted
from urgent.cases.models import Case
from urgent.cases.services import (
    case_close,
    case_publish,
    case_stop_switch,
    update_post,
)
from urgent.core.roles import roles_ensure
from urgent.federation.models import NewsDelivery, NewsFollower
from urgent.federation.news.delivery import news_deliveries_run
from urgent.federation.services.publishing import case_events_publish
from urgent.supporters.models import Supporter

pytestmark = pytest.mark.django_db

NEWS = "http://127.0.0.1:8000/federation/news"


@dataclass
class FakeMastodon:
    port: int = 0
    key: rsa.RSAPrivateKey = field(
        default_factory=lambda: rsa.generate_private_key(public_exponent=65537, key_size=2048)
    )
    published: rsa.RSAPrivateKey | None = None  # the key its actor shows, when not `key`
    news_pem: str = ""
    received: list[Posted] = field(default_factory=list)
    actor_fetches: int = 0

    @property
    def base(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def actor_url(self) -> str:
        return f"{self.base}/users/alice"

    def actor(self) -> dict[str, Any]:
        pem = (
            (self.published or self.key)
            .public_key()
            .public_bytes(
                serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
            )
        )
        return {
            "@context": ["https://www.w3.org/ns/activitystreams", "https://w3id.org/security/v1"],
            "id": self.actor_url,
            "type": "Person",
            "preferredUsername": "alice",
            "inbox": f"{self.actor_url}/inbox",
            "endpoints": {"sharedInbox": f"{self.base}/inbox"},
            "publicKey": {
                "id": f"{self.actor_url}#main-key",
                "owner": self.actor_url,
                "publicKeyPem": pem.decode(),
            },
        }

    def signed(self, path: str, body: bytes, *, host: str = "testserver") -> dict[str, str]:
        """Headers as Mastodon sends them: Date, Digest, and an rsa-sha256 Signature."""
        headers = {
            "host": host,
            "date": format_datetime(datetime.datetime.now(tz=datetime.UTC), usegmt=True),
            "digest": "SHA-256=" + base64.b64encode(hashlib.sha256(body).digest()).decode(),
            "content-type": "application/activity+json",
        }
        names = ["(request-target)", "host", "date", "digest", "content-type"]
        text = "\n".join(
            f"(request-target): post {path}" if n == "(request-target)" else f"{n}: {headers[n]}"
            for n in names
        )
        signature = self.key.sign(text.encode(), padding.PKCS1v15(), hashes.SHA256())
        headers["signature"] = (
            f'keyId="{self.actor_url}#main-key",algorithm="rsa-sha256",'
            f'headers="{" ".join(names)}",signature="{base64.b64encode(signature).decode()}"'
        )
        return headers

    def verify(self, method: str, path: str, headers: dict[str, str], body: bytes) -> bool:
        """Check a request from the news actor as Mastodon would: key, digest, signature."""
        lower = {k.lower(): v for k, v in headers.items()}
        params = dict(re.findall(r'(\w+)="([^"]*)"', lower.get("signature", "")))
        if params.get("keyId") != f"{NEWS}#main-key" or not self.news_pem:
            return False
        digest = "SHA-256=" + base64.b64encode(hashlib.sha256(body).digest()).decode()
        if lower.get("digest") != digest or "digest" not in params["headers"].split():
            return False
        text = "\n".join(
            f"(request-target): {method.lower()} {path}"
            if n == "(request-target)"
            else f"{n}: {lower[n]}"
            for n in params["headers"].split()
        )
        key = serialization.load_pem_public_key(self.news_pem.encode())
        assert isinstance(key, rsa.RSAPublicKey)
        try:
            key.verify(
                base64.b64decode(params["signature"]),
                text.encode(),
                padding.PKCS1v15(),
                hashes.SHA256(),
            )
        except InvalidSignature:
            return False
        return True

    def follow(self, object_url: str = NEWS) -> dict[str, Any]:
        return {
            "@context": "https://www.w3.org/ns/activitystreams",
            "id": f"{self.base}/{uuid.uuid4()}",
            "type": "Follow",
            "actor": self.actor_url,
            "object": object_url,
        }

    def post(
        self,
        client: Client,
        activity: dict[str, Any],
        path: str = "/federation/news/inbox",
        tamper: bool = False,
    ) -> Any:
        body = json.dumps(activity).encode()
        headers = self.signed(path, body)
        if tamper:
            body = body.replace(b"alice", b"alicf")
        content_type = headers.pop("content-type")
        headers.pop("host")
        return client.post(path, data=body, content_type=content_type, headers=headers)

    def posted(self, kind: str) -> list[Posted]:
        return [p for p in self.received if p.json.get("type") == kind]


class _Handler(BaseHTTPRequestHandler):
    fake: FakeMastodon

    def log_message(self, format: str, *args: Any) -> None:
        pass

    def do_GET(self) -> None:
        if self.path != "/users/alice":
            self.send_response(404)
            self.end_headers()
            return
        self.fake.actor_fetches += 1
        body = json.dumps(self.fake.actor()).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/activity+json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def do_POST(self) -> None:
        body = self.rfile.read(int(self.headers["Content-Length"]))
        headers = dict(self.headers.items())
        verified = self.fake.verify("POST", self.path, headers, body)
        self.fake.received.append(Posted(self.path, headers, body, verified))
        self.send_response(202 if verified else 401)
        self.send_header("Content-Length", "0")
        self.end_headers()


@pytest.fixture
def mastodon(allow_private: None) -> Iterator[FakeMastodon]:
    handler = type("Handler", (_Handler,), {})
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    fake = FakeMastodon(port=server.server_address[1])
    handler.fake = fake  # type: ignore[attr-defined]
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield fake
    finally:
        server.shutdown()
        server.server_close()


def _drain() -> None:
    while news_deliveries_run():
        pass


def test_a_mastodon_account_follows_and_receives_each_new_case(
    demo: None, client: Client, mastodon: FakeMastodon
) -> None:
    found = client.get("/.well-known/webfinger", {"resource": "acct:cases@127.0.0.1:8000"})
    assert found.status_code == 200
    [self_link] = [link for link in found.json()["links"] if link["rel"] == "self"]
    assert self_link == {"rel": "self", "type": "application/activity+json", "href": NEWS}
    news = client.get("/federation/news").json()
    assert news["type"] == "Service" and news["preferredUsername"] == "cases"
    assert news["publicKey"]["id"] == f"{NEWS}#main-key"
    assert news["id"] != client.get("/federation/actor").json()["id"]  # a separate actor
    mastodon.news_pem = news["publicKey"]["publicKeyPem"]

    follow = mastodon.follow()
    response = mastodon.post(client, follow)
    assert response.status_code == 202, response.content
    follower = NewsFollower.objects.get()
    assert follower.delivery_inbox == f"{mastodon.base}/inbox"
    _drain()
    [accept] = mastodon.posted("Accept")
    assert accept.verified and accept.path == "/users/alice/inbox"
    assert accept.json["actor"] == NEWS and accept.json["object"]["id"] == follow["id"]

    Supporter.objects.create(email="secret.reader@example.net", name="Uniquename Reader")
    draft = Case.objects.filter(status="draft").first()
    assert draft is not None
    case_publish(case=draft, actor=None)
    case_events_publish()
    _drain()
    [create] = mastodon.posted("Create")
    assert create.verified and create.path == "/inbox"
    note = create.json["object"]
    page = f"http://127.0.0.1:8000/cases/{draft.slug}/"
    assert note["type"] == "Note" and note["url"] == page
    assert f'<a href="{page}">' in note["content"]
    assert list(note["contentMap"]) == [draft.language]
    assert "summary" not in note  # Mastodon shows a summary as a content warning
    assert note["to"] == ["https://www.w3.org/ns/activitystreams#Public"]
    for secret in ("secret.reader", "Uniquename"):
        assert secret not in create.body.decode()

    undo = {**mastodon.follow(), "type": "Undo", "object": follow}
    assert mastodon.post(client, undo).status_code == 202
    assert not NewsFollower.objects.exists()


def _refused(response: Any, status: int, code: str) -> None:
    assert response.status_code == status, response.content
    assert response.json()["code"] == code


def test_the_news_inbox_refuses_what_is_not_a_signed_follow_of_it(
    client: Client, mastodon: FakeMastodon
) -> None:
    follow = json.dumps(mastodon.follow()).encode()
    unsigned = client.post(
        "/federation/news/inbox", data=follow, content_type="application/activity+json"
    )
    _refused(unsigned, 401, "unsigned")
    _refused(mastodon.post(client, mastodon.follow(), tamper=True), 401, "bad_signature")
    _refused(mastodon.post(client, mastodon.follow(object_url=f"{NEWS}x")), 422, "not_for_us")
    # Signed by another key than the one its actor publishes.
    mastodon.published = mastodon.key
    mastodon.key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    _refused(mastodon.post(client, mastodon.follow()), 401, "bad_signature")
    assert not NewsFollower.objects.exists() and not NewsDelivery.objects.exists()


def test_the_urgent_inbox_stays_strict(client: Client, mastodon: FakeMastodon) -> None:
    """A Mastodon-signed Follow is not an Urgent instance's: the protocol inbox refuses it."""
    response = mastodon.post(client, mastodon.follow(), path="/federation/inbox")
    _refused(response, 401, "unsigned")


def _followed(client: Client, mastodon: FakeMastodon) -> None:
    mastodon.news_pem = client.get("/federation/news").json()["publicKey"]["publicKeyPem"]
    assert mastodon.post(client, mastodon.follow()).status_code == 202
    _drain()


def test_a_cases_thread_grows_and_is_withdrawn_when_action_stops(
    demo: None, client: Client, mastodon: FakeMastodon
) -> None:
    """Further Information and the outcome answer the case's post; a stop cancels what has
    not left and deletes every post sent, at each server it went to; a resume posts again,
    with the names the case now hides withheld."""
    roles_ensure()
    staff = User.objects.create_user("news-publisher", is_staff=True)
    staff.groups.add(Group.objects.get(name="coordinator"))
    _followed(client, mastodon)
    case = Case.objects.filter(status="draft").first()
    assert case is not None
    person = case.people.first()
    assert person is not None
    case_publish(case=case, actor=staff)
    update_post(case=case, actor=staff, title="Moved to a prison far away", body="Invented text.")
    case_events_publish()
    _drain()
    # Both posts leave in one round, in either order.
    further, first = sorted(
        mastodon.posted("Create"), key=lambda p: "inReplyTo" in p.json["object"], reverse=True
    )
    case_note = first.json["object"]["id"]
    assert case_note == f"{NEWS}/notes/{case.uuid}" and "inReplyTo" not in first.json["object"]
    assert further.json["object"]["inReplyTo"] == case_note
    assert "Moved to a prison far away" in further.json["object"]["content"]
    assert further.json["object"]["id"] != case_note

    # A second Further Information is queued, then the family asks to stop before it leaves.
    update_post(case=case, actor=staff, title="Transferred again", body="More invented text.")
    case_events_publish()
    [waiting] = [
        d for d in NewsDelivery.objects.all() if "Transferred again" in str(d.payload["object"])
    ]
    assert waiting.status == "queued"
    case_stop_switch(case=case, actor=staff, stopped=True, hide_names=True, reason="Family")
    case_events_publish()
    _drain()
    waiting.refresh_from_db()
    assert waiting.status == "cancelled"
    # A post that was being sent at the stop and failed: retried later, it waits for the hold.
    NewsDelivery.objects.filter(pk=waiting.pk).update(
        status="deferred", next_attempt_at=timezone.now()
    )
    _drain()
    waiting.refresh_from_db()
    assert waiting.status == "deferred"
    assert not [p for p in mastodon.posted("Create") if "Transferred again" in p.body.decode()]
    deletes = mastodon.posted("Delete")
    assert sorted(d.json["object"]["id"] for d in deletes) == sorted(
        [case_note, further.json["object"]["id"]]
    )
    assert all(d.verified and d.json["object"]["type"] == "Tombstone" for d in deletes)

    case_stop_switch(case=case, actor=staff, stopped=False, hide_names=True, reason="Agreed")
    case_events_publish()
    _drain()
    waiting.refresh_from_db()
    assert waiting.status == "cancelled"
    again = mastodon.posted("Create")[-1]
    assert again.json["object"]["id"] not in {case_note, further.json["object"]["id"]}
    assert again.json["object"]["inReplyTo"] == case_note
    for part in person.name.split():
        assert part not in again.body.decode()

    case_close(case=case, actor=staff, kind="released", occurred_on=datetime.date(2026, 12, 1))
    case_events_publish()
    _drain()
    outcome = mastodon.posted("Create")[-1].json["object"]
    assert "Released" in outcome["content"] and outcome["inReplyTo"] == case_note
