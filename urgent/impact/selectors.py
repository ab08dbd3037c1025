"""Reads behind the impact pages, the stats API and their CSV files.

Every figure is counted against the case it belongs to: a case's year is the year it was
issued (or published, when it has no issue date), its country is the case's country, and
its actions and outcomes count in that year and country. So the tables of one report always
add up to the same totals, whichever way they are cut.

The network table adds, for each of our cases that sections adopted and re-issued, the
numbers each section reported (urgent.federation): aggregates only, never who.

A case "has a positive outcome" when at least one of its recorded outcomes is of a kind in
`Outcome.POSITIVE` (released, charges dropped, ...). The share is taken over the cases
issued, not only the closed ones: a case still open counts as one without a positive
outcome yet.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

from django.db.models import Count, Exists, IntegerField, OuterRef, Q, QuerySet
from django.db.models.functions import Coalesce, ExtractYear
from django.utils.translation import gettext as _

from urgent.actions.models import Action, LetterDelivery
from urgent.cases.models import Case, Outcome
from urgent.core.countries import country_name
from urgent.federation.selectors import NetworkCounts, network_counts_many

PUBLISHED = (Case.Status.ACTIVE, Case.Status.CLOSED)


@dataclass(frozen=True)
class ImpactFilters:
    year: int | None = None
    country: str | None = None


@dataclass(frozen=True)
class GroupRow:
    """One year or one country: cases issued, actions, cases with a positive outcome."""

    key: str
    label: str
    cases: int
    actions: int
    positive: int
    with_outcome: int

    @property
    def share(self) -> float | None:
        """Percentage of the cases with a positive outcome; None when there are no cases."""
        return round(100 * self.positive / self.cases, 1) if self.cases else None


@dataclass(frozen=True)
class CountRow:
    key: str
    label: str
    count: int
    # Channels: of `count`, how many Urgent delivered itself (the rest were self-reported).
    confirmed: int | None = None
    # Outcomes: whether the kind counts as positive.
    positive: bool | None = None


@dataclass(frozen=True)
class ImpactReport:
    filters: ImpactFilters
    by_year: list[GroupRow]
    by_country: list[GroupRow]
    channels: list[CountRow]
    outcomes: list[CountRow]
    drafts: int | None = None
    deliveries: list[CountRow] = field(default_factory=list)

    @property
    def totals(self) -> GroupRow:
        rows = self.by_year
        return GroupRow(
            key="all",
            label=_("All"),
            cases=sum(r.cases for r in rows),
            actions=sum(r.actions for r in rows),
            positive=sum(r.positive for r in rows),
            with_outcome=sum(r.with_outcome for r in rows),
        )


def _case_year() -> Coalesce:
    return Coalesce(
        ExtractYear("issued_on"),
        ExtractYear("published_at"),
        ExtractYear("created_at"),
        output_field=IntegerField(),
    )


def impact_cases(*, filters: ImpactFilters = ImpactFilters()) -> QuerySet[Case]:
    """Published cases (active or closed), each annotated with its year."""
    cases = Case.objects.filter(status__in=PUBLISHED).annotate(year=_case_year())
    if filters.year:
        cases = cases.filter(year=filters.year)
    if filters.country:
        cases = cases.filter(country=filters.country.upper())
    return cases


def _actions(filters: ImpactFilters) -> QuerySet[Action]:
    return Action.objects.filter(case__in=impact_cases(filters=filters).values("pk"))


def _grouped(filters: ImpactFilters, key: str) -> tuple[list[dict[str, object]], dict[object, int]]:
    positive = Outcome.objects.filter(case=OuterRef("pk"), kind__in=Outcome.POSITIVE)
    any_outcome = Outcome.objects.filter(case=OuterRef("pk"))
    rows = list(
        impact_cases(filters=filters)
        .annotate(has_positive=Exists(positive), has_outcome=Exists(any_outcome))
        .values(key)
        .annotate(
            cases=Count("pk"),
            positive=Count("pk", filter=Q(has_positive=True)),
            with_outcome=Count("pk", filter=Q(has_outcome=True)),
        )
        .order_by(key)
    )
    action_key = "case_year" if key == "year" else "case__country"
    actions = (
        _actions(filters)
        .annotate(
            case_year=Coalesce(
                ExtractYear("case__issued_on"),
                ExtractYear("case__published_at"),
                ExtractYear("case__created_at"),
                output_field=IntegerField(),
            )
        )
        .values(action_key)
        .annotate(n=Count("pk"))
        .order_by()
    )
    return rows, {a[action_key]: int(a["n"]) for a in actions}


def impact_by_year(*, filters: ImpactFilters = ImpactFilters()) -> list[GroupRow]:
    rows, actions = _grouped(filters, "year")
    return [
        GroupRow(
            key=str(r["year"]),
            label=str(r["year"]),
            cases=int(r["cases"]),  # type: ignore[call-overload]
            actions=actions.get(r["year"], 0),
            positive=int(r["positive"]),  # type: ignore[call-overload]
            with_outcome=int(r["with_outcome"]),  # type: ignore[call-overload]
        )
        for r in rows
    ]


def impact_by_country(
    *, filters: ImpactFilters = ImpactFilters(), language: str = "en"
) -> list[GroupRow]:
    rows, actions = _grouped(filters, "country")
    out = [
        GroupRow(
            key=str(r["country"]),
            label=country_name(str(r["country"]), language),
            cases=int(r["cases"]),  # type: ignore[call-overload]
            actions=actions.get(r["country"], 0),
            positive=int(r["positive"]),  # type: ignore[call-overload]
            with_outcome=int(r["with_outcome"]),  # type: ignore[call-overload]
        )
        for r in rows
    ]
    return sorted(out, key=lambda r: (-r.cases, r.label))


def impact_actions_by_channel(*, filters: ImpactFilters = ImpactFilters()) -> list[CountRow]:
    counts = {
        row["channel"]: (int(row["n"]), int(row["confirmed"]))
        for row in _actions(filters)
        .values("channel")
        .annotate(n=Count("pk"), confirmed=Count("pk", filter=Q(confirmed=True)))
        .order_by()
    }
    return [
        CountRow(key=value, label=str(label), count=counts[value][0], confirmed=counts[value][1])
        for value, label in Action.Channel.choices
        if value in counts
    ]


def impact_outcomes_by_kind(*, filters: ImpactFilters = ImpactFilters()) -> list[CountRow]:
    counts = dict(
        Outcome.objects.filter(case__in=impact_cases(filters=filters).values("pk"))
        .values_list("kind")
        .annotate(n=Count("pk"))
        .order_by()
    )
    return [
        CountRow(
            key=value, label=str(label), count=counts[value], positive=value in Outcome.POSITIVE
        )
        for value, label in Outcome.Kind.choices
        if value in counts
    ]


def impact_deliveries_by_status(*, filters: ImpactFilters = ImpactFilters()) -> list[CountRow]:
    counts = dict(
        LetterDelivery.objects.filter(case__in=impact_cases(filters=filters).values("pk"))
        .values_list("status")
        .annotate(n=Count("pk"))
        .order_by()
    )
    return [
        CountRow(key=value, label=str(label), count=counts[value])
        for value, label in LetterDelivery.Status.choices
        if value in counts
    ]


def impact_report(
    *, filters: ImpactFilters = ImpactFilters(), language: str = "en", staff: bool = False
) -> ImpactReport:
    """All tables of the impact page; the staff version adds drafts and deliveries."""
    drafts = None
    deliveries: list[CountRow] = []
    if staff:
        draft_cases = Case.objects.filter(status=Case.Status.DRAFT)
        if filters.country:
            draft_cases = draft_cases.filter(country=filters.country.upper())
        drafts = draft_cases.count()
        deliveries = impact_deliveries_by_status(filters=filters)
    return ImpactReport(
        filters=filters,
        by_year=impact_by_year(filters=filters),
        by_country=impact_by_country(filters=filters, language=language),
        channels=impact_actions_by_channel(filters=filters),
        outcomes=impact_outcomes_by_kind(filters=filters),
        drafts=drafts,
        deliveries=deliveries,
    )


def impact_years() -> list[int]:
    """Years that have published cases, newest first (for the filter)."""
    # "year" is the annotation impact_cases() adds, which the type checker cannot see.
    years = impact_cases().values_list("year", flat=True).distinct().order_by("-year")  # type: ignore[misc]
    return [int(y) for y in years if y is not None]


def impact_countries() -> list[str]:
    return list(
        Case.objects.filter(status__in=PUBLISHED)
        .order_by("country")
        .values_list("country", flat=True)
        .distinct()
    )


def impact_filters_clean(
    *, year: str | None, country: str | None, years: Sequence[int], countries: Sequence[str]
) -> ImpactFilters:
    """Filters from a URL anyone can edit: an unknown value is ignored, never an error."""
    year_value = int(year) if year and year.isdigit() and int(year) in years else None
    country_value = (country or "").strip().upper()
    return ImpactFilters(
        year=year_value, country=country_value if country_value in countries else None
    )


@dataclass(frozen=True)
class NetworkRow:
    """One organisation's figures for one case (ours, a section's, or the sum)."""

    name: str
    actions: int
    channels: list[int]
    letters_delivered: int
    replies_received: int
    supporters_reached: int


@dataclass(frozen=True)
class NetworkCase:
    case: Case
    own: NetworkRow
    sections: list[NetworkRow]
    total: NetworkRow


@dataclass(frozen=True)
class NetworkReport:
    """Our cases that sections reported on; `channels` are the columns every row fills."""

    channels: list[tuple[str, str]]
    cases: list[NetworkCase]

    @property
    def actions(self) -> int:
        return sum(c.total.actions for c in self.cases)


def _network_case(case: Case, counts: NetworkCounts, channels: list[str]) -> NetworkCase:
    own = NetworkRow(
        name=case.organisation.name,
        actions=counts.own_actions,
        channels=[counts.own.by_channel.get(c, 0) for c in channels],
        letters_delivered=counts.own.letters_delivered,
        replies_received=counts.own.replies_received,
        supporters_reached=counts.own.supporters_reached,
    )
    sections = [
        NetworkRow(
            name=s.instance.name,
            actions=s.actions,
            channels=[int(s.by_channel.get(c, 0)) for c in channels],
            letters_delivered=s.letters_delivered,
            replies_received=s.replies_received,
            supporters_reached=s.supporters_reached,
        )
        for s in counts.sections
    ]
    rows = [own, *sections]
    total = NetworkRow(
        name=_("Whole network"),
        actions=counts.actions,
        channels=[sum(r.channels[i] for r in rows) for i in range(len(channels))],
        letters_delivered=counts.letters_delivered,
        replies_received=counts.replies_received,
        supporters_reached=counts.supporters_reached,
    )
    return NetworkCase(case=case, own=own, sections=sections, total=total)


def impact_network(*, filters: ImpactFilters = ImpactFilters()) -> NetworkReport:
    """Network totals and a row per section for each of our published cases that sections
    reported counts for (a fixed number of queries, however many sections)."""
    found = network_counts_many(cases=impact_cases(filters=filters))
    used: set[str] = set()
    for _case, counts in found:
        used.update(k for k, v in counts.own.by_channel.items() if v)
        used.update(k for s in counts.sections for k, v in s.by_channel.items() if v)
    channels = [(value, str(label)) for value, label in Action.Channel.choices if value in used]
    keys = [key for key, _label in channels]
    return NetworkReport(
        channels=channels, cases=[_network_case(case, counts, keys) for case, counts in found]
    )
