"""The inbox: a Follow from a new instance; each refusal with its status, logged, none kept."""

from __future__ import annotations

import datetime
import io
import json
from collections.abc import Callable
from typing import Any

import pytest
from cryptography.hazmat.primitives.asymmetric import ed25519
from django.test import Client

from tests.federation.fake import FakeInstance
from urgent.core.models import AuditEntry
from urgent.federation import keys, vocab
from urgent.federation.models import Activity, Instance, InstanceKey, RefusedActivity
from urgent.federation.remote import RemoteKey
from urgent.federation.services import receiving
from urgent.federation.services.pinning import key_pin

pytestmark = pytest.mark.django_db


def _counts() -> tuple[int, int, int]:
    return Instance.objects.count(), InstanceKey.objects.count(), Activity.objects.count()


def _refused(response: Any, status: int, code: str) -> RefusedActivity:
    assert response.status_code == status, response.content
    assert response["Content-Type"].startswith("application/json")
    body = response.json()
    assert body["code"] == code
    assert len(body["message"]) > 20
    entry = RefusedActivity.objects.order_by("-id").first()
    assert entry is not None and (entry.status, entry.code) == (status, code)
    return entry


def _known(fake: FakeInstance, **states: str) -> Instance:
    instance = Instance.objects.create(
        actor_url=fake.actor_url, inbox_url=fake.inbox_url, name=fake.name, **states
    )
    key_pin(
        instance,
        RemoteKey(
            key_id=fake.key_id,
            pem=keys.public_key_pem(fake.private_key.public_key()),
            fingerprint=fake.fingerprint,
        ),
    )
    return instance


def _follow(fake: FakeInstance) -> dict[str, Any]:
    return fake.activity("Follow", keys.actor_url())


def test_a_follow_from_a_new_instance_waits_for_staff(client: Client, fake: FakeInstance) -> None:
    follow = _follow(fake)
    response = fake.post(client, follow)
    assert response.status_code == 202, response.content
    assert response.json() == {"status": "accepted", "id": follow["id"]}
    instance = Instance.objects.get(actor_url=fake.actor_url)
    assert instance.follower_state == Instance.Follow.PENDING
    assert instance.following_state == Instance.Follow.NONE
    assert instance.follow_in_id == follow["id"]
    assert instance.name == "Fake Section"
    pinned = instance.keys.get()
    assert (pinned.key_id, pinned.fingerprint, pinned.valid_until) == (
        fake.key_id,
        fake.fingerprint,
        None,
    )
    stored = Activity.objects.get(activity_id=follow["id"])
    assert stored.direction == "in" and stored.payload == follow
    audit = AuditEntry.objects.get(action="federation.follow_request")
    assert audit.after["fingerprint"] == fake.fingerprint
    assert not RefusedActivity.objects.exists()


def test_the_same_activity_twice_is_a_replay(client: Client, fake: FakeInstance) -> None:
    body, headers = fake.signed(_follow(fake))
    content_type = headers.pop("Content-Type")

    def send() -> Any:
        return client.post("/federation/inbox", body, content_type=content_type, headers=headers)

    assert send().status_code == 202
    before = _counts()
    _refused(send(), 409, "replayed")
    assert _counts() == before


def test_unsigned_is_refused(client: Client, fake: FakeInstance) -> None:
    body = json.dumps(_follow(fake)).encode()
    response = client.post("/federation/inbox", body, content_type=vocab.ACTIVITY_JSON)
    entry = _refused(response, 401, "unsigned")
    assert entry.activity_type == "Follow"
    assert _counts() == (0, 0, 0)


def test_a_bad_signature_is_refused(client: Client, fake: FakeInstance) -> None:
    impostor = ed25519.Ed25519PrivateKey.generate()
    response = fake.post(client, _follow(fake), private_key=impostor)
    entry = _refused(response, 401, "bad_signature")
    assert entry.key_id == fake.key_id
    assert _counts() == (0, 0, 0)


def test_a_wrong_digest_is_refused(client: Client, fake: FakeInstance) -> None:
    follow = _follow(fake)
    _, headers = fake.signed(follow)
    tampered = json.dumps({**follow, "object": "https://elsewhere.example/"}).encode()
    content_type = headers.pop("Content-Type")
    response = client.post(
        "/federation/inbox", tampered, content_type=content_type, headers=headers
    )
    _refused(response, 400, "digest_mismatch")
    assert _counts() == (0, 0, 0)


@pytest.mark.parametrize("minutes", [-6, 6])
def test_a_stale_signature_is_refused(client: Client, fake: FakeInstance, minutes: int) -> None:
    created = datetime.datetime.now(tz=datetime.UTC) + datetime.timedelta(minutes=minutes)
    _refused(fake.post(client, _follow(fake), created=created), 401, "stale_signature")
    assert _counts() == (0, 0, 0)


def test_an_unknown_actor_may_only_follow(client: Client, fake: FakeInstance) -> None:
    fetched: list[str] = []
    actor_route = fake.routes["/federation/actor"]

    def actor(handler: Any) -> Any:
        fetched.append(handler.path)
        return actor_route(handler)

    fake.routes["/federation/actor"] = actor
    create = fake.activity(
        "Undo",
        {
            "id": fake.base + "/x",
            "type": "Follow",
            "actor": fake.actor_url,
            "object": keys.actor_url(),
        },
    )
    _refused(fake.post(client, create), 401, "unknown_actor")
    assert fetched == []
    assert _counts() == (0, 0, 0)


