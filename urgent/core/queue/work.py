"""A worker loop for queues that send one row at a time (letters, faxes, HTTP requests).

The caller gives two functions: `load(ids)` reads the claimed rows with what sending needs,
and `send(row)` sends one and says what happened as an `Outcome`. The engine claims,
records each outcome at once (retries on the one schedule) and reports. Bulk mail, which
pipelines messages over one connection, uses the same claim and recorder directly.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, TypeVar

from django.db.models import Q

from urgent.core.queue.claim import Queue, queue_claim, token_new
from urgent.core.queue.models import QueueItem, Status
from urgent.core.queue.record import Recorder, Report

logger = logging.getLogger(__name__)

Row = TypeVar("Row", bound=QueueItem)


@dataclass(frozen=True)
class Outcome:
    """What happened to one row: sent, temporary (retry), failed, bounced, cancelled, held
    or submitted (a service will report later; the row stays claimed for `keep`)."""

    kind: str
    error: str = ""
    keep: timedelta | None = None

    @classmethod
    def sent(cls) -> Outcome:
        return cls("sent")

    @classmethod
    def temporary(cls, error: str) -> Outcome:
        return cls("temporary", error)

    @classmethod
    def failed(cls, error: str) -> Outcome:
        return cls(Status.FAILED, error)

    @classmethod
    def bounced(cls, error: str) -> Outcome:
        return cls(Status.BOUNCED, error)

    @classmethod
    def submitted(cls, keep: timedelta) -> Outcome:
        return cls("submitted", keep=keep)

    @classmethod
    def held(cls, reason: str) -> Outcome:
        """Not sent: a hold came after the claim (the stop switch); no attempt is counted."""
        return cls(Status.HELD, reason)


def outcome_record(recorder: Recorder, row: QueueItem, outcome: Outcome) -> None:
    if outcome.kind == "sent":
        recorder.sent(row.pk)
    elif outcome.kind == "temporary":
        recorder.temporary(row.pk, attempts=row.attempts, error=outcome.error)
    elif outcome.kind == "submitted":
        recorder.submitted(row.pk, keep=outcome.keep or timedelta(days=1))
    elif outcome.kind == Status.HELD:
        recorder.final(row.pk, Status.HELD, outcome.error, attempted=False)
    else:
        recorder.final(row.pk, outcome.kind, outcome.error)


def queue_work(
    queue: Queue,
    *,
    load: Callable[[list[int]], Sequence[Row]],
    send: Callable[[Row], Outcome],
    limit: int = 50,
    scope: Q | None = None,
    choose: Callable[[list[tuple[Any, ...]], datetime, int], list[int]] | None = None,
    columns: Sequence[str] = (),
    over: int = 1,
) -> Report:
    """Claim one batch, send each row, record each outcome as it comes."""
    claimed = queue_claim(
        queue,
        token=token_new(),
        limit=limit,
        scope=scope,
        choose=choose,
        columns=columns,
        over=over,
    )
    report = Report(stopped_because=claimed.stop)
    recorder = Recorder(queue.model, report)
    for row in load(claimed.ids) if claimed.ids else ():
        try:
            outcome = send(row)
        except Exception as exc:
            # A bug in one row's sending must not strand the rest of the batch.
            logger.exception("sending %s %s failed", queue.model.__name__, row.pk)
            outcome = Outcome.temporary(f"could not be sent: {exc}")
        outcome_record(recorder, row, outcome)
    return report
