"""Staff pages for cases received from followed instances: the list, adopting one, its
copy's texts beside the origin's, the origin's changes, and its Further Information and
outcomes to send on."""

from __future__ import annotations

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from urgent.core.access import staff_required
from urgent.core.errors import ApplicationError
from urgent.core.roles import EDIT, VIEW, role_can
from urgent.federation import selectors
from urgent.federation.forms import ChangesForm, CopyTextsForm, NoticeForm
from urgent.federation.models import IncomingCase, IncomingNotice
from urgent.federation.services.adopting import (
    incoming_adopt,
    incoming_changes_take,
    incoming_notice_send,
    incoming_texts_save,
)


def _incoming(pk: int) -> IncomingCase:
    incoming = selectors.incoming_detail(pk=pk)
    if incoming is None:
        raise Http404(_("No such incoming case."))
    return incoming


@staff_required(VIEW)
def incoming_list(request: HttpRequest) -> HttpResponse:
    context = {"incoming": selectors.incoming_list()}
    return render(request, "federation/staff_incoming_list.html", context)


def _texts_form(incoming: IncomingCase) -> CopyTextsForm:
    case = incoming.case
    if case is None:
        return CopyTextsForm()
    asks = "\n".join(a.text for a in case.asks.all())
    return CopyTextsForm(
        initial={
            "headline": case.headline,
            "story": case.story,
            "background": case.background,
            "asks": asks,
        }
    )


def _detail(
    request: HttpRequest, incoming: IncomingCase, *, texts: CopyTextsForm | None = None
) -> HttpResponse:
    context = {
        "incoming": incoming,
        "origin": incoming.payload,
        "texts": texts or _texts_form(incoming),
        "changes": selectors.incoming_changes(incoming=incoming)
        if incoming.changed_since_adopted
        else [],
        "changes_form": ChangesForm(),
        "notices": [
            (n, NoticeForm(initial={"title": n.title, "body": n.body}))
            for n in incoming.notices.all()
        ],
        "can_edit": role_can(request.user, EDIT),
        "dead": selectors.incoming_dead_contacts(incoming=incoming),
        "warnings": selectors.incoming_network_warnings(incoming=incoming),
    }
    return render(request, "federation/staff_incoming.html", context)


@staff_required(VIEW)
def incoming_detail(request: HttpRequest, pk: int) -> HttpResponse:
    return _detail(request, _incoming(pk))


@require_POST
@staff_required(EDIT)
def incoming_adopt_view(request: HttpRequest, pk: int) -> HttpResponse:
    incoming = _incoming(pk)
    try:
        case = incoming_adopt(incoming=incoming, user=request.user)
    except ApplicationError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(
            request,
            _(
                "Adopted as the draft %(reference)s. Translate it here, then add your own "
                "targets, deadline and reference in the case editor and publish it."
            )
            % {"reference": case.reference},
        )
    return redirect("federation_staff_incoming", pk=incoming.pk)


@require_POST
@staff_required(EDIT)
def incoming_texts(request: HttpRequest, pk: int) -> HttpResponse:
    incoming = _incoming(pk)
    form = CopyTextsForm(request.POST)
    if not form.is_valid():
        return _detail(request, incoming, texts=form)
    data = {k: form.cleaned_data[k] for k in ("headline", "story", "background")}
    asks = form.cleaned_data["asks"].splitlines()
    try:
        incoming_texts_save(incoming=incoming, user=request.user, data=data, asks=asks)
    except ApplicationError as exc:
        for field, errors in (exc.fields or {}).items():
            for error in errors:
                form.add_error(field if field in form.fields else None, error)
        if not exc.fields:
            form.add_error(None, exc.message)
        return _detail(request, incoming, texts=form)
    messages.success(request, _("Your copy's texts are saved."))
    return redirect("federation_staff_incoming", pk=incoming.pk)


@require_POST
@staff_required(EDIT)
def incoming_changes(request: HttpRequest, pk: int) -> HttpResponse:
    incoming = _incoming(pk)
    form = ChangesForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Choose among the texts shown."))
        return redirect("federation_staff_incoming", pk=incoming.pk)
    try:
        incoming_changes_take(
            incoming=incoming, user=request.user, fields=form.cleaned_data["texts"]
        )
    except ApplicationError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("The origin's changes are reviewed."))
    return redirect("federation_staff_incoming", pk=incoming.pk)


@require_POST
@staff_required(EDIT)
def incoming_notice(request: HttpRequest, pk: int, notice_pk: int) -> HttpResponse:
    incoming = _incoming(pk)
    notice = IncomingNotice.objects.filter(pk=notice_pk, incoming=incoming).first()
    if notice is None:
        raise Http404(_("No such notice."))
    form = NoticeForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Write the text to send."))
        return redirect("federation_staff_incoming", pk=incoming.pk)
    try:
        incoming_notice_send(
            notice=notice,
            user=request.user,
            title=form.cleaned_data["title"],
            body=form.cleaned_data["body"],
        )
    except ApplicationError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("Sent on to the supporters of your copy."))
    return redirect("federation_staff_incoming", pk=incoming.pk)
