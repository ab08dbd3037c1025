"""Public supporter pages: joining, "Keep me updated", signed-link pages, the preference centre.

Pages reached through a signed link never act on GET: mail scanners follow every link in a
message, so each shows a button and only its POST confirms, changes or unsubscribes.
"""

from __future__ import annotations

import contextlib
import logging
from typing import Any

from django.conf import settings
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import get_language
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods, require_POST

from urgent.cases.models import Case
from urgent.core.errors import ApplicationError
from urgent.supporters import selectors, services
from urgent.supporters.addresses import AddressRejected
from urgent.supporters.consent import consent_case_wording, consent_join_wording
from urgent.supporters.forms import (
    JoinForm,
    KeepUpdatedForm,
    LinkRequestForm,
    PreferencesForm,
)
from urgent.supporters.links import supporter_url
from urgent.supporters.models import Confirmation, Supporter
from urgent.supporters.pages import LINK_PAGE_LIMIT_PER_IP
from urgent.supporters.pages import link_invalid as _link_invalid
from urgent.supporters.pages import page_allowed as _allowed
from urgent.supporters.pages import private_page as _private
from urgent.supporters.pages import too_many as _too_many

logger = logging.getLogger(__name__)

# Per client address per hour on each public form (per email address: pages.py).
FORM_LIMIT_PER_IP = 20


def _language() -> str:
    return (get_language() or settings.LANGUAGE_CODE).split("-")[0]


def _sent() -> HttpResponseRedirect:
    return HttpResponseRedirect(reverse("supporters_check_email"))


@require_http_methods(["GET", "POST"])
def join(request: HttpRequest) -> HttpResponse:
    wording = consent_join_wording(language=_language())
    form = JoinForm(request.POST if request.method == "POST" else None)
    form.fields["consent"].label = wording
    if request.method == "POST":
        if not _allowed(
            request, "join", email=request.POST.get("email", ""), per_ip=FORM_LIMIT_PER_IP
        ):
            return _too_many(request)
        if form.is_robot():
            logger.info("join form: honeypot filled, nothing done")
            return _sent()
        if form.is_valid():
            profile = form.profile()
            services.confirmation_request(
                email=form.cleaned_data["email"],
                kind=Confirmation.Kind.JOIN,
                wording=wording,
                source="web form /join/",
                language=profile["language"],
                profile=profile,
            )
            return _sent()
    return render(
        request,
        "supporters/join.html",
        {"form": form},
        status=400 if form.is_bound and form.errors else 200,
    )


