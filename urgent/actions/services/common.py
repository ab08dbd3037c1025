"""Addresses and identifiers shared by sending and by reading what comes back."""

from __future__ import annotations

import hashlib
import hmac
import uuid
from email.utils import parseaddr

from django.conf import settings


def from_address() -> str:
    return parseaddr(settings.URGENT_FROM_EMAIL)[1]


def from_domain() -> str:
    return from_address().rpartition("@")[2].lower() or "localhost"


def message_id_for(key: uuid.UUID, *, kind: str = "letter") -> str:
    """A Message-ID that stays the same on every retry, so no one gets the letter twice."""
    return f"<{kind}.{key.hex}@{from_domain()}>"


def message_id_normalise(value: str) -> str:
    value = value.strip()
    if not value:
        return ""
    return value if value.startswith("<") else f"<{value.strip('<>')}>"


def _mac(delivery_id: int, *, purpose: str) -> str:
    key = hashlib.sha256(f"urgent.actions.{purpose}\x00".encode() + settings.SECRET_KEY.encode())
    return hmac.new(key.digest(), str(delivery_id).encode(), hashlib.sha256).hexdigest()[:20]


def _signed_address(delivery_id: int, *, purpose: str) -> str:
    """<purpose>+<id>.<mac>@domain: lower case only, as mail servers may fold the local part."""
    return f"{purpose}+{delivery_id:x}.{_mac(delivery_id, purpose=purpose)}@{from_domain()}"


def _signed_address_read(address: str, *, purpose: str) -> int | None:
    local, _at, domain = address.strip().strip("<>").lower().rpartition("@")
    if domain != from_domain() or not local.startswith(f"{purpose}+"):
        return None
    ident, _dot, mac = local[len(purpose) + 1 :].partition(".")
    try:
        delivery_id = int(ident, 16)
    except ValueError:
        return None
    if not hmac.compare_digest(mac, _mac(delivery_id, purpose=purpose)):
        return None
    return delivery_id


def reply_address(delivery_id: int) -> str:
    """The Reply-To of a letter: replies to it are tied to the letter they answer."""
    return _signed_address(delivery_id, purpose="reply")


def reply_address_read(address: str) -> int | None:
    """The delivery id a reply address was made for; None when it is not one of ours."""
    return _signed_address_read(address, purpose="reply")


def bounce_address(delivery_id: int) -> str:
    """The envelope sender (VERP return path) of a letter: where its bounce reports go.

    The signature makes it the proof that a report is about a letter Urgent sent: nobody
    who has not seen the letter's envelope can make one for another letter.
    """
    return _signed_address(delivery_id, purpose="bounces")


def bounce_address_read(address: str) -> int | None:
    """The delivery id a return path was made for; None when it is not one of ours."""
    return _signed_address_read(address, purpose="bounces")
