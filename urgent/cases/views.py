from __future__ import annotations

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import get_language

from urgent.cases import selectors
from urgent.core.countries import country_name, is_country_code


def case_list(request: HttpRequest) -> HttpResponse:
    # Filters come from a URL anyone can edit: an unknown value is ignored, never an error.
    country = request.GET.get("country", "").strip().upper()
    theme = request.GET.get("theme", "").strip().lower()
    themes = list(selectors.theme_list_active())
    if not is_country_code(country):
        country = ""
    if theme not in {t.slug for t in themes}:
        theme = ""
    language = get_language() or "en"
    countries = sorted(
        ((code, country_name(code, language)) for code in selectors.case_countries_active()),
        key=lambda pair: pair[1],
    )
    cases = list(selectors.case_list_active(country=country or None, theme=theme or None))
    return render(
        request,
        "cases/case_list.html",
        {
            "cases": cases,
            "countries": countries,
            "themes": themes,
            "selected_country": country,
            "selected_theme": theme,
            "today": timezone.localdate(),
        },
    )


def case_detail(request: HttpRequest, slug: str) -> HttpResponse:
    case = selectors.case_get_public(slug=slug)
    if case is None:
        raise Http404("No published case has this reference.")
    targets = list(case.targets.all())
    return render(
        request,
        "cases/case_detail.html",
        {
            "case": case,
            "primary_targets": [t for t in targets if t.role == t.Role.PRIMARY],
            "copy_targets": [t for t in targets if t.role == t.Role.COPY],
            "today": timezone.localdate(),
            "update_email": case.organisation.update_request_email,
        },
    )
