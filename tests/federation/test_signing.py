"""RFC 9421 signatures with a Content-Digest: what is covered, and every way one fails."""

from __future__ import annotations

import datetime

import pytest
from cryptography.hazmat.primitives.asymmetric import ed25519

from urgent.federation.errors import Refusal
from urgent.federation.signing import (
    request_sign,
    signature_claim,
    signature_fresh,
    signature_verify,
)

URL = "https://a.example/federation/inbox"
KEY = ed25519.Ed25519PrivateKey.generate()
KEY_ID = "https://b.example/federation/actor#key-1"
BODY = b'{"type":"Follow"}'


def _signed(body: bytes | None = BODY, **kwargs: object) -> dict[str, str]:
    headers = {"Content-Type": "application/activity+json"} if body is not None else {}
    return request_sign(
        method="POST" if body is not None else "GET",
        url=URL,
        headers=headers,
        body=body,
        key_id=KEY_ID,
        private_key=KEY,
        **kwargs,  # type: ignore[arg-type]
    )


def _verify(headers: dict[str, str], *, body: bytes | None = BODY, url: str = URL) -> None:
    signature_verify(
        method="POST" if body is not None else "GET",
        url=url,
        headers=headers,
        body=body,
        key_id=KEY_ID,
        public_key=KEY.public_key(),
    )


def _refused(code: str, call: object) -> Refusal:
    with pytest.raises(Refusal) as caught:
        call()  # type: ignore[operator]
    assert caught.value.code == code, caught.value.message
    return caught.value


def test_a_post_covers_method_target_type_and_digest() -> None:
    headers = _signed()
    assert headers["Content-Digest"].startswith("sha-256=:")
    signature_input = headers["Signature-Input"]
    assert signature_input.startswith(
        'urgent=("@method" "@target-uri" "content-type" "content-digest");created='
    )
    assert 'alg="ed25519"' in signature_input and 'tag="urgent"' in signature_input
    claim = signature_claim(headers)
    assert claim.key_id == KEY_ID
    signature_fresh(claim)
    _verify(headers)


def test_a_get_covers_method_and_target() -> None:
    headers = _signed(body=None)
    assert "Content-Digest" not in headers
    _verify(headers, body=None)


def test_unsigned_is_refused() -> None:
    refusal = _refused("unsigned", lambda: signature_claim({"Content-Type": "x"}))
    assert refusal.status == 401


def test_a_changed_body_is_a_wrong_digest() -> None:
    headers = _signed()
    refusal = _refused("digest_mismatch", lambda: _verify(headers, body=b'{"type":"Undo"}'))
    assert refusal.status == 400


def test_a_changed_digest_header_breaks_the_signature() -> None:
    headers = _signed()
    headers["Content-Digest"] = _signed(b"other")["Content-Digest"]
    _refused("bad_signature", lambda: _verify(headers, body=b"other"))


def test_another_target_breaks_the_signature() -> None:
    headers = _signed()
    _refused("bad_signature", lambda: _verify(headers, url="https://c.example/federation/inbox"))


def test_another_key_breaks_the_signature() -> None:
    other = ed25519.Ed25519PrivateKey.generate()
    headers = request_sign(
        method="POST",
        url=URL,
        headers={"Content-Type": "application/activity+json"},
        body=BODY,
        key_id=KEY_ID,
        private_key=other,
    )
    _refused("bad_signature", lambda: _verify(headers))


def test_a_post_signed_without_its_digest_is_refused() -> None:
    headers = _signed(body=None)
    headers["Content-Type"] = "application/activity+json"
    _refused("bad_signature", lambda: _verify(headers))


def test_a_signature_with_another_tag_is_not_ours() -> None:
    headers = _signed()
    headers["Signature-Input"] = headers["Signature-Input"].replace('tag="urgent"', 'tag="x"')
    _refused("bad_signature", lambda: signature_claim(headers))


def test_garbage_signature_input_is_refused() -> None:
    headers = {"Signature-Input": "((((", "Signature": "x"}
    _refused("bad_signature", lambda: signature_claim(headers))


@pytest.mark.parametrize("minutes", [-6, 6])
def test_a_signature_made_outside_five_minutes_is_stale(minutes: int) -> None:
    now = datetime.datetime.now(tz=datetime.UTC)
    headers = _signed(created=now + datetime.timedelta(minutes=minutes))
    refusal = _refused("stale_signature", lambda: signature_fresh(signature_claim(headers)))
    assert "clock" in refusal.message
    # The library's own window check agrees.
    _refused("bad_signature", lambda: _verify(headers))


def test_a_signature_within_the_window_is_fresh() -> None:
    now = datetime.datetime.now(tz=datetime.UTC)
    headers = _signed(created=now - datetime.timedelta(minutes=4))
    signature_fresh(signature_claim(headers))
    _verify(headers)
