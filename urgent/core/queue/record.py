"""Recording what happened to a row: one prepared UPDATE per outcome.

A fan-out records every message the moment the server answered it, so the statement is
built once per model and run with a cursor the caller may keep for a whole batch; the ORM
would build it again for every message. Retries follow the one schedule (`retry.py`).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import timedelta
from functools import cache
from typing import Any

from django.db import connection
from django.utils import timezone

from urgent.core.queue.models import QueueItem, Status
from urgent.core.queue.retry import retry_after
from urgent.core.redact import addresses_masked

ERROR_MAX = 2000


@dataclass
class Report:
    """What one worker did with what it claimed."""

    sent: int = 0
    deferred: int = 0
    failed: int = 0
    bounced: int = 0
    cancelled: int = 0
    submitted: int = 0
    held: int = 0
    errors: list[str] = field(default_factory=list)
    stopped_because: str = ""

    @property
    def handled(self) -> int:
        return (
            self.sent
            + self.deferred
            + self.failed
            + self.bounced
            + self.cancelled
            + self.submitted
            + self.held
        )

    def add(self, other: Report) -> None:
        for name in ("sent", "deferred", "failed", "bounced", "cancelled", "submitted", "held"):
            setattr(self, name, getattr(self, name) + getattr(other, name))
        self.errors += other.errors
        self.stopped_because = self.stopped_because or other.stopped_because


@cache
def _statements(model: type[QueueItem], vendor: str) -> dict[str, str]:
    table = connection.ops.quote_name(model._meta.db_table)
    update = f"UPDATE {table} SET "  # noqa: S608 (a table name from the model, quoted)
    done = "claimed_until = NULL, error = %s WHERE id = %s"
    return {
        "sent": update + "status = %s, sent_at = %s, attempts = attempts + 1, "
        "next_attempt_at = NULL, " + done,
        "deferred": update + "status = %s, next_attempt_at = %s, attempts = attempts + 1, " + done,
        "final": update + "status = %s, attempts = attempts + %s, " + done,
        "submitted": update + "claimed_until = %s WHERE id = %s",
    }


class Recorder:
    """Outcomes of one model's rows, each one UPDATE; `cursor` may be kept for a batch."""

    def __init__(self, model: type[QueueItem], report: Report | None = None) -> None:
        self.statements = _statements(model, connection.vendor)
        self.report = report if report is not None else Report()

    def _run(self, cursor: Any, name: str, params: list[Any]) -> None:
        if cursor is not None:
            cursor.execute(self.statements[name], params)
            return
        with connection.cursor() as own:
            own.execute(self.statements[name], params)

    @staticmethod
    def _when(value: Any) -> Any:
        return connection.ops.adapt_datetimefield_value(value)

    def sent(self, pk: int, *, cursor: Any = None) -> None:
        self._run(cursor, "sent", [Status.SENT, self._when(timezone.now()), "", pk])
        self.report.sent += 1

    def submitted(self, pk: int, *, keep: timedelta, cursor: Any = None) -> None:
        """Handed to a service that reports later (a fax gateway): the lease becomes `keep`.

        The attempt is counted when the report comes (`sent`, `temporary`, `final`)."""
        self._run(cursor, "submitted", [self._when(timezone.now() + keep), pk])
        self.report.submitted += 1

    def temporary(self, pk: int, *, attempts: int, error: str, cursor: Any = None) -> str:
        """A failure that may pass, after `attempts` earlier tries: deferred, or given up."""
        wait = retry_after(attempts + 1)
        if wait is None:
            self.final(
                pk,
                Status.FAILED,
                f"gave up after {attempts + 1} attempts: {error}",
                cursor=cursor,
            )
            return Status.FAILED
        when = self._when(timezone.now() + wait)
        stored = addresses_masked(error)[:ERROR_MAX]
        self._run(cursor, "deferred", [Status.DEFERRED, when, stored, pk])
        self.report.deferred += 1
        self.report.errors.append(error)
        return Status.DEFERRED

    def final(
        self, pk: int, status: str, error: str, *, attempted: bool = True, cursor: Any = None
    ) -> None:
        """failed, bounced, cancelled or held; `attempted` counts one more try."""
        stored = addresses_masked(error)[:ERROR_MAX]
        self._run(cursor, "final", [status, int(attempted), stored, pk])
        counter = {Status.FAILED: "failed", Status.BOUNCED: "bounced", Status.HELD: "held"}.get(
            Status(status), "cancelled"
        )
        setattr(self.report, counter, getattr(self.report, counter) + 1)
