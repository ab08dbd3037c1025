"""The supporter's own data, from the preference centre: download it, or erase it.

Both span every app that holds something of a supporter (actions, mailings, inbound), so
they live here, above them; the other preference-centre pages are the supporters app's.
"""

from __future__ import annotations

import json

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.http import require_http_methods, require_POST

from urgent.outreach.selectors import supporter_export
from urgent.outreach.services import supporter_erase
from urgent.supporters.forms import EraseForm
from urgent.supporters.pages import link_invalid, page_allowed, private_page, too_many
from urgent.supporters.selectors import supporter_actions, supporter_from_link


@private_page
@require_POST
def preferences_export(request: HttpRequest, token: str) -> HttpResponse:
    found = supporter_from_link(token=token, purpose="preferences")
    if found is None:
        return link_invalid(request)
    if not page_allowed(request, "export", per_ip=30):
        return too_many(request)
    supporter, _extra = found
    data = supporter_export(supporter=supporter)
    response = HttpResponse(
        json.dumps(data, ensure_ascii=False, indent=2), content_type="application/json"
    )
    stamp = timezone.now().strftime("%Y-%m-%d")
    response["Content-Disposition"] = f'attachment; filename="urgent-my-data-{stamp}.json"'
    return response


@private_page
@require_http_methods(["GET", "POST"])
def preferences_erase(request: HttpRequest, token: str) -> HttpResponse:
    found = supporter_from_link(token=token, purpose="preferences")
    if found is None:
        return link_invalid(request)
    supporter, _extra = found
    form = EraseForm(request.POST if request.method == "POST" else None)
    if request.method == "POST":
        if not page_allowed(request, "erase", per_ip=30):
            return too_many(request)
        if form.is_valid():
            supporter_erase(supporter=supporter)
            return render(request, "outreach/erased.html")
    return render(
        request,
        "outreach/erase.html",
        {
            "supporter": supporter,
            "form": form,
            "token": token,
            "action_count": supporter_actions(supporter=supporter).count(),
        },
        status=400 if form.is_bound and form.errors else 200,
    )
