"""Public reads: published cases (active and closed) and the impact figures. No token needed."""

from __future__ import annotations

import re
from typing import Any, Literal

from django.http import Http404, HttpRequest
from django.urls import reverse
from django.utils.translation import gettext as _
from ninja import Query, Router, Schema
from pydantic import Field

from urgent.api import outputs
from urgent.api.schemas import (
    ApiIndexOut,
    CaseDetailOut,
    CasePageOut,
    CountryCode,
    ErrorOut,
    ImpactOut,
    SearchText,
    Slug,
)
from urgent.cases.selectors import case_get_public, case_search
from urgent.impact.selectors import ImpactFilters, impact_report

router = Router(tags=["Published cases"])

_SLUG_RE = re.compile(r"^[-a-zA-Z0-9_]{1,80}$")
ERRORS: dict[int, Any] = {422: ErrorOut}


class CaseFilters(Schema):
    status: Literal["active", "closed"] | None = Field(
        None, description="Only active or only closed cases; both by default."
    )
    country: CountryCode | None = Field(None, description="ISO 3166 code, such as MX.")
    theme: Slug | None = Field(None, description="A theme's slug, such as death-penalty.")
    q: SearchText | None = Field(
        None, description="Words in the headline, reference or index number."
    )
    limit: int = Field(20, ge=1, le=100)
    offset: int = Field(0, ge=0, le=1_000_000)


@router.get(
    "/",
    response={200: ApiIndexOut, **ERRORS},
    summary="What this API offers",
    operation_id="api_index",
)
def api_index(request: HttpRequest) -> dict[str, Any]:
    """Links to the documentation, the OpenAPI document and every public endpoint."""
    prefix = reverse("api-v1:api_index").rstrip("/")
    endpoints = [
        (method, prefix + path, operation.summary or "")
        for path, view in router.path_operations.items()
        for operation in view.operations
        if operation.operation_id != "api_index"
        for method in operation.methods
    ]
    return outputs.api_index(prefix=prefix, endpoints=endpoints)


@router.get(
    "/cases",
    response={200: CasePageOut, **ERRORS},
    summary="List published cases",
    operation_id="cases_list",
)
def cases_list(request: HttpRequest, filters: Query[CaseFilters]) -> dict[str, Any]:
    """Active and closed cases, newest first, with the names public pages show."""
    statuses = (filters.status,) if filters.status else ("active", "closed")
    cases = case_search(
        statuses=statuses, country=filters.country, theme=filters.theme, text=filters.q
    )
    return outputs.case_page(request_path=request.path, filters=filters, cases=cases)


@router.get(
    "/cases/{slug}",
    response={200: CaseDetailOut, 404: ErrorOut, **ERRORS},
    summary="One published case",
    operation_id="cases_detail",
)
def cases_detail(request: HttpRequest, slug: str) -> dict[str, Any]:
    """Story, asks, officials with their working contact points, updates and outcomes."""
    case = case_get_public(slug=slug) if _SLUG_RE.match(slug) else None
    if case is None:
        raise Http404(_("No published case has this slug."))
    return outputs.case_detail(case)


class ImpactFilterIn(Schema):
    year: int | None = Field(None, ge=1900, le=2200, description="Cases issued in this year.")
    country: CountryCode | None = None


@router.get(
    "/impact",
    response={200: ImpactOut, **ERRORS},
    summary="Impact figures",
    operation_id="impact",
)
def impact(request: HttpRequest, filters: Query[ImpactFilterIn]) -> dict[str, Any]:
    """Cases issued, actions by channel, outcomes by type and the share of positive outcomes."""
    report = impact_report(filters=ImpactFilters(year=filters.year, country=filters.country))
    return outputs.impact(report)