def check_email(request: HttpRequest) -> HttpResponse:
    return render(
        request,
        "supporters/check_email.html",
        {"cooldown_minutes": settings.URGENT_CONFIRMATION_COOLDOWN_SECONDS // 60},
    )


@require_http_methods(["GET", "POST"])
def keep_updated(request: HttpRequest, slug: str) -> HttpResponse:
    case = (
        Case.objects.filter(slug=slug, status__in=[Case.Status.ACTIVE, Case.Status.CLOSED])
        .select_related("organisation")
        .first()
    )
    if case is None:
        raise Http404("No published case has this reference.")
    form = KeepUpdatedForm(request.POST if request.method == "POST" else None)
    if request.method == "POST":
        if not _allowed(
            request, "keep", email=request.POST.get("email", ""), per_ip=FORM_LIMIT_PER_IP
        ):
            return _too_many(request)
        if form.is_robot():
            logger.info("keep-updated form: honeypot filled, nothing done")
            return _sent()
        if form.is_valid():
            language = _language()
            services.confirmation_request(
                email=form.cleaned_data["email"],
                kind=Confirmation.Kind.CASE,
                case=case,
                wording=consent_case_wording(language=language, reference=case.reference),
                source=f"web: Keep me updated button on {case.reference}",
                language=language,
            )
            return _sent()
    return render(
        request,
        "supporters/keep_updated.html",
        {
            "case": case,
            "form": form,
            "wording": consent_case_wording(language=_language(), reference=case.reference),
        },
        status=400 if form.is_bound and form.errors else 200,
    )


@require_http_methods(["GET", "POST"])
def link_request(request: HttpRequest) -> HttpResponse:
    """Ask for the preference-centre link by email (supporters have no password)."""
    form = LinkRequestForm(request.POST if request.method == "POST" else None)
    if request.method == "POST":
        if not _allowed(
            request, "link", email=request.POST.get("email", ""), per_ip=FORM_LIMIT_PER_IP
        ):
            return _too_many(request)
        if form.is_robot():
            return _sent()
        if form.is_valid():
            with contextlib.suppress(AddressRejected):
                services.preferences_link_send(
                    email=form.cleaned_data["email"], language=_language()
                )
            return _sent()
    return render(
        request,
        "supporters/link_request.html",
        {"form": form},
        status=400 if form.is_bound and form.errors else 200,
    )


@_private
@require_http_methods(["GET", "POST"])
def confirm(request: HttpRequest, token: str) -> HttpResponse:
    confirmation = selectors.confirmation_from_link(token=token)
    if confirmation is None:
        return _link_invalid(request)
    if request.method == "POST":
        if not _allowed(request, "confirm", per_ip=LINK_PAGE_LIMIT_PER_IP):
            return _too_many(request)
        try:
            confirmation = services.confirmation_confirm(confirmation=confirmation)
        except ApplicationError:
            return _link_invalid(request)
        return render(
            request,
            "supporters/confirmed.html",
            {
                "confirmation": confirmation,
                "preferences_url": supporter_url(
                    supporter_uuid=confirmation.supporter.uuid, purpose="preferences"
                ),
            },
        )
    return render(request, "supporters/confirm.html", {"confirmation": confirmation})


def _preferences_context(supporter: Supporter, token: str) -> dict[str, Any]:
    return {
        "supporter": supporter,
        "token": token,
        "subscriptions": list(selectors.supporter_subscriptions(supporter=supporter)),
        "actions": list(selectors.supporter_actions(supporter=supporter)[:200]),
    }


def _initial(supporter: Supporter, *, new_cases: bool) -> dict[str, Any]:
    return {
        "name": supporter.name,
        "city": supporter.city,
        "country": supporter.country,
        "language": supporter.language,
        "countries": supporter.countries,
        "themes": list(supporter.themes.values_list("slug", flat=True)),
        "frequency": supporter.frequency,
        "monthly_cap": supporter.monthly_cap,
        "channels": supporter.channels,
        "new_cases": new_cases,
    }


@_private
@require_http_methods(["GET", "POST"])
def preferences(request: HttpRequest, token: str) -> HttpResponse:
    found = selectors.supporter_from_link(token=token, purpose="preferences")
    if found is None:
        return _link_invalid(request)
    supporter, _extra = found
    new_cases = selectors.supporter_has_new_cases(supporter=supporter)
    if request.method == "POST":
        if not _allowed(request, "preferences", per_ip=LINK_PAGE_LIMIT_PER_IP):
            return _too_many(request)
        form = PreferencesForm(request.POST, initial=_initial(supporter, new_cases=new_cases))
        if form.is_valid():
            services.supporter_preferences_update(
                supporter=supporter,
                profile=form.profile(),
                themes=form.cleaned_data.get("themes", []),
                new_cases=form.cleaned_data["new_cases"],
                language=_language(),
            )
            return HttpResponseRedirect(f"{request.path}?saved=1")
        context = {**_preferences_context(supporter, token), "form": form}
        return render(request, "supporters/preferences.html", context, status=400)
    form = PreferencesForm(initial=_initial(supporter, new_cases=new_cases))
    context = {
        **_preferences_context(supporter, token),
        "form": form,
        "saved": request.GET.get("saved") == "1",
        "stopped": request.GET.get("stopped") == "1",
    }
    return render(request, "supporters/preferences.html", context)


@_private
@require_POST
def preferences_stop(request: HttpRequest, token: str) -> HttpResponse:
    """Stop updates on one case (`case` = its UUID) or everything (`case` = all)."""
    found = selectors.supporter_from_link(token=token, purpose="preferences")
    if found is None:
        return _link_invalid(request)
    if not _allowed(request, "preferences", per_ip=LINK_PAGE_LIMIT_PER_IP):
        return _too_many(request)
    supporter, _extra = found
    which = request.POST.get("case", "")
    case = None if which == "all" else selectors.case_from_link_extra(f"case:{which}")
    if case is None and which != "all":
        return HttpResponseRedirect(request.path.rsplit("stop/", 1)[0])
    services.supporter_unsubscribe(supporter=supporter, case=case, source="preference centre")
    return HttpResponseRedirect(f"{request.path.rsplit('stop/', 1)[0]}?stopped=1")


@_private
@csrf_exempt
@require_http_methods(["GET", "POST"])
def unsubscribe(request: HttpRequest, token: str) -> HttpResponse:
    """A page with a button, and RFC 8058 one-click unsubscribe on POST.

    Mail providers POST `List-Unsubscribe=One-Click` to this URL without cookies, so it
    takes no CSRF token: the signed link itself is what proves the request, and a forged
    POST would need the link. No per-address rate limit applies, because providers send
    many people's unsubscribes from the same servers and unsubscribing must always work.
    """
    found = selectors.supporter_from_link(token=token, purpose="unsubscribe")
    if found is None:
        return _link_invalid(request)
    supporter, extra = found
    case = selectors.case_from_link_extra(extra)
    if request.method == "POST":
        services.supporter_unsubscribe(
            supporter=supporter,
            case=case,
            source="one-click" if "List-Unsubscribe" in request.POST else "unsubscribe page",
        )
        return render(
            request,
            "supporters/unsubscribed.html",
            {
                "case": case,
                "preferences_url": supporter_url(
                    supporter_uuid=supporter.uuid, purpose="preferences"
                ),
            },
        )
    return render(request, "supporters/unsubscribe.html", {"case": case})
