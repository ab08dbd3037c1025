"""Reaching other instances: real HTTP on loopback, and the guard against private networks."""

from __future__ import annotations

import ipaddress
import time
from typing import Any

import pytest
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat

from tests.conftest import free_port
from tests.federation.fake import FakeInstance, _json
from urgent.federation import keys, net, remote
from urgent.federation.errors import RemoteError
from urgent.federation.signing import signature_claim

pytestmark = pytest.mark.django_db


def _code(call: Any) -> str:
    with pytest.raises(RemoteError) as caught:
        call()
    return str(caught.value.code)


@pytest.mark.parametrize(
    "address",
    [
        "127.0.0.1",
        "10.1.2.3",
        "192.168.0.9",
        "169.254.169.254",
        "::1",
        "::ffff:127.0.0.1",
        "fd00::1",
    ],
)
def test_private_and_local_addresses_are_refused(address: str) -> None:
    assert not net.address_allowed(ipaddress.ip_address(address))


def test_public_addresses_are_allowed() -> None:
    assert net.address_allowed(ipaddress.ip_address("93.184.216.34"))
    assert net.address_allowed(ipaddress.ip_address("2606:2800:220:1::1"))


def test_a_name_resolving_to_loopback_is_refused_before_connecting(settings: Any) -> None:
    settings.URGENT_FEDERATION_ALLOW_PRIVATE = False
    assert _code(lambda: net.address_checked("localhost", 443)) == "address_refused"
    assert (
        _code(lambda: remote.actor_fetch("https://localhost:9/federation/actor"))
        == "address_refused"
    )


def test_plain_http_needs_the_private_setting(settings: Any) -> None:
    settings.URGENT_FEDERATION_ALLOW_PRIVATE = False
    assert _code(lambda: net.url_check("http://a.example/federation/actor")) == "bad_address"
    assert _code(lambda: net.url_check("ftp://a.example/")) == "bad_address"
    assert _code(lambda: net.url_check("https://user:pw@a.example/")) == "bad_address"
    assert _code(lambda: net.url_check("https://a.example:99999/")) == "bad_address"
    settings.URGENT_FEDERATION_ALLOW_PRIVATE = True
    assert net.url_check("http://a.example/federation/actor")


def test_the_loopback_fake_is_refused_without_the_setting(
    fake: FakeInstance, settings: Any
) -> None:
    settings.URGENT_FEDERATION_ALLOW_PRIVATE = False
    fake_url = fake.actor_url.replace("http://", "https://")
    assert _code(lambda: remote.actor_fetch(fake_url)) == "address_refused"


def test_actor_fetch_reads_the_key_and_signs_the_request(fake: FakeInstance) -> None:
    seen: list[dict[str, str]] = []

    def actor(handler: Any) -> Any:
        seen.append(dict(handler.headers.items()))
        return _json(fake.actor_document())

    fake.routes["/federation/actor"] = actor
    found = remote.actor_fetch(fake.actor_url)
    assert found.actor_url == fake.actor_url
    assert found.inbox_url == fake.inbox_url
    assert found.key.fingerprint == fake.fingerprint
    assert found.name == "Fake Section"
    assert signature_claim(seen[0]).key_id == keys.key_current().key_id


def test_an_address_is_resolved_through_the_well_known_document(fake: FakeInstance) -> None:
    assert remote.address_to_actor_url(fake.base) == fake.actor_url
    assert remote.address_to_actor_url(fake.base + "/") == fake.actor_url
    assert remote.address_to_actor_url(fake.actor_url) == fake.actor_url
    assert _code(lambda: remote.address_to_actor_url("  ")) == "bad_address"


def test_a_site_without_urgent_is_named_as_such(fake: FakeInstance) -> None:
    del fake.routes["/.well-known/urgent"]
    assert _code(lambda: remote.address_to_actor_url(fake.base)) == "not_urgent"


def test_an_answer_larger_than_the_cap_is_refused(fake: FakeInstance) -> None:
    big = b"{" + b" " * (remote.ACTOR_MAX_BYTES + 10) + b"}"
    fake.routes["/federation/actor"] = lambda h: (200, {"Content-Type": "application/json"}, big)
    assert _code(lambda: remote.actor_fetch(fake.actor_url)) == "too_large"


def test_an_answer_without_length_is_cut_at_the_cap(fake: FakeInstance) -> None:
    big = b"x" * (remote.ACTOR_MAX_BYTES + 10)

    def streamed(handler: Any) -> Any:
        handler.close_connection = True
        return 200, {"Content-Type": "application/json", "Content-Length": ""}, big

    fake.routes["/federation/actor"] = streamed
    assert _code(lambda: remote.actor_fetch(fake.actor_url)) in {"too_large", "unreachable"}


def test_a_slow_server_times_out(fake: FakeInstance, monkeypatch: Any) -> None:
    monkeypatch.setattr(net, "READ_SECONDS", 0.5)

    def slow(handler: Any) -> Any:
        time.sleep(1.5)
        return _json(fake.actor_document())

    fake.routes["/federation/actor"] = slow
    started = time.monotonic()
    with pytest.raises(RemoteError, match="stopped answering") as caught:
        remote.actor_fetch(fake.actor_url)
    assert caught.value.code == "unreachable"
    assert time.monotonic() - started < 1.4


def test_a_redirect_is_not_followed(fake: FakeInstance) -> None:
    fake.routes["/federation/actor"] = lambda h: (302, {"Location": "http://10.0.0.1/"}, b"")
    assert _code(lambda: remote.actor_fetch(fake.actor_url)) == "redirect"


@pytest.mark.parametrize(
    "change",
    [
        {"id": "http://elsewhere.example/federation/actor"},
        {"inbox": "http://elsewhere.example/inbox"},
        {"type": "Person"},
        {"publicKey": None},
        {"@context": "https://evil.example/context"},
    ],
)
def test_a_wrong_actor_document_is_refused(fake: FakeInstance, change: dict[str, Any]) -> None:
    document = {**fake.actor_document(), **change}
    fake.routes["/federation/actor"] = lambda h: _json(document)
    assert _code(lambda: remote.actor_fetch(fake.actor_url)) == "bad_answer"


def test_an_rsa_key_is_refused(fake: FakeInstance) -> None:
    pem = (
        rsa.generate_private_key(public_exponent=65537, key_size=2048)
        .public_key()
        .public_bytes(Encoding.PEM, PublicFormat.SubjectPublicKeyInfo)
        .decode()
    )
    document = fake.actor_document()
    document["publicKey"]["publicKeyPem"] = pem
    fake.routes["/federation/actor"] = lambda h: _json(document)
    assert _code(lambda: remote.actor_fetch(fake.actor_url)) == "bad_answer"


def test_html_is_not_an_actor(fake: FakeInstance) -> None:
    fake.routes["/federation/actor"] = lambda h: (200, {"Content-Type": "text/html"}, b"<p>hi")
    assert _code(lambda: remote.actor_fetch(fake.actor_url)) == "bad_answer"


def test_not_found_and_unreachable_are_named(fake: FakeInstance) -> None:
    assert _code(lambda: remote.actor_fetch(fake.base + "/nothing")) == "bad_answer"
    url = f"http://127.0.0.1:{free_port()}/federation/actor"
    with pytest.raises(RemoteError) as caught:
        remote.actor_fetch(url)
    assert caught.value.code == "unreachable"
    assert caught.value.message.endswith("it refused the connection or is not running.")
