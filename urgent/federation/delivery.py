"""Sending activities to other instances' inboxes: one row per instance and activity, on the
queue engine (`urgent.core.queue`: claim with a lease, the one retry schedule, reclaim).

`activity_deliver` is the one place an activity leaves this instance (one signed POST) and
turns the inbox's answer into the engine's `Outcome`. A follower whose delivery gives up
after the last retry has stopped answering: it expires (`follower_expire`), so later
activities are not queued for it, and staff see it on /staff/federation/.
"""

from __future__ import annotations

import datetime
import json
import logging
from collections.abc import Sequence

from django.db.models import Q
from django.utils import timezone

from urgent.core.audit import audit_record
from urgent.core.queue import (
    Outcome,
    Queue,
    Report,
    queue_due_exist,
    queue_reclaim,
    queue_work,
    retry_after,
)
from urgent.federation import keys, net, vocab
from urgent.federation.errors import RemoteError
from urgent.federation.models import Delivery, Instance

logger = logging.getLogger(__name__)

LEASE = datetime.timedelta(seconds=60)
QUEUE = Queue(model=Delivery, lease=LEASE)
# Answers after which sending the same activity again cannot succeed.
PERMANENT = frozenset({400, 403, 410, 413, 415, 422})
# The inbox already has this activity: a previous attempt got through.
ALREADY = 409


def activity_body(payload: object) -> bytes:
    return json.dumps(payload, ensure_ascii=False, separators=(",", ":")).encode("utf-8")


def activity_deliver(delivery: Delivery) -> tuple[Outcome, int | None]:
    """Send one activity to one inbox as a signed POST; the outcome and the HTTP status."""
    key = keys.key_find(delivery.key_id) if delivery.key_id else keys.key_current()
    if key is None:
        return Outcome.failed(f"the key {delivery.key_id} is no longer kept"), None
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
        return Outcome.temporary(exc.message[:500]), None
    if 200 <= response.status < 300 or response.status == ALREADY:
        return Outcome.sent(), response.status
    detail = response.body[:300].decode("utf-8", "replace")
    error = f"status {response.status}: {detail}"[:500]
    if response.status in PERMANENT:
        return Outcome.failed(error), response.status
    return Outcome.temporary(error), response.status


def _load(ids: list[int]) -> Sequence[Delivery]:
    return list(Delivery.objects.filter(pk__in=ids).select_related("activity", "instance"))


def follower_expire(*, instance: Instance, error: str) -> bool:
    """A follower that stayed unreachable through every retry expires: nothing more is
    queued for it, and staff see it (their page and the audit log). True when it expired now.

    It may follow again (a new Follow), which staff answer as any request.
    """
    expired = Instance.objects.filter(
        pk=instance.pk, follower_state=Instance.Follow.ACCEPTED
    ).update(follower_state=Instance.Follow.EXPIRED, updated_at=timezone.now())
    if expired:
        logger.warning("federation: follower %s expired: %s", instance.actor_url, error)
        audit_record(
            actor=None,
            action="federation.follower_expired",
            obj=instance,
            after={"reason": error[:300]},
        )
    return bool(expired)


def _send(delivery: Delivery) -> Outcome:
    outcome, status = activity_deliver(delivery)
    Delivery.objects.filter(pk=delivery.pk).update(last_status=status)
    if outcome.kind == "temporary" and retry_after(delivery.attempts + 1) is None:
        follower_expire(instance=delivery.instance, error=outcome.error)
    return outcome


def deliveries_run(*, limit: int = 50) -> int:
    """Send one batch of what is due; returns how many rows were attempted."""

    report: Report = queue_work(QUEUE, load=_load, send=_send, limit=limit)
    return report.handled


def deliveries_reclaim(*, now: datetime.datetime | None = None) -> int:
    """Rows of a worker that died mid-send go back to the queue."""
    return queue_reclaim(QUEUE, now=now)


def deliveries_due() -> bool:
    return queue_due_exist(QUEUE)


def deliveries_held(*, now: datetime.datetime) -> bool:
    """A worker is sending right now (its lease is live)."""
    return Delivery.objects.filter(
        Q(status=Delivery.Status.SENDING), claimed_until__gte=now
    ).exists()
