"""Accepting inbound mail: store the raw bytes first, then route.

The SMTP receiver and the webhooks call `inbound_store` before they answer the sender, so
a message they accepted exists in the database whatever happens next; `inbound_process`
routes it, and `inbound_retry` routes again whatever was left unprocessed.
"""

from __future__ import annotations

import hashlib
import logging
import os
import socket
import threading
import uuid
from collections.abc import Sequence
from datetime import timedelta

from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone

from urgent.core.redact import message_redact, text_redact
from urgent.inbound import selectors
from urgent.inbound.models import InboundMessage
from urgent.inbound.reading import Unreadable, header, message_id, message_read
from urgent.inbound.router import message_route
from urgent.supporters.models import Supporter

logger = logging.getLogger(__name__)

# How long one process may hold a message while routing it before another may take over.
CLAIM = timedelta(minutes=5)
_local = threading.local()


def _summary(raw: bytes) -> dict[str, str]:
    """Message-ID, From and Subject for staff lists; never fails, even on broken mail."""
    try:
        message = message_read(raw)
    except Unreadable:
        return {}
    return {
        "message_id": message_id(message)[:300],
        "from_header": header(message, "from")[:320],
        "subject": header(message, "subject")[:300],
    }


def inbound_store(
    *,
    raw: bytes,
    source: str,
    mail_from: str = "",
    rcpt_to: Sequence[str] = (),
    peer: str = "",
) -> tuple[InboundMessage, bool]:
    """Keep one accepted message; the same bytes delivered twice are kept once.

    Returns the row and whether it is new (a retried delivery is not routed again).
    """
    digest = hashlib.sha256(raw).hexdigest()
    existing = InboundMessage.objects.filter(digest=digest).first()
    if existing is not None:
        return existing, False
    try:
        with transaction.atomic():
            row = InboundMessage.objects.create(
                source=source[:40],
                peer=peer[:100],
                mail_from=mail_from[:320],
                rcpt_to=[str(r)[:320] for r in rcpt_to][:100],
                digest=digest,
                size=len(raw),
                raw=raw,
                **_summary(raw),
            )
    except IntegrityError:
        return InboundMessage.objects.get(digest=digest), False
    return row, True


def inbound_process(*, message_pk: int) -> str:
    """Route one stored message and record the outcome; never raises.

    A failure is logged and leaves the message FAILED, to be routed again by retry.
    """
    now = timezone.now()
    claimed = (
        InboundMessage.objects.filter(
            pk=message_pk,
            status__in=[InboundMessage.Status.RECEIVED, InboundMessage.Status.FAILED],
        )
        # A thread may take back its own claim: it was left by a pass of its that failed.
        .filter(
            Q(claimed_until__isnull=True) | Q(claimed_until__lt=now) | Q(claimed_by=_claimant())
        )
        .update(claimed_until=now + CLAIM, claimed_by=_claimant())
    )
    if not claimed:
        return InboundMessage.objects.get(pk=message_pk).status
    try:
        return _route(InboundMessage.objects.get(pk=message_pk))
    except Exception:
        # Release the claim, so the next pass need not wait for it to expire.
        InboundMessage.objects.filter(pk=message_pk).update(claimed_until=None)
        raise


def _claimant() -> str:
    """This thread's name in claims: host, process and a value kept for the thread's life."""
    name = getattr(_local, "claimant", "")
    if not name:
        name = f"{socket.gethostname()[:30]}:{os.getpid()}:{uuid.uuid4().hex[:12]}"
        _local.claimant = name
    return name


def _route(row: InboundMessage) -> str:
    try:
        message = message_read(bytes(row.raw))
    except Unreadable as exc:
        logger.warning("inbound message %s dropped: %s", row.pk, exc)
        return _finish(row, status=InboundMessage.Status.DROPPED, route="", note=str(exc))
    try:
        routed = message_route(row=row, message=message)
    except Exception as exc:
        logger.exception("inbound message %s could not be routed", row.pk)
        row.attempts += 1
        return _finish(
            row, status=InboundMessage.Status.FAILED, route="", note=f"{type(exc).__name__}: {exc}"
        )
    if routed.supporter is not None:
        row.supporter = routed.supporter
    if routed.status not in {InboundMessage.Status.RECEIVED, InboundMessage.Status.FAILED}:
        logger.info(
            "inbound message %s: %s %s %s", row.pk, routed.status, routed.route, routed.note
        )
    return _finish(row, status=routed.status, route=routed.route, note=routed.note)


