"""Staff endpoints behind an API token: cases from draft to closed, actions and stats.

Every write goes through urgent.cases.services, as the workspace's forms do, so the two
can never disagree: the services check the role themselves, write the same audit entries
and the same events. A token's role is also checked here first, before the body is read.
"""

from __future__ import annotations

import uuid
from typing import Any, Literal

from django.db import IntegrityError, transaction
from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Query, Router, Schema, Status
from pydantic import Field

from urgent.api import outputs
from urgent.api.auth import edit_auth, publish_auth, view_auth
from urgent.api.schemas import (
    ActionPageOut,
    CaseIn,
    CasePatchIn,
    CaseStatsOut,
    Channel,
    CloseIn,
    CountryCode,
    ErrorOut,
    OfficialPageOut,
    SearchText,
    StaffCaseOut,
    StaffCasePageOut,
    StatsOut,
    TargetIn,
    UpdateIn,
    UpdateOut,
)
from urgent.api.selectors import api_case_actions, api_case_stats
from urgent.cases import services
from urgent.cases.models import Case, Theme
from urgent.cases.selectors import case_get_staff, case_search, update_get
from urgent.core.errors import ApplicationError, NotFound
from urgent.core.selectors import organisation_default
from urgent.impact.selectors import CountRow, ImpactFilters, impact_report
from urgent.officials.selectors import official_get, official_search

router = Router(auth=view_auth, tags=["Staff"])

AUTH_ERRORS: dict[int, Any] = {401: ErrorOut, 403: ErrorOut, 422: ErrorOut, 429: ErrorOut}
CASE_ERRORS: dict[int, Any] = {**AUTH_ERRORS, 404: ErrorOut}
WRITE_ERRORS: dict[int, Any] = {**CASE_ERRORS, 400: ErrorOut, 409: ErrorOut}


def _case(case_id: uuid.UUID) -> Case:
    case = case_get_staff(case_uuid=case_id)
    if case is None:
        raise NotFound(_("No case has this id."))
    return case


def _themes(slugs: list[str]) -> list[Theme]:
    themes = list(Theme.objects.filter(slug__in=slugs))
    unknown = sorted(set(slugs) - {t.slug for t in themes})
    if unknown:
        raise ApplicationError(
            _("Unknown themes: %(slugs)s.") % {"slugs": ", ".join(unknown)},
            code="invalid",
            fields={"themes": [_("Unknown theme: %(slug)s.") % {"slug": s} for s in unknown]},
        )
    return themes


# ---------------------------------------------------------------------------
# Cases


class StaffCaseFilters(Schema):
    status: Literal["draft", "active", "closed"] | None = None
    country: CountryCode | None = None
    q: SearchText | None = Field(
        None, description="Words in the reference, index number, headline or a person's name."
    )
    limit: int = Field(20, ge=1, le=100)
    offset: int = Field(0, ge=0, le=1_000_000)


@router.get(
    "/cases",
    response={200: StaffCasePageOut, **AUTH_ERRORS},
    summary="List all cases, drafts included",
    operation_id="staff_cases_list",
)
def staff_cases_list(request: HttpRequest, filters: Query[StaffCaseFilters]) -> dict[str, Any]:
    statuses = (filters.status,) if filters.status else ("draft", "active", "closed")
    cases = case_search(statuses=statuses, country=filters.country, text=filters.q, people=True)
    return outputs.case_page(request_path=request.path, filters=filters, cases=cases)


@router.post(
    "/cases",
    response={201: StaffCaseOut, **WRITE_ERRORS},
    summary="Create a draft case",
    operation_id="staff_cases_create",
    auth=edit_auth,
)
def staff_cases_create(request: HttpRequest, payload: CaseIn) -> Status[dict[str, Any]]:
    """A draft with its people, asks, themes and targets (officials from the directory)."""
    user = request.auth  # type: ignore[attr-defined]
    organisation = organisation_default()
    data = payload.dict()
    themes = _themes(data.pop("themes"))
    targets = data.pop("targets")
    with transaction.atomic():
        case = services.case_create(
            organisation=organisation,
            actor=user,
            people=data.pop("people"),
            asks=data.pop("asks"),
            themes=themes,
            **data,
        )
        for target in targets:
            _target_add(case=case, user=user, target=target)
    return Status(201, outputs.staff_case(_case(case.uuid)))


@router.get(
    "/cases/{case_id}",
    response={200: StaffCaseOut, **CASE_ERRORS},
    summary="One case, any status",
    operation_id="staff_cases_detail",
)
def staff_cases_detail(request: HttpRequest, case_id: uuid.UUID) -> dict[str, Any]:
    return outputs.staff_case(_case(case_id))


