"""Reads about mailings: progress for the staff page and the CLI, and what workers look for."""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from datetime import datetime, timedelta
from typing import Any

from django.db.models import Count, QuerySet
from django.utils import timezone

from urgent.core.queue import Progress, due, progress_from_counts, queue_counts
from urgent.mailings.models import Delivery, Mailing
from urgent.supporters.models import Supporter
from urgent.supporters.selectors import iso

RATE_WINDOW = timedelta(seconds=60)


def mailing_progress(*, mailing: Mailing, now: datetime | None = None) -> Progress:
    """Two queries, both on indexes: counts by status, and rows sent in the last minute."""
    now = now or timezone.now()
    counts = queue_counts(Delivery.objects.filter(mailing=mailing))
    per_second = 0.0
    if mailing.state == Mailing.State.SENDING:
        since = now - RATE_WINDOW
        recent = Delivery.objects.filter(mailing=mailing, sent_at__gte=since).count()
        window = RATE_WINDOW.total_seconds()
        if mailing.started_at and mailing.started_at > since:
            window = max(1.0, (now - mailing.started_at).total_seconds())
        per_second = recent / window
    return progress_from_counts(counts, per_second)


def mailing_progress_many(*, mailings: Iterable[Mailing]) -> dict[int, Progress]:
    """Progress of a page of mailings in one query (no rate)."""
    ids = [m.pk for m in mailings]
    counts: dict[int, dict[str, int]] = {pk: {} for pk in ids}
    rows = (
        Delivery.objects.filter(mailing_id__in=ids)
        .order_by()
        .values_list("mailing_id", "status")
        .annotate(n=Count("id"))
    )
    for mailing_id, status, n in rows:
        counts[mailing_id][status] = n
    return {pk: progress_from_counts(c) for pk, c in counts.items()}


def mailing_list() -> QuerySet[Mailing]:
    return Mailing.objects.order_by("-created_at").only(
        "id", "uuid", "name", "kind", "state", "created_at", "started_at", "finished_at"
    )


def mailing_get(*, ref: str) -> Mailing | None:
    """A mailing by number or UUID (what the CLI and URLs accept)."""
    ref = ref.strip()
    if ref.isdigit():
        return Mailing.objects.filter(pk=int(ref)).first()
    try:
        return Mailing.objects.filter(uuid=uuid.UUID(ref)).first()
    except ValueError:
        return None


def mailing_recent_problems(*, mailing: Mailing, limit: int = 20) -> list[tuple[str, str, str]]:
    """(status, supporter email, error) of the latest failed, bounced or deferred rows."""
    rows = (
        Delivery.objects.filter(
            mailing=mailing,
            status__in=[Delivery.Status.FAILED, Delivery.Status.BOUNCED, Delivery.Status.DEFERRED],
        )
        .order_by("-id")
        .values_list("status", "supporter__email", "error")[:limit]
    )
    return [(status, email or "", error) for status, email, error in rows]


def mailing_has_ready_rows(*, mailing_id: int, now: datetime | None = None) -> bool:
    now = now or timezone.now()
    return Delivery.objects.filter(
        due(now),
        mailing_id=mailing_id,
        mailing__state=Mailing.State.SENDING,
    ).exists()


def deliveries_since(*, since: datetime, kinds: Iterable[str] | None = None) -> QuerySet[Delivery]:
    """Deliveries made or on their way since a time (for frequency caps)."""
    rows = Delivery.objects.filter(
        mailing__started_at__gte=since,
        status__in=[
            Delivery.Status.QUEUED,
            Delivery.Status.SENDING,
            Delivery.Status.DEFERRED,
            Delivery.Status.SENT,
        ],
    )
    if kinds is not None:
        rows = rows.filter(mailing__kind__in=list(kinds))
    return rows


def supporter_mail_export(*, supporter: Supporter) -> list[dict[str, Any]]:
    """The mailings sent (or queued) to a supporter, for their right-of-access export."""
    return [
        {"mailing": d.mailing.name, "status": d.status, "sent_at": iso(d.sent_at)}
        for d in Delivery.objects.filter(supporter=supporter)
        .select_related("mailing")
        .order_by("id")
    ]