def _finish(row: InboundMessage, *, status: str, route: str, note: str) -> str:
    row.status = status
    row.route = route
    row.note = note[:2000]
    done = status not in {InboundMessage.Status.RECEIVED, InboundMessage.Status.FAILED}
    row.processed_at = timezone.now() if done else None
    row.claimed_until = None
    row.claimed_by = ""
    row.save(
        update_fields=[
            "status",
            "route",
            "note",
            "processed_at",
            "attempts",
            "supporter",
            "claimed_until",
            "claimed_by",
        ]
    )
    return status


def inbound_accept(
    *,
    raw: bytes,
    source: str,
    mail_from: str = "",
    rcpt_to: Sequence[str] = (),
    peer: str = "",
) -> InboundMessage:
    """Store, then route a new message (used by webhooks, which answer after routing)."""
    row, created = inbound_store(
        raw=raw, source=source, mail_from=mail_from, rcpt_to=rcpt_to, peer=peer
    )
    if created:
        inbound_process(message_pk=row.pk)
        row.refresh_from_db()
    return row


def inbound_retry(*, limit: int = 500) -> dict[str, int]:
    """Route again the messages left unprocessed; returns how many ended in each status."""
    counts: dict[str, int] = {}
    for pk in list(selectors.inbound_pending(limit=limit).values_list("pk", flat=True)):
        status = inbound_process(message_pk=pk)
        counts[status] = counts.get(status, 0) + 1
    return counts


# Routed mail is kept this long for staff to look into, then deleted: bounces, requests and
# unsubscribes carry supporters' addresses, and what they did is recorded elsewhere (the
# supporter's status, a Confirmation, an OfficialReply with its own copy of the message).
KEPT = timedelta(days=90)
_DONE = (
    InboundMessage.Status.PROCESSED,
    InboundMessage.Status.UNMATCHED,
    InboundMessage.Status.IGNORED,
    InboundMessage.Status.DROPPED,
)


def inbound_prune(*, batch: int = 1000) -> int:
    """Delete routed messages received more than KEPT ago, a batch at a time."""
    cutoff = timezone.now() - KEPT
    old = InboundMessage.objects.filter(status__in=_DONE, received_at__lt=cutoff)
    deleted = 0
    while ids := list(old.values_list("pk", flat=True)[:batch]):
        deleted += InboundMessage.objects.filter(pk__in=ids).delete()[0]
    if deleted:
        logger.info("deleted %s routed inbound messages older than %s days", deleted, KEPT.days)
    return deleted


def supporter_messages_forget(*, supporter: Supporter) -> int:
    """For erasure: delete the mail a supporter sent us (it holds their address and words)."""
    deleted, _detail = InboundMessage.objects.filter(supporter=supporter).delete()
    return int(deleted)


def inbound_messages_redact(*, message_ids: Sequence[str], needles: Sequence[str]) -> int:
    """For erasure: take a supporter (`needles`: address, names) out of kept messages, such
    as an official's reply that quotes their letter; the messages stay as evidence."""
    ids = {m.strip() for m in message_ids if m and m.strip()}
    ids |= {f"<{m.strip('<>')}>" for m in ids} | {m.strip("<>") for m in ids}
    rows = list(InboundMessage.objects.filter(message_id__in=ids)) if ids else []
    for row in rows:
        row.raw = message_redact(bytes(row.raw), needles)
        row.size = len(row.raw)
        row.subject = text_redact(row.subject, needles)[:300]
        row.save(update_fields=["raw", "size", "subject"])
    return len(rows)
