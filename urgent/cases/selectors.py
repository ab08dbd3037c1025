"""Reads of cases for public pages and staff views."""

from __future__ import annotations

from django.db.models import Count, Exists, OuterRef, Prefetch, QuerySet

from urgent.cases.models import Case, CaseEvent, CaseEventHandled, CaseTarget, Theme, Update
from urgent.officials.models import ContactPoint


def case_list_active(*, country: str | None = None, theme: str | None = None) -> QuerySet[Case]:
    cases = (
        Case.objects.filter(status=Case.Status.ACTIVE)
        .select_related("organisation")
        .prefetch_related("themes", "people")
        .annotate(action_count=Count("actions", distinct=True))
        .order_by("deadline", "-issued_on", "id")
    )
    if country:
        cases = cases.filter(country=country.upper())
    if theme:
        cases = cases.filter(themes__slug=theme)
    return cases


def case_countries_active() -> list[str]:
    return list(
        Case.objects.filter(status=Case.Status.ACTIVE)
        .order_by("country")
        .values_list("country", flat=True)
        .distinct()
    )


def theme_list_active() -> QuerySet[Theme]:
    return Theme.objects.filter(cases__status=Case.Status.ACTIVE).distinct().order_by("name")


def case_get_public(*, slug: str) -> Case | None:
    """A published (active or closed) case with everything its public page shows."""
    targets = CaseTarget.objects.select_related("official").prefetch_related(
        Prefetch(
            "official__contact_points",
            queryset=ContactPoint.objects.exclude(health=ContactPoint.Health.DEAD),
        )
    )
    return (
        Case.objects.filter(slug=slug, status__in=[Case.Status.ACTIVE, Case.Status.CLOSED])
        .select_related("organisation")
        .prefetch_related(
            "themes",
            "people",
            "asks",
            "outcomes",
            Prefetch("targets", queryset=targets),
            Prefetch("updates", queryset=Update.objects.filter(published_at__isnull=False)),
        )
        .annotate(action_count=Count("actions", distinct=True))
        .first()
    )


def case_events_pending(*, consumer: str, limit: int = 100) -> list[CaseEvent]:
    """The oldest events `consumer` has not handled yet, with their case, update, outcome."""
    handled = CaseEventHandled.objects.filter(event=OuterRef("pk"), consumer=consumer)
    return list(
        CaseEvent.objects.filter(~Exists(handled))
        .select_related("case", "update", "outcome")
        .order_by("id")[:limit]
    )
