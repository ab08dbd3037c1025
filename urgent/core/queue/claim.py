"""Claiming rows with a lease, renewing, handing back and reclaiming it.

A claim is one short transaction: on PostgreSQL the due rows are read with `SELECT ... FOR
UPDATE SKIP LOCKED`, so workers claiming at once each get other rows without waiting; on
SQLite the transaction begins IMMEDIATE (settings), so claims take turns. The rows become
`sending` with `claimed_until` (the lease) and `claimed_by` (the worker's token). Holds
are read inside the same transaction.
"""

from __future__ import annotations

import secrets
import zlib
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from django.db import connection, transaction
from django.db.models import Q, QuerySet
from django.utils import timezone

from urgent.core.queue.holds import held_rows, holds_reason
from urgent.core.queue.models import QueueItem, Status


@dataclass(frozen=True)
class RowHold:
    """Per-row holds: a row is held when `<prefix><value of lookup>` is a QueueHold key."""

    prefix: str
    lookup: str

    def key(self, value: object) -> str:
        return f"{self.prefix}{value.hex if hasattr(value, 'hex') else value}"


@dataclass(frozen=True)
class Queue:
    """One kind of fan-out: its row model, its lease, and what may hold its rows.

    `serial` makes claims on PostgreSQL take turns (an advisory lock for the transaction),
    for queues whose claim checks a budget that concurrent claims could both spend.
    """

    model: type[QueueItem]
    lease: timedelta
    row_hold: RowHold | None = None
    serial: bool = False

    def rows(self) -> QuerySet[QueueItem]:
        return self.model._default_manager.all()

    def held(self) -> Q:
        """Rows held right now (a Q matching nothing when no hold applies)."""
        if self.row_hold is None:
            return Q(pk__in=[])
        return held_rows(prefix=self.row_hold.prefix, lookup=self.row_hold.lookup)


@dataclass
class Claimed:
    """The ids a worker now holds, or why it must stop (`stop` is then not empty)."""

    ids: list[int]
    stop: str = ""


def token_new() -> str:
    """A worker's name on the rows it claims."""
    return secrets.token_hex(8)


def due(now: datetime) -> Q:
    """Queued rows (not paced to later) and deferred rows whose time came."""
    return (
        Q(status=Status.QUEUED) & (Q(next_attempt_at__isnull=True) | Q(next_attempt_at__lte=now))
    ) | Q(status=Status.DEFERRED, next_attempt_at__lte=now)


def _candidates(
    queue: Queue, scope: Q, now: datetime, limit: int, columns: Sequence[str]
) -> list[tuple[Any, ...]]:
    rows = queue.rows().filter(scope).exclude(queue.held())
    if connection.features.has_select_for_update_skip_locked:
        rows = rows.select_for_update(skip_locked=True, of=("self",))
    # Two index-friendly reads rather than one OR: queued rows in id order first.
    queued = rows.filter(
        Q(next_attempt_at__isnull=True) | Q(next_attempt_at__lte=now), status=Status.QUEUED
    )
    found = list(queued.order_by("pk").values_list("pk", *columns)[:limit])
    if len(found) < limit:
        deferred = rows.filter(status=Status.DEFERRED, next_attempt_at__lte=now)
        found += deferred.order_by("next_attempt_at").values_list("pk", *columns)[
            : limit - len(found)
        ]
    return found


def queue_claim(
    queue: Queue,
    *,
    token: str,
    limit: int,
    scope: Q | None = None,
    hold_keys: Sequence[str] = (),
    guard: Callable[[], str] | None = None,
    choose: Callable[[list[tuple[Any, ...]], datetime, int], list[int]] | None = None,
    columns: Sequence[str] = (),
    over: int = 1,
    now: datetime | None = None,
) -> Claimed:
    """Claim up to `limit` due rows in `scope` for the worker `token`.

    Inside the transaction, `guard()` may return a reason to stop (a paused mailing), any
    of `hold_keys` held stops the claim, held rows are skipped, and `choose(candidates,
    now, limit)` may keep up to `limit` of `over × limit` candidates (a budget per
    recipient); each candidate is a tuple of its pk and `columns`.
    """
    now = now or timezone.now()
    with transaction.atomic():
        if queue.serial and connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                lock = zlib.crc32(queue.model._meta.db_table.encode())
                cursor.execute("SELECT pg_advisory_xact_lock(%s)", [lock])
        stop = (guard() if guard is not None else "") or holds_reason(hold_keys)
        if stop:
            return Claimed([], stop)
        found = _candidates(queue, scope or Q(), now, limit * over, columns)
        ids = choose(found, now, limit) if choose is not None else [row[0] for row in found]
        ids = ids[:limit]
        if ids:
            queue.rows().filter(pk__in=ids).update(
                status=Status.SENDING, claimed_until=now + queue.lease, claimed_by=token
            )
    return Claimed(ids)


def queue_lease_renew(queue: Queue, *, token: str, ids: Sequence[int]) -> int:
    """Extend the lease on rows this worker still holds."""
    return (
        queue.rows()
        .filter(pk__in=list(ids), claimed_by=token, status=Status.SENDING)
        .update(claimed_until=timezone.now() + queue.lease)
    )


def queue_release(queue: Queue, *, token: str, ids: Sequence[int]) -> int:
    """Hand back rows this worker holds and did not send: they are queued again."""
    if not ids:
        return 0
    return (
        queue.rows()
        .filter(pk__in=list(ids), claimed_by=token, status=Status.SENDING)
        .update(status=Status.QUEUED, claimed_until=None, claimed_by="")
    )


def queue_reclaim(queue: Queue, *, scope: Q | None = None, now: datetime | None = None) -> int:
    """Put back rows whose lease ran out (their worker died): queued, due at once."""
    now = now or timezone.now()
    return (
        queue.rows()
        .filter(scope or Q(), status=Status.SENDING, claimed_until__lt=now)
        .update(status=Status.QUEUED, claimed_until=None, claimed_by="", next_attempt_at=None)
    )


def queue_due_exist(queue: Queue, *, scope: Q | None = None, now: datetime | None = None) -> bool:
    """Whether a worker would find something to claim now."""
    now = now or timezone.now()
    return queue.rows().filter(due(now), scope or Q()).exclude(queue.held()).exists()
