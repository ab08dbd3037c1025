"""HTTP signatures as Mastodon signs and checks them (draft-cavage-http-signatures-12,
`rsa-sha256`), and the news actor's RSA key.

The signing string is one `name: value` line per covered header, in the order the
`headers` parameter lists them, with `(request-target)` as `<method> <path?query>`; the
signature is RSASSA-PKCS1-v1_5 over SHA-256 of it. A POST also carries
`Digest: SHA-256=<base64>` of the body, covered by the signature.
"""

from __future__ import annotations

import base64
import datetime
import hashlib
import os
import re
from collections.abc import Mapping
from dataclasses import dataclass
from email.utils import format_datetime, parsedate_to_datetime
from functools import cache
from pathlib import Path
from urllib.parse import urlsplit

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import padding, rsa

from urgent.federation import keys

# A signed request is taken within this long of its Date (Mastodon allows clock skew).
WINDOW = datetime.timedelta(hours=1)
REQUIRED_POST = ("(request-target)", "host", "date", "digest")
_PARAM = re.compile(r'(\w+)="([^"]*)"')


class SignatureError(ValueError):
    """Why a request's signature is not accepted, in words for the sender."""


def _key_path() -> Path:
    return keys.keys_dir() / "news-rsa.pem"


@cache
def _key_cached(path: str, mtime_ns: int) -> rsa.RSAPrivateKey:
    key = serialization.load_pem_private_key(Path(path).read_bytes(), password=None)
    if not isinstance(key, rsa.RSAPrivateKey):
        raise ValueError(f"{path} is not an RSA private key")
    return key


def news_private_key() -> rsa.RSAPrivateKey:
    """The news actor's RSA key, made (2048 bits, mode 600) the first time it is needed."""
    path = _key_path()
    if not path.exists():
        with keys.locked(path.parent):
            if not path.exists():
                pem = rsa.generate_private_key(public_exponent=65537, key_size=2048).private_bytes(
                    serialization.Encoding.PEM,
                    serialization.PrivateFormat.PKCS8,
                    serialization.NoEncryption(),
                )
                fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
                with os.fdopen(fd, "wb") as handle:
                    handle.write(pem)
    return _key_cached(str(path), path.stat().st_mtime_ns)


def news_public_pem() -> str:
    return (
        news_private_key()
        .public_key()
        .public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)
        .decode("ascii")
    )


def digest(body: bytes) -> str:
    return "SHA-256=" + base64.b64encode(hashlib.sha256(body).digest()).decode("ascii")


def signing_string(method: str, path: str, headers: Mapping[str, str], names: list[str]) -> str:
    lower = {k.lower(): v for k, v in headers.items()}
    lines = []
    for name in names:
        if name == "(request-target)":
            lines.append(f"(request-target): {method.lower()} {path}")
        elif name in lower:
            lines.append(f"{name}: {lower[name].strip()}")
        else:
            raise SignatureError(f"The signature covers {name}, which the request does not have.")
    return "\n".join(lines)


def request_sign(
    *, method: str, url: str, headers: dict[str, str], body: bytes | None, key_id: str
) -> dict[str, str]:
    """The headers with Host, Date, Digest (for a body) and a Signature added."""
    parts = urlsplit(url)
    path = parts.path + (f"?{parts.query}" if parts.query else "")
    signed = {
        **headers,
        "Host": parts.netloc,
        "Date": format_datetime(datetime.datetime.now(tz=datetime.UTC), usegmt=True),
    }
    names = ["(request-target)", "host", "date"]
    if body is not None:
        signed["Digest"] = digest(body)
        names.append("digest")
        if "Content-Type" in signed:
            names.append("content-type")
    text = signing_string(method, path, signed, names).encode("utf-8")
    signature = news_private_key().sign(text, padding.PKCS1v15(), hashes.SHA256())
    signed["Signature"] = (
        f'keyId="{key_id}",algorithm="rsa-sha256",headers="{" ".join(names)}",'
        f'signature="{base64.b64encode(signature).decode("ascii")}"'
    )
    return signed


@dataclass(frozen=True)
class Claim:
    key_id: str
    names: list[str]
    signature: bytes


def signature_claim(headers: Mapping[str, str]) -> Claim:
    """The Signature header's parameters, checked for shape (not yet verified)."""
    raw = headers.get("Signature", "")
    if not raw:
        raise SignatureError("Sign the request (a Signature header, draft-cavage).")
    params = dict(_PARAM.findall(raw))
    if params.get("algorithm", "hs2019") not in {"rsa-sha256", "hs2019"}:
        raise SignatureError("Sign with rsa-sha256 (or hs2019 with an RSA key).")
    names = params.get("headers", "date").lower().split()
    missing = [n for n in REQUIRED_POST if n not in names]
    if not params.get("keyId") or "signature" not in params or missing:
        raise SignatureError(
            "The signature needs keyId and signature, and must cover "
            + ", ".join(REQUIRED_POST)
            + "."
        )
    try:
        signature = base64.b64decode(params["signature"], validate=True)
    except ValueError as exc:
        raise SignatureError("The signature is not base64.") from exc
    return Claim(key_id=params["keyId"], names=names, signature=signature)


def request_verify(
    *,
    claim: Claim,
    method: str,
    path: str,
    headers: Mapping[str, str],
    body: bytes,
    public_pem: str,
    now: datetime.datetime | None = None,
) -> None:
    """Check the date, the digest and the signature; SignatureError says what is wrong."""
    try:
        sent = parsedate_to_datetime(headers.get("Date", ""))
    except (TypeError, ValueError) as exc:
        raise SignatureError("The Date header is missing or not a date.") from exc
    now = now or datetime.datetime.now(tz=datetime.UTC)
    if sent.tzinfo is None or abs(now - sent) > WINDOW:
        raise SignatureError("The Date header is more than an hour from this server's clock.")
    if headers.get("Digest", "").split(",")[0].strip() != digest(body):
        raise SignatureError("The Digest header does not match the body.")
    try:
        key = serialization.load_pem_public_key(public_pem.encode("ascii"))
    except ValueError as exc:
        raise SignatureError("The signer's public key cannot be read.") from exc
    if not isinstance(key, rsa.RSAPublicKey):
        raise SignatureError("The signer's key is not an RSA key.")
    text = signing_string(method, path, headers, claim.names).encode("utf-8")
    try:
        key.verify(claim.signature, text, padding.PKCS1v15(), hashes.SHA256())
    except InvalidSignature as exc:
        raise SignatureError("The signature does not verify with the signer's key.") from exc
