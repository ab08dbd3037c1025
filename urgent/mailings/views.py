"""Staff pages of mailings: the list, and one mailing's progress with pause/resume/cancel."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from urgent.core.access import staff_required
from urgent.core.roles import SEND, VIEW, role_can
from urgent.mailings import selectors, services
from urgent.mailings.models import Mailing


def _mailing(pk: int) -> Mailing:
    mailing = Mailing.objects.filter(pk=pk).first()
    if mailing is None:
        raise Http404(_("No such mailing."))
    return mailing


@staff_required(VIEW)
def mailing_list(request: HttpRequest) -> HttpResponse:
    page = Paginator(selectors.mailing_list(), 50).get_page(request.GET.get("page"))
    progress = selectors.mailing_progress_many(mailings=page.object_list)
    rows = [(m, progress[m.pk]) for m in page.object_list]
    return render(request, "mailings/staff_list.html", {"page": page, "rows": rows})


ADDRESS_MASK = "(hidden)"


def problems_masked(problems: list[tuple[str, str, str]]) -> list[tuple[str, str, str]]:
    """The problem rows with each supporter's address hidden, in the reason text too.

    A bounce or refusal often quotes the address ("550 <ana@example.org>: no such user"),
    so it is taken out of the reason as well as the recipient column.
    """
    masked = []
    for status, email, error in problems:
        if email:
            error = re.sub(re.escape(email), ADDRESS_MASK, error, flags=re.IGNORECASE)
        masked.append((status, ADDRESS_MASK if email else "", error))
    return masked


@staff_required(VIEW)
def mailing_detail(request: HttpRequest, pk: int) -> HttpResponse:
    mailing = _mailing(pk)
    can_send = role_can(request.user, SEND)
    problems = selectors.mailing_recent_problems(mailing=mailing)
    # Supporters' addresses are for coordinators, who run mailings; a viewer sees the reasons.
    return render(
        request,
        "mailings/staff_detail.html",
        {
            "mailing": mailing,
            "progress": selectors.mailing_progress(mailing=mailing),
            "problems": problems if can_send else problems_masked(problems),
            "live": mailing.state == Mailing.State.SENDING,
            "can_send": can_send,
        },
    )


@staff_required(VIEW)
def mailing_progress(request: HttpRequest, pk: int) -> JsonResponse:
    mailing = _mailing(pk)
    data = selectors.mailing_progress(mailing=mailing).as_dict()
    data.update(state=mailing.state, state_label=mailing.get_state_display())
    return JsonResponse(data, headers={"Cache-Control": "no-store"})


_ACTIONS: dict[str, tuple[Callable[..., bool], Any, Any]] = {
    "start": (
        services.mailing_start,
        gettext_lazy("Sending has started."),
        gettext_lazy("It was already started."),
    ),
    "pause": (
        services.mailing_pause,
        gettext_lazy("Paused."),
        gettext_lazy("Only a mailing that is sending can pause."),
    ),
    "resume": (
        services.mailing_resume,
        gettext_lazy("Sending again."),
        gettext_lazy("Only a paused mailing can resume."),
    ),
    "cancel": (
        services.mailing_cancel,
        gettext_lazy("Cancelled: nothing more will be sent."),
        gettext_lazy("This mailing is already finished."),
    ),
}


@require_POST
@staff_required(SEND)
def mailing_act(request: HttpRequest, pk: int, action: str) -> HttpResponse:
    if action not in _ACTIONS:
        raise Http404(_("No such action."))
    function, done, refused = _ACTIONS[action]
    mailing = _mailing(pk)
    if function(mailing=mailing, actor=request.user):
        messages.success(request, done)
    else:
        messages.error(request, refused)
    return redirect("mailings_staff_detail", pk=mailing.pk)
