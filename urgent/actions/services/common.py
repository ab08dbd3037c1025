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


def _reply_mac(delivery_id: int) -> str:
    key = hashlib.sha256(b"urgent.actions.reply\x00" + settings.SECRET_KEY.encode()).digest()
    return hmac.new(key, str(delivery_id).encode(), hashlib.sha256).hexdigest()[:20]


def reply_address(delivery_id: int) -> str:
    """reply+<id>.<mac>@domain: lower case only, as mail servers may fold the local part."""
    return f"reply+{delivery_id:x}.{_reply_mac(delivery_id)}@{from_domain()}"


def reply_address_read(address: str) -> int | None:
    """The delivery id a reply address was made for; None when it is not one of ours."""
    local, _at, domain = address.strip().lower().rpartition("@")
    if domain != from_domain() or not local.startswith("reply+"):
        return None
    ident, _dot, mac = local[len("reply+") :].partition(".")
    try:
        delivery_id = int(ident, 16)
    except ValueError:
        return None
    if not hmac.compare_digest(mac, _reply_mac(delivery_id)):
        return None
    return delivery_id
