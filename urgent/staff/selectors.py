"""What the staff dashboard shows, read in a fixed number of queries."""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from typing import Any

from django.db.models import Count, Q
from django.db.models.functions import TruncDate
from django.utils import timezone

from urgent.actions.models import Action, LetterDelivery, OfficialReply
from urgent.cases.models import Case
from urgent.mailings.models import Delivery, Mailing
from urgent.officials.models import ContactPoint


@dataclass(frozen=True)
class MailingProgress:
    mailing: Mailing
    sent: int
    failed: int
    remaining: int

    @property
    def total(self) -> int:
        return self.sent + self.failed + self.remaining


def dashboard_data(*, days: int = 30) -> dict[str, Any]:
    today = timezone.localdate()
    since = timezone.now() - datetime.timedelta(days=days)
    active = list(
        Case.objects.filter(status=Case.Status.ACTIVE)
        .annotate(action_count=Count("actions", distinct=True))
        .order_by("deadline", "id")
    )
    drafts = list(Case.objects.filter(status=Case.Status.DRAFT).order_by("-updated_at")[:10])
    per_day = dict(
        Action.objects.filter(created_at__gte=since)
        .annotate(day=TruncDate("created_at"))
        .values_list("day")
        .annotate(n=Count("id"))
        .values_list("day", "n")
    )
    actions_per_day = [
        (day, per_day.get(day, 0))
        for day in (today - datetime.timedelta(days=n) for n in range(days - 1, -1, -1))
    ]
    deliveries = dict(
        LetterDelivery.objects.values_list("status")
        .annotate(n=Count("id"))
        .values_list("status", "n")
    )
    to_fix = list(
        ContactPoint.objects.exclude(health=ContactPoint.Health.OK)
        .select_related("official")
        .order_by("-updated_at")[:20]
    )
    replies = list(OfficialReply.objects.select_related("case", "official")[:10])
    running = list(
        Mailing.objects.filter(state__in=[Mailing.State.SENDING, Mailing.State.PAUSED]).annotate(
            sent=Count("deliveries", filter=Q(deliveries__status=Delivery.Status.SENT)),
            failed=Count(
                "deliveries",
                filter=Q(deliveries__status__in=[Delivery.Status.FAILED, Delivery.Status.BOUNCED]),
            ),
            all_rows=Count("deliveries"),
        )[:10]
    )
    mailings = [
        MailingProgress(
            mailing=m,
            sent=m.sent,
            failed=m.failed,
            remaining=m.all_rows - m.sent - m.failed,
        )
        for m in running
    ]
    return {
        "active_cases": active,
        "drafts": drafts,
        "actions_per_day": actions_per_day,
        "actions_total": sum(n for _day, n in actions_per_day),
        "deliveries": [
            (label, deliveries.get(value, 0)) for value, label in LetterDelivery.Status.choices
        ],
        "contact_points_to_fix": to_fix,
        "replies": replies,
        "mailings": mailings,
        "today": today,
    }
