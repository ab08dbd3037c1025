"""Signed links that let a supporter act without a password.

Every email carries links to the preference centre and to unsubscribe. A link names the
supporter by UUID (never the database id) and a purpose; it is signed with SECRET_KEY and
carries its own time so that each purpose can expire on its own schedule.
"""

from __future__ import annotations

import uuid
from datetime import timedelta

from django.conf import settings
from django.core import signing

MAX_AGE = {
    "confirm": timedelta(days=7),
    "preferences": timedelta(days=365),
    "unsubscribe": timedelta(days=365 * 2),
    # A letter waiting for its writer to confirm the address it is sent from.
    "letter": timedelta(days=3),
}


def supporter_token(*, supporter_uuid: uuid.UUID, purpose: str, extra: str = "") -> str:
    if purpose not in MAX_AGE:
        raise ValueError(f"unknown link purpose {purpose!r}")
    payload = {"s": supporter_uuid.hex, "x": extra} if extra else {"s": supporter_uuid.hex}
    return signing.TimestampSigner(salt=f"urgent.supporters.{purpose}").sign_object(payload)


def supporter_token_read(*, token: str, purpose: str) -> tuple[uuid.UUID, str] | None:
    """The supporter UUID and extra value of a valid, unexpired link; None otherwise."""
    try:
        payload = signing.TimestampSigner(salt=f"urgent.supporters.{purpose}").unsign_object(
            token, max_age=MAX_AGE[purpose]
        )
        return uuid.UUID(hex=payload["s"]), str(payload.get("x", ""))
    except (signing.BadSignature, KeyError, TypeError, ValueError):
        return None


def supporter_url(*, supporter_uuid: uuid.UUID, purpose: str, extra: str = "") -> str:
    """Absolute URL of a signed link (`/s/<purpose>/<token>/`)."""
    token = supporter_token(supporter_uuid=supporter_uuid, purpose=purpose, extra=extra)
    return f"{settings.URGENT_BASE_URL}/s/{purpose}/{token}/"


def supporter_unsubscribe_headers(*, supporter_uuid: uuid.UUID, extra: str = "") -> dict[str, str]:
    """`List-Unsubscribe` and `List-Unsubscribe-Post` for every bulk mail (RFC 2369, 8058).

    Mail clients then offer one "Unsubscribe" button that POSTs `List-Unsubscribe=One-Click`
    to the link; `extra` is `case:<case uuid>` to stop updates on one case only.
    """
    url = supporter_url(supporter_uuid=supporter_uuid, purpose="unsubscribe", extra=extra)
    return {"List-Unsubscribe": f"<{url}>", "List-Unsubscribe-Post": "List-Unsubscribe=One-Click"}
