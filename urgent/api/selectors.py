"""Reads the API needs beyond the public pages' selectors (urgent.cases.selectors)."""

from __future__ import annotations

import datetime
import uuid

from django.db.models import Count, Prefetch, Q, QuerySet
from django.db.models.functions import TruncDate

from urgent.actions.models import Action, LetterDelivery, OfficialReply
from urgent.cases.models import Case, CaseTarget, Outcome, Update
from urgent.core.errors import ApplicationError
from urgent.core.models import Organisation
from urgent.officials.models import ContactPoint, Official

PUBLISHED = (Case.Status.ACTIVE, Case.Status.CLOSED)


def api_case_list(
    *,
    statuses: tuple[str, ...] = PUBLISHED,
    country: str | None = None,
    theme: str | None = None,
    search: str | None = None,
) -> QuerySet[Case]:
    cases = (
        Case.objects.filter(status__in=statuses)
        .select_related("organisation")
        .prefetch_related("themes", "people")
        .annotate(action_count=Count("actions", distinct=True))
        .order_by("-published_at", "-created_at", "-id")
    )
    if country:
        cases = cases.filter(country=country.upper())
    if theme:
        cases = cases.filter(themes__slug=theme)
    if search:
        cases = cases.filter(
            Q(headline__icontains=search)
            | Q(reference__icontains=search)
            | Q(index_number__icontains=search)
        )
    return cases


def api_case_get_staff(*, case_uuid: uuid.UUID) -> Case | None:
    """Any case, draft or not, with everything the staff detail shows (dead contacts too)."""
    targets = CaseTarget.objects.select_related("official").prefetch_related(
        Prefetch("official__contact_points", queryset=ContactPoint.objects.all())
    )
    return (
        Case.objects.filter(uuid=case_uuid)
        .select_related("organisation")
        .prefetch_related(
            "themes",
            "people",
            "asks",
            Prefetch("outcomes", queryset=Outcome.objects.select_related("update")),
            Prefetch("targets", queryset=targets),
            "updates",
        )
        .annotate(action_count=Count("actions", distinct=True))
        .first()
    )


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


def api_update_get(*, case: Case, number: int) -> Update | None:
    return Update.objects.filter(case=case, number=number).first()


def api_official_get(*, official_uuid: uuid.UUID) -> Official | None:
    return Official.objects.filter(uuid=official_uuid).first()


def api_officials(*, search: str | None = None, country: str | None = None) -> QuerySet[Official]:
    officials = Official.objects.prefetch_related("contact_points").order_by(
        "country", "name", "title", "id"
    )
    if country:
        officials = officials.filter(country=country.upper())
    if search:
        officials = officials.filter(
            Q(name__icontains=search)
            | Q(title__icontains=search)
            | Q(organisation__icontains=search)
        )
    return officials


def api_organisation_default() -> Organisation:
    """The organisation new cases belong to: the instance's first (usually only) one."""
    organisation = Organisation.objects.order_by("id").first()
    if organisation is None:
        raise ApplicationError(
            "No organisation exists yet: create one in the admin (or run `urgent demo`) first.",
            code="no_organisation",
        )
    return organisation
