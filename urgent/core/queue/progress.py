"""Progress of a fan-out: counts of its rows by status, the recent rate and the time left."""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Count, QuerySet

from urgent.core.queue.models import QueueItem, Status


@dataclass(frozen=True)
class Progress:
    total: int = 0
    sent: int = 0
    failed: int = 0
    bounced: int = 0
    cancelled: int = 0
    queued: int = 0
    held: int = 0
    sending: int = 0
    deferred: int = 0
    per_second: float = 0.0

    @property
    def remaining(self) -> int:
        return self.queued + self.held + self.sending + self.deferred

    @property
    def finished(self) -> int:
        return self.total - self.remaining

    @property
    def percent(self) -> int:
        return int(100 * self.finished / self.total) if self.total else 100

    @property
    def seconds_left(self) -> int | None:
        if not self.remaining:
            return 0
        if self.per_second <= 0:
            return None
        return int(self.remaining / self.per_second) + 1

    def as_dict(self) -> dict[str, object]:
        return {
            "total": self.total,
            "sent": self.sent,
            "failed": self.failed,
            "bounced": self.bounced,
            "cancelled": self.cancelled,
            "remaining": self.remaining,
            "deferred": self.deferred,
            "held": self.held,
            "finished": self.finished,
            "percent": self.percent,
            "per_second": round(self.per_second, 1),
            "seconds_left": self.seconds_left,
        }


def progress_from_counts(counts: dict[str, int], per_second: float = 0.0) -> Progress:
    """A Progress from {status: rows}."""
    return Progress(
        total=sum(counts.values()),
        per_second=per_second,
        **{status.value: counts.get(status, 0) for status in Status},
    )


def queue_counts(rows: QuerySet[QueueItem]) -> dict[str, int]:
    """{status: rows} of a queryset of queue rows, in one grouped query."""
    grouped = rows.order_by().values_list("status").annotate(n=Count("pk"))
    return {status: n for status, n in grouped.values_list("status", "n")}
