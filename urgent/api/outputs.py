"""Cases as the API shows them: public pages' rules on names, absolute links."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from django.conf import settings
from django.urls import reverse
from django.utils.translation import gettext as _

from urgent.actions.models import Action, LetterDelivery
from urgent.cases.models import Case
from urgent.core.countries import country_name
from urgent.impact.selectors import CountRow, GroupRow, ImpactReport
from urgent.officials.models import Official


def _absolute(path: str) -> str:
    return settings.URGENT_BASE_URL.rstrip("/") + path


def api_index(*, prefix: str, endpoints: list[tuple[str, str, str]]) -> dict[str, Any]:
    return {
        "name": "Urgent API",
        "version": "1",
        "docs": _absolute(reverse("api-v1:openapi-view")),
        "openapi": _absolute(reverse("api-v1:openapi-json")),
        "endpoints": [
            {"method": method, "url": _absolute(path), "summary": summary}
            for method, path, summary in endpoints
        ],
        "staff": _(
            "Endpoints under %(prefix)s/staff/ need a token "
            "(urgent api_token create USERNAME --name NAME); the docs list them."
        )
        % {"prefix": prefix},
    }


def public_people(case: Case) -> list[dict[str, str]]:
    """Names as public pages show them: hidden people left out, none when the case hides names."""
    if case.hide_names:
        return []
    return [
        {"name": p.public_name, "pronouns": p.pronouns} for p in case.people.all() if p.public_name
    ]


def case_summary(case: Case) -> dict[str, Any]:
    return {
        "uuid": case.uuid,
        "reference": case.reference,
        "slug": case.slug,
        "headline": case.headline,
        "country": case.country,
        "country_name": country_name(case.country),
        "status": case.status,
        "issued_on": case.issued_on,
        "deadline": case.deadline,
        "language": case.language,
        "themes": [t.slug for t in case.themes.all()],
        "people": public_people(case),
        "action_count": getattr(case, "action_count", 0),
        "accepts_action": case.accepts_action,
        "published_at": case.published_at,
        "url": _absolute(reverse("case_detail", args=[case.slug])),
        "sheet_url": _absolute(reverse("case_sheet_pdf", args=[case.slug])),
    }


def case_detail(case: Case) -> dict[str, Any]:
    targets = [
        {
            "role": t.role,
            "salutation": t.effective_salutation,
            "official": {
                "uuid": t.official.uuid,
                "honorific": t.official.honorific,
                "name": t.official.name,
                "title": t.official.title,
                "organisation": t.official.organisation,
                "country": t.official.country,
            },
            "contact_points": [
                {"kind": p.kind, "value": p.value, "label": p.label, "health": p.health}
                for p in t.official.contact_points.all()
            ],
        }
        for t in case.targets.all()
    ]
    return {
        **case_summary(case),
        "index_number": case.index_number,
        "story": case.story,
        "background": case.background,
        "asks": [a.text for a in case.asks.all()],
        "targets": targets,
        "updates": [
            {
                "number": u.number,
                "title": u.title,
                "body": u.body,
                "issued_on": u.issued_on,
                "published_at": u.published_at,
            }
            for u in case.updates.all()
            if u.published_at is not None
        ],
        "outcomes": [
            {
                "kind": o.kind,
                "label": str(o.get_kind_display()),
                "positive": o.is_positive,
                "occurred_on": o.occurred_on,
                "summary": o.summary,
                "update_number": o.update.number if o.update_id and o.update else None,
            }
            for o in case.outcomes.all()
        ],
        "update_request": {
            "email": case.organisation.update_request_email,
            "subject": case.update_request,
        },
    }


def staff_case(case: Case) -> dict[str, Any]:
    return {
        **case_detail(case),
        "version": case.version,
        "actions_stopped": case.actions_stopped,
        "hide_names": case.hide_names,
        "all_people": [
            {"name": p.name, "pronouns": p.pronouns, "visibility": p.visibility}
            for p in case.people.all()
        ],
        "created_at": case.created_at,
        "updated_at": case.updated_at,
    }


def group_row(row: GroupRow) -> dict[str, Any]:
    return {
        "key": row.key,
        "label": row.label,
        "cases": row.cases,
        "actions": row.actions,
        "with_outcome": row.with_outcome,
        "positive": row.positive,
        "positive_share": row.share,
    }


def count_row(row: CountRow) -> dict[str, Any]:
    return {
        "key": row.key,
        "label": row.label,
        "count": row.count,
        "confirmed": row.confirmed,
        "positive": row.positive,
    }


def impact(report: ImpactReport) -> dict[str, Any]:
    return {
        "year": report.filters.year,
        "country": report.filters.country,
        "totals": group_row(report.totals),
        "by_year": [group_row(r) for r in report.by_year],
        "by_country": [group_row(r) for r in report.by_country],
        "actions_by_channel": [count_row(r) for r in report.channels],
        "outcomes_by_kind": [count_row(r) for r in report.outcomes],
    }


def page(
    *, request_path: str, query: dict[str, Any], count: int, limit: int, offset: int
) -> dict[str, Any]:
    """Paging fields: absolute next/previous links that keep the other filters."""

    def link(new_offset: int) -> str:
        params = {k: v for k, v in query.items() if v not in (None, "")}
        params.update({"limit": limit, "offset": new_offset})
        return _absolute(request_path) + "?" + urlencode(params)

    return {
        "count": count,
        "limit": limit,
        "offset": offset,
        "next": link(offset + limit) if offset + limit < count else None,
        "previous": link(max(offset - limit, 0)) if offset > 0 else None,
    }


def official(item: Official) -> dict[str, Any]:
    return {
        "uuid": item.uuid,
        "honorific": item.honorific,
        "name": item.name,
        "title": item.title,
        "organisation": item.organisation,
        "country": item.country,
        "salutation": item.salutation,
        "preferred_language": item.preferred_language,
        "contact_points": [
            {"kind": p.kind, "value": p.value, "label": p.label, "health": p.health}
            for p in item.contact_points.all()
        ],
    }


def case_stats(*, case: Case, stats: dict[str, Any]) -> dict[str, Any]:
    by_channel: dict[str, tuple[int, int]] = stats["by_channel"]
    deliveries: dict[str, int] = stats["deliveries"]
    return {
        "case": case.uuid,
        "actions": sum(n for n, _confirmed in by_channel.values()),
        "actions_by_channel": [
            {
                "key": value,
                "label": str(label),
                "count": by_channel[value][0],
                "confirmed": by_channel[value][1],
                "positive": None,
            }
            for value, label in Action.Channel.choices
            if value in by_channel
        ],
        "actions_by_day": [{"day": row["day"], "count": row["count"]} for row in stats["by_day"]],
        "deliveries_by_status": [
            {
                "key": value,
                "label": str(label),
                "count": deliveries[value],
                "confirmed": None,
                "positive": None,
            }
            for value, label in LetterDelivery.Status.choices
            if value in deliveries
        ],
        "official_replies": stats["replies"],
    }


def case_page(*, request_path: str, filters: Any, cases: Any) -> dict[str, Any]:
    """One page of a case list (public or staff), with its links and total."""
    count = cases.count()
    items = list(cases[filters.offset : filters.offset + filters.limit])
    return {
        **page(
            request_path=request_path,
            query=filters.dict(exclude={"limit", "offset"}),
            count=count,
            limit=filters.limit,
            offset=filters.offset,
        ),
        "items": [case_summary(c) for c in items],
    }
