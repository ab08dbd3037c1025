"""The impact pages (public and staff) and their CSV downloads."""

from __future__ import annotations

import csv
import io
from collections.abc import Callable, Sequence
from typing import Any

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.html import format_html
from django.utils.safestring import SafeString
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.cache import cache_control
from django.views.decorators.http import require_GET

from urgent.core.access import staff_required
from urgent.core.charts import Bar, bar_chart
from urgent.core.countries import country_name
from urgent.core.roles import VIEW
from urgent.impact.selectors import (
    CountRow,
    GroupRow,
    ImpactReport,
    impact_countries,
    impact_filters_clean,
    impact_network,
    impact_report,
    impact_years,
)

PUBLIC_TABLES = ("years", "countries", "channels", "outcomes")
STAFF_TABLES = (*PUBLIC_TABLES, "deliveries")


def _percent(value: float | None) -> str:
    return "–" if value is None else f"{value:g} %"


def _report(request: HttpRequest, *, staff: bool) -> tuple[ImpactReport, dict[str, Any]]:
    language = get_language() or "en"
    years = impact_years()
    countries = impact_countries()
    filters = impact_filters_clean(
        year=request.GET.get("year"),
        country=request.GET.get("country"),
        years=years,
        countries=countries,
    )
    report = impact_report(filters=filters, language=language, staff=staff)
    choices = {
        "years": years,
        "countries": sorted(
            ((code, country_name(code, language)) for code in countries), key=lambda p: p[1]
        ),
    }
    return report, choices


def _figure(svg: SafeString, title: str) -> SafeString:
    """The chart under a visible caption (hidden from screen readers: the SVG has the name)."""
    if not svg:
        return svg
    return format_html(
        '<figure class="chart-figure"><figcaption aria-hidden="true">{}</figcaption>{}</figure>',
        title,
        svg,
    )


def _charts(report: ImpactReport) -> dict[str, SafeString]:
    def shares(rows: Sequence[GroupRow]) -> list[Bar]:
        return [Bar(r.label, r.share or 0, _percent(r.share)) for r in rows]

    specs: list[tuple[str, str, list[Bar], float | None]] = [
        (
            "cases_by_year",
            _("Cases issued per year"),
            [Bar(r.label, r.cases) for r in report.by_year],
            None,
        ),
        (
            "share_by_year",
            _("Share of cases with a positive outcome, per year"),
            shares(report.by_year),
            100,
        ),
        (
            "cases_by_country",
            _("Cases issued per country"),
            [Bar(r.label, r.cases) for r in report.by_country],
            None,
        ),
        (
            "share_by_country",
            _("Share of cases with a positive outcome, per country"),
            shares(report.by_country),
            100,
        ),
        (
            "channels",
            _("Actions by channel"),
            [Bar(r.label, r.count) for r in report.channels],
            None,
        ),
        ("outcomes", _("Outcomes by type"), [Bar(r.label, r.count) for r in report.outcomes], None),
        (
            "deliveries",
            _("Letters to officials by delivery status"),
            [Bar(r.label, r.count) for r in report.deliveries],
            None,
        ),
    ]
    charts = {}
    for key, title, bars, top in specs:
        svg = bar_chart(
            chart_id="chart-" + key.replace("_", "-"), title=title, bars=bars, max_value=top
        )
        charts[key] = _figure(svg, title)
    return charts


def _page(request: HttpRequest, *, staff: bool, template: str) -> HttpResponse:
    report, choices = _report(request, staff=staff)
    query = request.GET.copy()
    for key in list(query):
        if key not in {"year", "country"}:
            del query[key]
    return render(
        request,
        template,
        {
            "report": report,
            "totals": report.totals,
            "network": impact_network(filters=report.filters),
            "charts": _charts(report),
            "choices": choices,
            "query": query.urlencode(),
            "csv_url": "impact_staff_csv" if staff else "impact_csv",
            "staff": staff,
        },
    )


@require_GET
@cache_control(public=True, max_age=300)
def impact_public(request: HttpRequest) -> HttpResponse:
    return _page(request, staff=False, template="impact/impact.html")


@staff_required(VIEW)
@require_GET
def impact_staff(request: HttpRequest) -> HttpResponse:
    return _page(request, staff=True, template="impact/impact_staff.html")


# ---------------------------------------------------------------------------
# CSV


def csv_cell(value: object) -> object:
    """A cell a spreadsheet will not run: text starting with = + - @ (or a tab/CR) is quoted."""
    if isinstance(value, str) and value[:1] in {"=", "+", "-", "@", "\t", "\r"}:
        return "'" + value
    return value


def _group_rows(rows: Sequence[GroupRow], first: str) -> list[list[object]]:
    header: list[object] = [
        first,
        "label",
        "cases_issued",
        "actions",
        "cases_with_outcome",
        "cases_with_positive_outcome",
        "positive_share_percent",
    ]
    return [header] + [
        [r.key, r.label, r.cases, r.actions, r.with_outcome, r.positive, r.share or 0] for r in rows
    ]


def _count_rows(rows: Sequence[CountRow], first: str, extra: str = "") -> list[list[object]]:
    header: list[object] = [first, "label", "count"]
    if extra:
        header.append(extra)
    out = [header]
    for r in rows:
        row: list[object] = [r.key, r.label, r.count]
        if extra == "confirmed":
            row.append(r.confirmed or 0)
        elif extra == "positive":
            row.append("yes" if r.positive else "no")
        out.append(row)
    return out


TABLES: dict[str, Callable[[ImpactReport], list[list[object]]]] = {
    "years": lambda rep: _group_rows(rep.by_year, "year"),
    "countries": lambda rep: _group_rows(rep.by_country, "country"),
    "channels": lambda rep: _count_rows(rep.channels, "channel", "confirmed"),
    "outcomes": lambda rep: _count_rows(rep.outcomes, "outcome", "positive"),
    "deliveries": lambda rep: _count_rows(rep.deliveries, "status"),
}


def _csv(request: HttpRequest, table: str, *, staff: bool) -> HttpResponse:
    if table not in (STAFF_TABLES if staff else PUBLIC_TABLES):
        raise Http404("No such table.")
    report, _choices = _report(request, staff=staff)
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    for row in TABLES[table](report):
        writer.writerow([csv_cell(cell) for cell in row])
    suffix = "".join(f"-{part}" for part in (report.filters.year, report.filters.country) if part)
    # A byte-order mark so spreadsheet programs read the names as UTF-8.
    response = HttpResponse("\ufeff" + buffer.getvalue(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="urgent-impact-{table}{suffix}.csv"'
    return response


@require_GET
@cache_control(public=True, max_age=300)
def impact_csv(request: HttpRequest, table: str) -> HttpResponse:
    return _csv(request, table, staff=False)


@staff_required(VIEW)
@require_GET
def impact_staff_csv(request: HttpRequest, table: str) -> HttpResponse:
    return _csv(request, table, staff=True)
