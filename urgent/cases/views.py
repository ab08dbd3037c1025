from __future__ import annotations

from django.core.files.storage import storages
from django.http import (
    FileResponse,
    Http404,
    HttpRequest,
    HttpResponse,
    HttpResponseBase,
    HttpResponseNotModified,
)
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import get_language

from urgent.cases import selectors
from urgent.cases.models import PersonAtRisk
from urgent.core.access import user_is_verified
from urgent.core.countries import country_name, is_country_code
from urgent.core.roles import VIEW, role_can


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
    today = timezone.localdate()
    cases = list(
        selectors.case_list_active(today=today, country=country or None, theme=theme or None)
    )
    passed = [] if country or theme else list(selectors.case_list_deadline_passed(today=today))
    return render(
        request,
        "cases/case_list.html",
        {
            "cases": cases,
            "countries": countries,
            "themes": themes,
            "selected_country": country,
            "selected_theme": theme,
            "passed": passed,
            "today": today,
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


def person_photo_file(request: HttpRequest, name: str) -> HttpResponseBase:
    """One copy of a person's photo, while it may be shown (signed-in staff: always).

    Names are unguessable and a copy never changes (a new crop gets a new name), but a
    photo can be withdrawn at any moment (consent, the stop switch): shared caches may
    keep a public copy ten minutes at most, and staff-only copies are not cached at all.
    """
    match = selectors.PHOTO_FILE.match(name)
    if not match:
        raise Http404
    person = PersonAtRisk.objects.select_related("case").filter(photo_key=match["key"]).first()
    if person is None or int(match["width"]) not in {int(w) for w, _h in person.photo_sizes}:
        raise Http404
    public = selectors.person_photo_visible(person=person, case=person.case)
    if not public and not (user_is_verified(request) and role_can(request.user, VIEW)):
        raise Http404
    etag = f'"{match["key"]}-{match["width"]}-{match["ext"]}"'
    if request.headers.get("If-None-Match") == etag:
        response: HttpResponseBase = HttpResponseNotModified()
    else:
        media = storages["media"]
        try:
            handle = media.open(
                selectors.photo_file_name(match["key"], int(match["width"]), match["ext"])
            )
        except FileNotFoundError as exc:
            raise Http404 from exc
        response = FileResponse(
            handle, content_type="image/webp" if match["ext"] == "webp" else "image/jpeg"
        )
    response["ETag"] = etag
    response["Cache-Control"] = "public, max-age=600" if public else "private, no-store"
    response["Vary"] = "Cookie"
    response["X-Content-Type-Options"] = "nosniff"
    response["Cross-Origin-Resource-Policy"] = "same-origin"
    response["Content-Security-Policy"] = "default-src 'none'; sandbox"
    return response
