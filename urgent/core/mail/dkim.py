"""DKIM signatures (RFC 6376, relaxed/relaxed) of every message that leaves by SMTP, by dkimpy.

The key is a PEM file (RSA or Ed25519, RFC 8463) named by URGENT_DKIM_KEY_FILE, with
URGENT_DKIM_SELECTOR; the domain is the one of URGENT_FROM_EMAIL. It is read once and
handed to dkimpy in the form it takes (PKCS#1 PEM for RSA, the base64 seed for Ed25519).
dkimpy signs RSA in Python (a few milliseconds per RSA-2048 signature) and Ed25519 through
PyNaCl (libsodium); docs/mailings.md gives the measured cost of each.
"""

from __future__ import annotations

import base64
from dataclasses import dataclass
from email.utils import parseaddr
from functools import cache
from pathlib import Path

import dkim
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ed25519, rsa
from django.conf import settings

# Headers a receiver must see unchanged; List-Unsubscribe(-Post) must be signed for
# one-click unsubscribe to be honoured (RFC 8058 section 4).
SIGNED_HEADERS = (
    b"from",
    b"to",
    b"cc",
    b"reply-to",
    b"subject",
    b"date",
    b"message-id",
    b"mime-version",
    b"content-type",
    b"list-id",
    b"list-unsubscribe",
    b"list-unsubscribe-post",
)

PrivateKey = rsa.RSAPrivateKey | ed25519.Ed25519PrivateKey


@dataclass(frozen=True)
class DkimSigner:
    """Signs whole messages (CRLF line endings) for one domain and selector."""

    key: bytes
    algorithm: bytes
    domain: bytes
    selector: bytes

    @classmethod
    def from_key(cls, key: PrivateKey, *, domain: str, selector: str) -> DkimSigner:
        if isinstance(key, ed25519.Ed25519PrivateKey):
            raw = key.private_bytes(
                serialization.Encoding.Raw,
                serialization.PrivateFormat.Raw,
                serialization.NoEncryption(),
            )
            material, algorithm = base64.b64encode(raw), b"ed25519-sha256"
        else:
            material = key.private_bytes(
                serialization.Encoding.PEM,
                serialization.PrivateFormat.TraditionalOpenSSL,
                serialization.NoEncryption(),
            )
            algorithm = b"rsa-sha256"
        return cls(
            key=material,
            algorithm=algorithm,
            domain=domain.encode("idna"),
            selector=selector.encode("ascii"),
        )

    def sign(self, message: bytes) -> bytes:
        """The message with a DKIM-Signature header in front of it."""
        present = {
            line.split(b":", 1)[0].strip().lower()
            for line in message.partition(b"\r\n\r\n")[0].split(b"\r\n")
            if line[:1] not in (b" ", b"\t")
        }
        signature = dkim.sign(
            message,
            self.selector,
            self.domain,
            self.key,
            canonicalize=(b"relaxed", b"relaxed"),
            signature_algorithm=self.algorithm,
            include_headers=[h for h in SIGNED_HEADERS if h in present],
        )
        return signature + message


def dkim_public_record(key: PrivateKey) -> str:
    """The TXT record to publish at <selector>._domainkey.<domain>."""
    public = key.public_key()
    if isinstance(public, ed25519.Ed25519PublicKey):
        raw = public.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
        return "v=DKIM1; k=ed25519; p=" + base64.b64encode(raw).decode()
    der = public.public_bytes(
        serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo
    )
    return "v=DKIM1; k=rsa; p=" + base64.b64encode(der).decode()


@cache
def _load(path: str, selector: str, domain: str) -> DkimSigner:
    key = serialization.load_pem_private_key(Path(path).read_bytes(), password=None)
    if not isinstance(key, rsa.RSAPrivateKey | ed25519.Ed25519PrivateKey):
        raise ValueError("only RSA and Ed25519 keys can sign DKIM")
    return DkimSigner.from_key(key, domain=domain, selector=selector)


def dkim_signer() -> DkimSigner | None:
    """The signer the settings name, or None to leave signing to the MTA."""
    if not settings.URGENT_DKIM:
        return None
    path, selector = settings.URGENT_DKIM
    domain = parseaddr(settings.URGENT_FROM_EMAIL)[1].rpartition("@")[2].lower()
    return _load(str(path), selector, domain)