@router.patch(
    "/cases/{case_id}",
    response={200: StaffCaseOut, **WRITE_ERRORS},
    summary="Change a case",
    operation_id="staff_cases_update",
    auth=edit_auth,
)
def staff_cases_update(
    request: HttpRequest, case_id: uuid.UUID, payload: CasePatchIn
) -> dict[str, Any]:
    """Send `expected_version` from your last read: 409 if someone saved the case since."""
    user = request.auth  # type: ignore[attr-defined]
    case = _case(case_id)
    data = payload.dict(exclude_unset=True)
    expected = data.pop("expected_version")
    people = data.pop("people", None)
    asks = data.pop("asks", None)
    for key in ("reference", "headline", "country"):
        if key in data and data[key] is None:
            raise ApplicationError(
                _("%(field)s cannot be empty.") % {"field": key},
                fields={key: [_("This field cannot be empty.")]},
            )
    for key in ("story", "background", "index_number", "update_request_subject", "language"):
        if key in data and data[key] is None:
            data[key] = "en" if key == "language" else ""
    try:
        with transaction.atomic():
            services.case_update(case=case, actor=user, expected_version=expected, data=data)
            if people is not None:
                services.case_people_set(case=case, actor=user, people=people)
            if asks is not None:
                services.case_asks_set(case=case, actor=user, asks=asks)
    except IntegrityError as exc:
        # case_update leaves uniqueness to the database: the only unique field a patch can
        # change is the reference.
        raise ApplicationError(
            _("A case with the reference %(ref)s already exists.") % {"ref": data.get("reference")},
            code="duplicate_reference",
            fields={"reference": [_("This reference is already used.")]},
        ) from exc
    return outputs.staff_case(_case(case_id))


@router.post(
    "/cases/{case_id}/targets",
    response={201: StaffCaseOut, **WRITE_ERRORS},
    summary="Add an official to a case",
    operation_id="staff_cases_target_add",
    auth=edit_auth,
)
def staff_cases_target_add(
    request: HttpRequest, case_id: uuid.UUID, payload: TargetIn
) -> Status[dict[str, Any]]:
    user = request.auth  # type: ignore[attr-defined]
    case = _case(case_id)
    _target_add(case=case, user=user, target=payload.dict())
    return Status(201, outputs.staff_case(_case(case_id)))


@router.delete(
    "/cases/{case_id}/targets/{official_id}",
    response={200: StaffCaseOut, **WRITE_ERRORS},
    summary="Remove an official from a case",
    operation_id="staff_cases_target_remove",
    auth=edit_auth,
)
def staff_cases_target_remove(
    request: HttpRequest, case_id: uuid.UUID, official_id: uuid.UUID
) -> dict[str, Any]:
    user = request.auth  # type: ignore[attr-defined]
    case = _case(case_id)
    target = next((t for t in case.targets.all() if t.official.uuid == official_id), None)
    if target is None:
        raise NotFound(_("This official is not a target of this case."))
    services.case_target_remove(target=target, actor=user)
    return outputs.staff_case(_case(case_id))


def _target_add(*, case: Case, user: Any, target: dict[str, Any]) -> None:
    official = official_get(official_uuid=target["official"])
    if official is None:
        raise ApplicationError(
            _("No official has the id %(id)s.") % {"id": target["official"]},
            fields={"targets": [_("Unknown official: %(id)s.") % {"id": target["official"]}]},
        )
    services.case_target_add(
        case=case,
        actor=user,
        official=official,
        role=target["role"],
        salutation=target.get("salutation") or "",
    )


@router.post(
    "/cases/{case_id}/publish",
    response={200: StaffCaseOut, **WRITE_ERRORS},
    summary="Publish a draft",
    operation_id="staff_cases_publish",
    auth=publish_auth,
)
def staff_cases_publish(request: HttpRequest, case_id: uuid.UUID) -> dict[str, Any]:
    """Refused with code `case_incomplete` and the list of what is missing."""
    user = request.auth  # type: ignore[attr-defined]
    services.case_publish(case=_case(case_id), actor=user)
    return outputs.staff_case(_case(case_id))


@router.post(
    "/cases/{case_id}/updates",
    response={201: UpdateOut, **WRITE_ERRORS},
    summary="Post a Further Information",
    operation_id="staff_cases_update_post",
    auth=edit_auth,
)
def staff_cases_update_post(
    request: HttpRequest, case_id: uuid.UUID, payload: UpdateIn
) -> Status[dict[str, Any]]:
    user = request.auth  # type: ignore[attr-defined]
    # The service checks the role (reopening a closed case needs "publish") and refuses to
    # close a case here: closing needs an outcome (/close).
    update = services.update_post(
        case=_case(case_id),
        actor=user,
        title=payload.title,
        body=payload.body,
        issued_on=payload.issued_on,
        asks=payload.asks,
        status=payload.status,
    )
    return Status(
        201,
        {
            "number": update.number,
            "title": update.title,
            "body": update.body,
            "issued_on": update.issued_on,
            "published_at": update.published_at,
        },
    )


