"""Reads only the API makes: a case's actions and figures for the staff endpoints.

Lists and lookups the pages and the workspace share are the owning apps' selectors
(urgent.cases.selectors.case_search, urgent.officials.selectors.official_search, ...).
"""

from __future__ import annotations

import datetime

from django.db.models import Count, Q, QuerySet
from django.db.models.functions import TruncDate

from urgent.actions.models import Action, LetterDelivery, OfficialReply
from urgent.cases.models import Case


def api_case_actions(
    *, case: Case, channel: str | None = None, confirmed: bool | None = None
) -> QuerySet[Action]:
    actions = (
        Action.objects.filter(case=case)
        .prefetch_related("officials")
        .order_by("-created_at", "-id")
    )
    if channel:
        actions = actions.filter(channel=channel)
    if confirmed is not None:
        actions = actions.filter(confirmed=confirmed)
    return actions


def api_case_stats(*, case: Case, days: int = 30) -> dict[str, object]:
    since = datetime.datetime.now(tz=datetime.UTC) - datetime.timedelta(days=days)
    by_channel = {
        row["channel"]: (int(row["n"]), int(row["confirmed"]))
        for row in Action.objects.filter(case=case)
        .values("channel")
        .annotate(n=Count("pk"), confirmed=Count("pk", filter=Q(confirmed=True)))
        .order_by()
    }
    by_day = list(
        Action.objects.filter(case=case, created_at__gte=since)
        .annotate(day=TruncDate("created_at"))
        .values("day")
        .annotate(count=Count("pk"))
        .order_by("day")
    )
    deliveries = dict(
        LetterDelivery.objects.filter(case=case)
        .values_list("status")
        .annotate(n=Count("pk"))
        .order_by()
    )
    return {
        "by_channel": by_channel,
        "by_day": by_day,
        "deliveries": deliveries,
        "replies": OfficialReply.objects.filter(case=case).count(),
    }
