"""A fake remote instance on loopback that speaks the protocol: actor, discovery, inbox.

It has its own Ed25519 key, serves its actor document over real HTTP, signs the
activities it sends to the instance under test, and records (and verifies, with the
signature library directly) every POST it receives.
"""

from __future__ import annotations

import datetime
import json
import threading
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from cryptography.hazmat.primitives.asymmetric import ed25519
from http_message_signatures import HTTPMessageVerifier, MappingKeyResolver, algorithms

from urgent.federation import keys, vocab
from urgent.federation.keys import key_fingerprint, public_key_pem
from urgent.federation.signing import COVERED_POST, TAG, Message, request_sign

OUR_INBOX = "http://127.0.0.1:8000/federation/inbox"

Route = Callable[["_Handler"], tuple[int, dict[str, str], bytes]]


@dataclass
class Posted:
    path: str
    headers: dict[str, str]
    body: bytes
    verified: bool

    @property
    def json(self) -> Any:
        return json.loads(self.body)


def _verified(url: str, headers: dict[str, str], body: bytes) -> bool:
    """Check a POST from the instance under test against its current published keys."""
    public = {k.key_id: k.private_key.public_key() for k in keys.keys_published()}
    verifier = HTTPMessageVerifier(
        signature_algorithm=algorithms.ED25519,
        key_resolver=MappingKeyResolver(public_keys=public, private_keys={}),
    )
    try:
        verifier.verify(
            Message("POST", url, headers),
            expect_tag=TAG,
            require_components=COVERED_POST,
            body=body,
        )
    except Exception:
        return False
    return True


class _Handler(BaseHTTPRequestHandler):
    fake: FakeInstance

    def log_message(self, format: str, *args: Any) -> None:
        pass

    def _send(self, status: int, headers: dict[str, str], body: bytes) -> None:
        self.send_response(status)
        for name, value in headers.items():
            self.send_header(name, value)
        if "Content-Length" not in headers:
            self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def do_GET(self) -> None:
        route = self.fake.routes.get(self.path)
        if route is None:
            self._send(404, {"Content-Type": "application/json"}, b"{}")
            return
        self._send(*route(self))

    def do_POST(self) -> None:
        length = int(self.headers.get("Content-Length", "0"))
        body = self.rfile.read(length)
        headers = {k: v for k, v in self.headers.items()}
        url = f"{self.fake.base}{self.path}"
        posted = Posted(self.path, headers, body, _verified(url, headers, body))
        self.fake.received.append(posted)
        self._send(self.fake.inbox_status, {"Content-Type": "application/json"}, b"{}")


def _json(data: Any, content_type: str = vocab.ACTIVITY_JSON) -> tuple[int, dict[str, str], bytes]:
    return 200, {"Content-Type": content_type}, json.dumps(data).encode()


@dataclass
class FakeInstance:
    port: int
    name: str = "Fake Section"
    private_key: ed25519.Ed25519PrivateKey = field(
        default_factory=ed25519.Ed25519PrivateKey.generate
    )
    key_number: int = 1
    received: list[Posted] = field(default_factory=list)
    inbox_status: int = 202
    routes: dict[str, Route] = field(default_factory=dict)

    def __post_init__(self) -> None:
        self.routes.setdefault("/federation/actor", lambda h: _json(self.actor_document()))
        self.routes.setdefault(
            "/.well-known/urgent",
            lambda h: _json({"actor": self.actor_url}, "application/json"),
        )

    @property
    def base(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def actor_url(self) -> str:
        return f"{self.base}/federation/actor"

    @property
    def inbox_url(self) -> str:
        return f"{self.base}/federation/inbox"

    @property
    def key_id(self) -> str:
        return f"{self.actor_url}#key-{self.key_number}"

    @property
    def fingerprint(self) -> str:
        return key_fingerprint(self.private_key.public_key())

    def actor_document(self) -> dict[str, Any]:
        return {
            "@context": [vocab.AS_CONTEXT, vocab.SECURITY_CONTEXT, self.base + vocab.CONTEXT_PATH],
            "id": self.actor_url,
            "type": "Organization",
            "name": self.name,
            "inbox": self.inbox_url,
            "outbox": f"{self.base}/federation/outbox",
            "publicKey": {
                "id": self.key_id,
                "owner": self.actor_url,
                "publicKeyPem": public_key_pem(self.private_key.public_key()),
            },
        }

    def rotate(self) -> tuple[ed25519.Ed25519PrivateKey, str]:
        """A new key; returns the old key and its id (to sign the announcement with)."""
        old = (self.private_key, self.key_id)
        self.private_key = ed25519.Ed25519PrivateKey.generate()
        self.key_number += 1
        return old

    def activity(self, kind: str, obj: Any, **extra: Any) -> dict[str, Any]:
        return {
            "@context": [vocab.AS_CONTEXT, self.base + vocab.CONTEXT_PATH],
            "id": f"{self.base}/federation/activities/{uuid.uuid4()}",
            "type": kind,
            "actor": self.actor_url,
            "object": obj,
            **extra,
        }

    def signed(
        self,
        payload: dict[str, Any] | bytes,
        *,
        url: str = OUR_INBOX,
        created: datetime.datetime | None = None,
        private_key: ed25519.Ed25519PrivateKey | None = None,
        key_id: str | None = None,
        content_type: str = vocab.ACTIVITY_JSON,
    ) -> tuple[bytes, dict[str, str]]:
        body = payload if isinstance(payload, bytes) else json.dumps(payload).encode()
        headers = request_sign(
            method="POST",
            url=url,
            headers={"Content-Type": content_type},
            body=body,
            key_id=key_id or self.key_id,
            private_key=private_key or self.private_key,
            created=created,
        )
        return body, headers

    def post(self, client: Any, payload: dict[str, Any] | bytes, **kwargs: Any) -> Any:
        """Sign and POST to the inbox of the instance under test (Django's test client)."""
        body, headers = self.signed(payload, **kwargs)
        content_type = headers.pop("Content-Type")
        return client.post(
            "/federation/inbox", data=body, content_type=content_type, headers=headers
        )

    def posted(self, kind: str) -> list[Posted]:
        return [p for p in self.received if p.json.get("type") == kind]


@contextmanager
def fake_instance_serving(**kwargs: Any) -> Iterator[FakeInstance]:
    handler = type("Handler", (_Handler,), {})
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    fake = FakeInstance(port=server.server_address[1], **kwargs)
    handler.fake = fake  # type: ignore[attr-defined]
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield fake
    finally:
        server.shutdown()
        server.server_close()