def test_a_follow_whose_actor_cannot_be_read_is_refused(client: Client, fake: FakeInstance) -> None:
    fake.routes["/federation/actor"] = lambda h: (500, {}, b"")
    _refused(fake.post(client, _follow(fake)), 401, "unknown_actor")
    assert _counts() == (0, 0, 0)


def test_a_follow_signed_with_a_key_the_actor_does_not_publish(
    client: Client, fake: FakeInstance
) -> None:
    _refused(
        fake.post(client, _follow(fake), key_id=fake.actor_url + "#other"), 401, "unknown_actor"
    )


def test_a_changed_key_of_a_known_instance_is_refused(client: Client, fake: FakeInstance) -> None:
    _known(fake, follower_state="accepted")
    fake.rotate()
    before = _counts()
    _refused(fake.post(client, _follow(fake)), 401, "key_changed")
    assert _counts() == before


def test_more_than_a_megabyte_is_refused_before_it_is_read(client: Client) -> None:
    class Unreadable(io.RawIOBase):
        def read(self, size: int = -1) -> bytes:
            raise AssertionError("the body was read")

    extra: dict[str, Any] = {
        "CONTENT_TYPE": vocab.ACTIVITY_JSON,
        "CONTENT_LENGTH": str(10 * 1024 * 1024),
        "wsgi.input": Unreadable(),
    }
    response = client.generic("POST", "/federation/inbox", b"", **extra)
    entry = _refused(response, 413, "too_large")
    assert entry.content_length == 10 * 1024 * 1024


def test_a_body_longer_than_it_said_is_still_capped(client: Client, fake: FakeInstance) -> None:
    body = b"{" + b" " * (2 * 1024 * 1024) + b"}"
    response = client.generic(
        "POST", "/federation/inbox", body, content_type=vocab.ACTIVITY_JSON, CONTENT_LENGTH="10"
    )
    # Only the ten bytes announced are read: not JSON, and not signed.
    _refused(response, 401, "unsigned")


@pytest.mark.parametrize(
    "content_type",
    ["application/json", "text/plain", "application/ld+json", "application/x-www-form-urlencoded"],
)
def test_a_wrong_content_type_is_refused(
    client: Client, fake: FakeInstance, content_type: str
) -> None:
    _refused(
        fake.post(client, _follow(fake), content_type=content_type), 415, "unsupported_media_type"
    )


def test_ld_json_with_the_activitystreams_profile_is_taken(
    client: Client, fake: FakeInstance
) -> None:
    response = fake.post(client, _follow(fake), content_type=vocab.LD_JSON_PROFILE)
    assert response.status_code == 202, response.content


def test_malformed_json_is_refused(client: Client, fake: FakeInstance) -> None:
    _known(fake, following_state="accepted")
    before = _counts()
    for body in [b"{not json", b'{"a": 1, "a": 2}', b'{"a": NaN}', b"[" * 100_000, b"\xff\xfe"]:
        _refused(fake.post(client, body), 400, "malformed_json")
    assert _counts() == before


@pytest.mark.parametrize(
    "change",
    [
        {"@context": "https://evil.example/context"},
        {"@context": [vocab.AS_CONTEXT, {"x": "y"}]},
        {"id": "not a url"},
        {"object": 42},
        {"id": None},
    ],
)
def test_a_malformed_activity_is_refused(
    client: Client, fake: FakeInstance, change: dict[str, Any]
) -> None:
    _refused(fake.post(client, {**_follow(fake), **change}), 422, "invalid_activity")
    assert _counts() == (0, 0, 0)


def test_an_unknown_type_is_refused(client: Client, fake: FakeInstance) -> None:
    _known(fake, following_state="accepted")
    _refused(fake.post(client, fake.activity("Like", "x")), 422, "unsupported_type")


def test_an_activity_for_another_actor_is_refused(client: Client, fake: FakeInstance) -> None:
    _known(fake)
    follow = {**_follow(fake), "actor": "http://127.0.0.1:1/federation/actor"}
    _refused(fake.post(client, follow), 403, "actor_mismatch")


def test_an_id_on_another_site_is_refused(client: Client, fake: FakeInstance) -> None:
    _known(fake)
    follow = {**_follow(fake), "id": "https://elsewhere.example/activities/1"}
    _refused(fake.post(client, follow), 422, "foreign_id")


def test_a_follow_for_another_instance_is_refused(client: Client, fake: FakeInstance) -> None:
    _known(fake)
    before = _counts()
    _refused(
        fake.post(client, fake.activity("Follow", "https://x.example/actor")), 422, "not_for_us"
    )
    assert _counts() == before


def test_the_inbox_only_takes_post(client: Client) -> None:
    response = client.get("/federation/inbox")
    assert response.status_code == 405
    assert response["Allow"] == "POST"


def test_the_refusal_log_is_bounded_per_address(client: Client, monkeypatch: Any) -> None:
    monkeypatch.setattr(receiving, "REFUSALS_LOGGED_PER_HOUR", 3)
    for _ in range(5):
        assert client.post("/federation/inbox", b"{}", content_type="text/plain").status_code == 415
    assert RefusedActivity.objects.count() == 3


def test_staff_read_the_refusal_log(
    client: Client, fake: FakeInstance, staff_client: Callable[..., Any]
) -> None:
    fake.post(client, _follow(fake), private_key=ed25519.Ed25519PrivateKey.generate())
    page = staff_client("viewer").get("/staff/federation/refused/")
    assert page.status_code == 200
    html = page.content.decode()
    assert "bad_signature" in html and fake.key_id in html