@router.post(
    "/cases/{case_id}/close",
    response={200: StaffCaseOut, **WRITE_ERRORS},
    summary="Close a case with an outcome",
    operation_id="staff_cases_close",
    auth=publish_auth,
)
def staff_cases_close(request: HttpRequest, case_id: uuid.UUID, payload: CloseIn) -> dict[str, Any]:
    user = request.auth  # type: ignore[attr-defined]
    case = _case(case_id)
    update = None
    if payload.update_number is not None:
        update = update_get(case=case, number=payload.update_number)
        if update is None:
            raise ApplicationError(
                _("This case has no Further Information number %(n)s.")
                % {"n": payload.update_number},
                fields={"update_number": [_("No such update.")]},
            )
    services.case_close(
        case=case,
        actor=user,
        kind=payload.kind,
        occurred_on=payload.occurred_on,
        summary=payload.summary,
        update=update,
    )
    return outputs.staff_case(_case(case_id))


# ---------------------------------------------------------------------------
# Actions and stats


class ActionFilters(Schema):
    channel: Channel | None = None
    confirmed: bool | None = Field(
        None, description="true: delivered by Urgent; false: reported by the supporter."
    )
    limit: int = Field(50, ge=1, le=500)
    offset: int = Field(0, ge=0, le=10_000_000)


@router.get(
    "/cases/{case_id}/actions",
    response={200: ActionPageOut, **CASE_ERRORS},
    summary="Actions taken on a case",
    operation_id="staff_cases_actions",
)
def staff_cases_actions(
    request: HttpRequest, case_id: uuid.UUID, filters: Query[ActionFilters]
) -> dict[str, Any]:
    """Newest first. Supporters are not identified here: the API never lists their data."""
    case = _case(case_id)
    actions = api_case_actions(case=case, channel=filters.channel, confirmed=filters.confirmed)
    count = actions.count()
    items = list(actions[filters.offset : filters.offset + filters.limit])
    return {
        **outputs.page(
            request_path=request.path,
            query=filters.dict(exclude={"limit", "offset"}),
            count=count,
            limit=filters.limit,
            offset=filters.offset,
        ),
        "items": [
            {
                "uuid": a.uuid,
                "channel": a.channel,
                "confirmed": a.confirmed,
                "language": a.language,
                "created_at": a.created_at,
                "officials": [o.uuid for o in a.officials.all()],
            }
            for a in items
        ],
    }


@router.get(
    "/cases/{case_id}/stats",
    response={200: CaseStatsOut, **CASE_ERRORS},
    summary="Figures for one case",
    operation_id="staff_cases_stats",
)
def staff_cases_stats(request: HttpRequest, case_id: uuid.UUID) -> dict[str, Any]:
    """Actions by channel and per day (last 30 days), letters by delivery status, replies."""
    case = _case(case_id)
    stats = api_case_stats(case=case)
    return outputs.case_stats(case=case, stats=stats)


class StatsFilterIn(Schema):
    year: int | None = Field(None, ge=1900, le=2200)
    country: CountryCode | None = None


@router.get(
    "/stats",
    response={200: StatsOut, **AUTH_ERRORS},
    summary="Impact figures with staff detail",
    operation_id="staff_stats",
)
def staff_stats(request: HttpRequest, filters: Query[StatsFilterIn]) -> dict[str, Any]:
    """The public impact figures plus drafts in progress and letters by delivery status."""
    report = impact_report(
        filters=ImpactFilters(year=filters.year, country=filters.country), staff=True
    )
    deliveries: list[CountRow] = report.deliveries
    return {
        **outputs.impact(report),
        "drafts": report.drafts or 0,
        "deliveries_by_status": [outputs.count_row(r) for r in deliveries],
    }


class OfficialFilters(Schema):
    q: SearchText | None = Field(
        None,
        description="Words in the name, title or organisation, a contact point, or a country code.",
    )
    country: CountryCode | None = None
    limit: int = Field(20, ge=1, le=100)
    offset: int = Field(0, ge=0, le=1_000_000)


@router.get(
    "/officials",
    response={200: OfficialPageOut, **AUTH_ERRORS},
    summary="Find officials to add to a case",
    operation_id="staff_officials_list",
)
def staff_officials_list(request: HttpRequest, filters: Query[OfficialFilters]) -> dict[str, Any]:
    officials = official_search(text=filters.q, country=filters.country)
    count = officials.count()
    items = list(officials[filters.offset : filters.offset + filters.limit])
    return {
        **outputs.page(
            request_path=request.path,
            query=filters.dict(exclude={"limit", "offset"}),
            count=count,
            limit=filters.limit,
            offset=filters.offset,
        ),
        "items": [outputs.official(o) for o in items],
    }
