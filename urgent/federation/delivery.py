"""Sending activities to other instances' inboxes: one row per instance and activity.

`activity_deliver` is the one place an activity leaves this instance (one signed POST).
The rest is a small drain: claim due rows with a lease, send, record, retry on a fixed
schedule, give up after the last step. This drain is meant to move onto the shared queue
engine (claim with lease, reclaim, one retry schedule) without changing `activity_deliver`.
"""

from __future__ import annotations

import datetime
import json
import logging
from dataclasses import dataclass

from django.db.models import F
from django.utils import timezone

from urgent.federation import keys, net, vocab
from urgent.federation.errors import RemoteError
from urgent.federation.models import Delivery

logger = logging.getLogger(__name__)

# Waits after each failed attempt; after the last one the delivery has failed (about 4 days).
RETRY_DELAYS = tuple(
    datetime.timedelta(seconds=s) for s in (30, 120, 600, 3600, 6 * 3600, 86400, 86400, 86400)
)
LEASE = datetime.timedelta(seconds=60)
# Answers after which sending the same activity again cannot succeed.
PERMANENT = frozenset({400, 403, 410, 413, 415, 422})
# The inbox already has this activity: a previous attempt got through.
ALREADY = 409


@dataclass(frozen=True)
class Outcome:
    delivered: bool
    status: int | None
    error: str
    permanent: bool = False


def activity_body(payload: object) -> bytes:
    return json.dumps(payload, ensure_ascii=False, separators=(",", ":")).encode("utf-8")


def activity_deliver(delivery: Delivery) -> Outcome:
    """Send one activity to one inbox as a signed POST; say whether it was taken."""
    key = keys.key_find(delivery.key_id) if delivery.key_id else keys.key_current()
    if key is None:
        return Outcome(False, None, f"the key {delivery.key_id} is no longer kept", True)
    try:
        response = net.http_signed(
            method="POST",
            url=delivery.inbox_url,
            body=activity_body(delivery.activity.payload),
            content_type=vocab.ACTIVITY_JSON,
            accept="application/json",
            max_bytes=16 * 1024,
            key=key,
        )
    except RemoteError as exc:
        return Outcome(False, None, exc.message[:500])
    if 200 <= response.status < 300 or response.status == ALREADY:
        return Outcome(True, response.status, "")
    detail = response.body[:300].decode("utf-8", "replace")
    return Outcome(
        False,
        response.status,
        f"status {response.status}: {detail}"[:500],
        permanent=response.status in PERMANENT,
    )


def deliveries_reclaim(*, now: datetime.datetime) -> int:
    """Rows of a worker that died mid-send go back to waiting."""
    return Delivery.objects.filter(status=Delivery.Status.SENDING, claimed_until__lt=now).update(
        status=Delivery.Status.PENDING, next_attempt_at=now
    )


def _claim(limit: int) -> list[Delivery]:
    now = timezone.now()
    deliveries_reclaim(now=now)
    due = list(
        Delivery.objects.filter(status=Delivery.Status.PENDING, next_attempt_at__lte=now)
        .order_by("next_attempt_at", "id")
        .values_list("id", flat=True)[:limit]
    )
    claimed = []
    for pk in due:
        taken = Delivery.objects.filter(pk=pk, status=Delivery.Status.PENDING).update(
            status=Delivery.Status.SENDING, claimed_until=now + LEASE
        )
        if taken:
            claimed.append(pk)
    return list(Delivery.objects.filter(pk__in=claimed).select_related("activity", "instance"))


def _record(delivery: Delivery, outcome: Outcome) -> None:
    now = timezone.now()
    attempts = delivery.attempts + 1
    fields: dict[str, object] = {
        "attempts": F("attempts") + 1,
        "claimed_until": None,
        "last_status": outcome.status,
        "last_error": outcome.error,
    }
    if outcome.delivered:
        fields.update(status=Delivery.Status.DELIVERED, delivered_at=now)
    elif outcome.permanent or attempts > len(RETRY_DELAYS):
        fields.update(status=Delivery.Status.FAILED)
        logger.warning("delivery %s to %s failed: %s", delivery.pk, delivery.inbox_url, outcome)
    else:
        fields.update(
            status=Delivery.Status.PENDING, next_attempt_at=now + RETRY_DELAYS[attempts - 1]
        )
    Delivery.objects.filter(pk=delivery.pk, status=Delivery.Status.SENDING).update(**fields)


def deliveries_run(*, limit: int = 50) -> int:
    """Send what is due, at most `limit` rows; returns how many were attempted."""
    batch = _claim(limit)
    for delivery in batch:
        _record(delivery, activity_deliver(delivery))
    return len(batch)


def deliveries_due() -> bool:
    return Delivery.objects.filter(
        status=Delivery.Status.PENDING, next_attempt_at__lte=timezone.now()
    ).exists()


def deliveries_held(*, now: datetime.datetime) -> bool:
    """A worker is sending right now (its lease is live)."""
    return Delivery.objects.filter(status=Delivery.Status.SENDING, claimed_until__gte=now).exists()
