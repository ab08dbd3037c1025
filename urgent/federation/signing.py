"""HTTP Message Signatures (RFC 9421) on every request between instances.

Signed with Ed25519 under the label and tag `urgent`; a POST covers `@method`,
`@target-uri`, `content-type` and `content-digest` (SHA-256 of the body, RFC 9530), a GET
covers `@method` and `@target-uri`. Both carry `created`, `keyid` and `alg`. A signature is
accepted within five minutes either side of this server's clock. The library
`http-message-signatures` builds and checks the signature base; this module chooses what
must be covered and turns every failure into a refusal with its own code.
"""

from __future__ import annotations

import datetime
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import http_sf
from cryptography.hazmat.primitives.asymmetric import ed25519
from http_message_signatures import (
    HTTPMessageSigner,
    HTTPMessageVerifier,
    InvalidSignature,
    MappingKeyResolver,
    algorithms,
)
from http_message_signatures.exceptions import HTTPMessageSignaturesException

from urgent.federation.errors import Refusal

LABEL = "urgent"
TAG = "urgent"
WINDOW = datetime.timedelta(minutes=5)
COVERED_GET = ("@method", "@target-uri")
COVERED_POST = ("@method", "@target-uri", "content-type", "content-digest")


@dataclass
class Message:
    """A request as the signature library reads it: method, absolute URL, header fields."""

    method: str
    url: str
    headers: dict[str, str] = field(default_factory=dict)


def request_sign(
    *,
    method: str,
    url: str,
    headers: Mapping[str, str],
    body: bytes | None,
    key_id: str,
    private_key: ed25519.Ed25519PrivateKey,
    created: datetime.datetime | None = None,
) -> dict[str, str]:
    """The headers to send: those given, plus Content-Digest (with a body) and the signature."""
    message = Message(method.upper(), url, dict(headers))
    resolver = MappingKeyResolver(public_keys={}, private_keys={key_id: private_key})
    signer = HTTPMessageSigner(signature_algorithm=algorithms.ED25519, key_resolver=resolver)
    covered = COVERED_GET if body is None else COVERED_POST[:3]
    # With the body given, the library adds Content-Digest and covers it.
    signer.sign(
        message,
        key_id=key_id,
        created=created or datetime.datetime.now(tz=datetime.UTC),
        label=LABEL,
        tag=TAG,
        covered_component_ids=covered,
        body=body,
    )
    return message.headers


@dataclass(frozen=True)
class SignatureClaim:
    """What a request's Signature-Input says, before anything is verified."""

    key_id: str
    created: datetime.datetime


def _ours(parsed: Any) -> tuple[Any, Mapping[str, Any]]:
    for value in parsed.values() if isinstance(parsed, dict) else ():
        member, params = value if isinstance(value, tuple) and len(value) == 2 else (None, None)
        if isinstance(params, dict) and params.get("tag") == TAG:
            return member, params
    raise Refusal(401, "bad_signature", f'The request carries no signature tagged "{TAG}".')


def signature_claim(headers: Mapping[str, str]) -> SignatureClaim:
    """Read the key id and creation time of our signature; refuse an unsigned request."""
    signature_input = headers.get("Signature-Input", "")
    if not signature_input or not headers.get("Signature"):
        raise Refusal(
            401,
            "unsigned",
            "The request is not signed: send Signature-Input and Signature headers (RFC 9421).",
        )
    try:
        parsed = http_sf.parse(signature_input.encode("latin-1"), tltype="dictionary")
    except (ValueError, TypeError, UnicodeEncodeError) as exc:
        raise Refusal(
            401, "bad_signature", "The Signature-Input header is not a structured dictionary."
        ) from exc
    _, params = _ours(parsed)
    key_id, created = params.get("keyid"), params.get("created")
    if not isinstance(key_id, str) or not key_id:
        raise Refusal(401, "bad_signature", 'The signature has no "keyid" parameter.')
    if type(created) is not int:
        raise Refusal(401, "bad_signature", 'The signature has no "created" time.')
    try:
        when = datetime.datetime.fromtimestamp(created, tz=datetime.UTC)
    except (OverflowError, OSError, ValueError) as exc:
        raise Refusal(401, "bad_signature", 'The signature\'s "created" time is invalid.') from exc
    return SignatureClaim(key_id=key_id, created=when)


def signature_fresh(claim: SignatureClaim, *, now: datetime.datetime | None = None) -> None:
    now = now or datetime.datetime.now(tz=datetime.UTC)
    if abs(now - claim.created) > WINDOW:
        minutes = int(WINDOW.total_seconds() // 60)
        raise Refusal(
            401,
            "stale_signature",
            f"The signature was created at {claim.created:%Y-%m-%d %H:%M:%S} UTC, more than "
            f"{minutes} minutes from this server's time ({now:%Y-%m-%d %H:%M:%S} UTC). "
            "Check the sending server's clock, and sign each request when it is sent.",
        )


def signature_verify(
    *,
    method: str,
    url: str,
    headers: Mapping[str, str],
    body: bytes | None,
    key_id: str,
    public_key: ed25519.Ed25519PublicKey,
) -> None:
    """Check the signature with this key, then the body against the signed digest."""
    message = Message(method.upper(), url, dict(headers))
    resolver = MappingKeyResolver(public_keys={key_id: public_key}, private_keys={})
    verifier = HTTPMessageVerifier(signature_algorithm=algorithms.ED25519, key_resolver=resolver)
    verifier.max_clock_skew = WINDOW
    required = COVERED_GET if body is None else COVERED_POST
    try:
        results = verifier.verify(
            message, max_age=datetime.timedelta(0), expect_tag=TAG, require_components=required
        )
    except (InvalidSignature, HTTPMessageSignaturesException) as exc:
        raise Refusal(
            401,
            "bad_signature",
            f"The signature does not verify with the key {key_id} "
            f"(it must cover {', '.join(required)}): {exc}",
        ) from exc
    if body is None:
        return
    try:
        verifier.verify_body(message, results, body)
    except (InvalidSignature, HTTPMessageSignaturesException) as exc:
        raise Refusal(
            400,
            "digest_mismatch",
            "The body does not match its signed Content-Digest (RFC 9530, sha-256 or sha-512): "
            "it was changed on the way or the digest was computed over other bytes.",
        ) from exc
