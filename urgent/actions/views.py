"""Public action pages: compose, the channels, confirm a letter, record "I did it"."""

from __future__ import annotations

import json
from typing import Any

from django.conf import settings
from django.http import (
    Http404,
    HttpRequest,
    HttpResponse,
    HttpResponseBadRequest,
    JsonResponse,
)
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.functional import SimpleLazyObject
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from urgent.actions import pow, selectors, services
from urgent.actions.channels import email_addresses, mailto_url
from urgent.actions.forms import ComposeForm, RecordForm
from urgent.actions.letters import Signature, text_clean
from urgent.actions.models import FaxTransmission
from urgent.actions.services.documents import (
    evening_pack_pdf,
    supporter_envelopes_pdf,
    supporter_letters_pdf,
)
from urgent.actions.services.intake import pending_uuid
from urgent.actions.templatetags.take_action import composer_context
from urgent.cases.models import Case, CaseTarget
from urgent.core.client import client_address
from urgent.core.errors import ApplicationError
from urgent.core.pages import page_render_shared
from urgent.supporters.addresses import address_check
from urgent.supporters.links import supporter_token_read
from urgent.supporters.services import supporter_for_email


def _client(request: HttpRequest) -> str:
    return client_address(request)


def _case(slug: str) -> Case:
    case = selectors.case_for_action(slug=slug)
    if case is None:
        raise Http404("No published case has this reference.")
    return case


def _page(
    request: HttpRequest,
    template: str,
    context: dict[str, Any] | None = None,
    *,
    status: int = 200,
) -> HttpResponse:
    """An action page. Most answer a POST at a URL that takes no GET, so the language
    form on them returns to the case page rather than to that URL."""
    context = dict(context or {})
    case = context.get("case")
    if case is not None:
        context["language_next"] = reverse("case_detail", args=[case.slug])
    return render(request, template, context, status=status)


def _closed(request: HttpRequest, case: Case, message: str) -> HttpResponse:
    return _page(request, "actions/closed.html", {"case": case, "message": message}, status=409)


def _refused(
    request: HttpRequest, case: Case | selectors.CaseState, error: ApplicationError
) -> HttpResponse:
    return _page(
        request,
        "actions/refused.html",
        {"case": case, "message": error.message},
        status=error.status,
    )


def _bot(request: HttpRequest, case: Case) -> HttpResponse:
    return _page(
        request,
        "actions/refused.html",
        {"case": case, "message": _("This form could not be accepted.")},
        status=400,
    )


@require_POST
def compose(request: HttpRequest, slug: str) -> HttpResponse:
    """The composer on the case page posts here with the channel the supporter chose."""
    case = _case(slug)
    refusal = selectors.case_refusal(case)
    if refusal:
        return _closed(request, case, refusal)
    form = ComposeForm(request.POST)
    if form.is_bot():
        return _bot(request, case)
    if not form.is_valid():
        composer = composer_context(case=case, request=request, form=form)
        return _page(request, "actions/compose.html", composer, status=400)
    channel = form.cleaned_data["channel"]
    letter = form.letter_input()
    if channel in {"email", "fax"}:
        return _letter_request(request, case, form)
    context: dict[str, Any] = {
        "case": case,
        "letter": letter,
        "signature": form.signature,
        "challenge": pow.challenge_json(),
        "record_url": reverse("actions_record", args=[case.slug]),
        "pdf_url": reverse("actions_pdf", args=[case.slug]),
        "form_data": {
            "subject": letter.subject,
            "letter": letter.letter,
            "language": letter.language,
            "signed_as": letter.signed_as,
            "name": form.signature.name if not form.signature.initials_only else letter.signed_as,
            "city": form.signature.city,
            "country": form.signature.country,
        },
    }
    # Main recipients first: "copy" sorts before "primary" by name.
    targets = sorted(
        case.targets.all(), key=lambda t: (t.role != CaseTarget.Role.PRIMARY, t.position, t.pk)
    )
    if channel == "mail_app":
        to, cc = email_addresses(targets)
        context["mailto"] = mailto_url(to=to, cc=cc, subject=letter.subject, body=letter.letter)
        context["to"], context["cc"] = to, cc
        return _page(request, "actions/channel_mail_app.html", context)
    context["targets"] = targets
    context["international"] = any(
        t.official.country and t.official.country != form.signature.country for t in targets
    )
    return _page(request, "actions/channel_post.html", context)


def _letter_request(request: HttpRequest, case: Case, form: ComposeForm) -> HttpResponse:
    challenge = pow.challenge_verify(form.cleaned_data.get("altcha", ""))
    try:
        address = address_check(str(form.cleaned_data["email"]))
    except ApplicationError as exc:
        form.add_error("email", exc.message)
        context = composer_context(case=case, request=request, form=form)
        return _page(request, "actions/compose.html", context, status=400)
    language = getattr(request, "LANGUAGE_CODE", settings.LANGUAGE_CODE)
    # Nothing typed here changes a stored supporter: the name, city and country wait with
    # the letter until the emailed link is followed (services.letter_confirm).
    supporter = supporter_for_email(email=address, language=language)
    try:
        pending = services.letter_request(
            case=case,
            supporter=supporter,
            letter=form.letter_input(),
            challenge=challenge,
            client=_client(request),
        )
    except ApplicationError as exc:
        return _refused(request, case, exc)
    return _page(
        request,
        "actions/check_email.html",
        {"case": case, "pending": pending, "email": address, "held": challenge is None},
    )


@require_POST
def record(request: HttpRequest, slug: str) -> HttpResponse:
    """ "I sent it" / "I called" / "I posted it": one short transaction, then thanks."""
    case = selectors.case_state(slug=slug)
    wants_json = "application/json" in request.headers.get("Accept", "")
    if case is None:
        raise Http404("No published case has this reference.")
    form = RecordForm(request.POST)
    if form.is_bot() or not form.is_valid():
        if wants_json:
            return JsonResponse({"code": "invalid", "fields": form.errors}, status=400)
        return _page(request, "actions/refused.html", {"case": case, "form": form}, status=400)
    challenge = pow.challenge_verify(form.cleaned_data.get("altcha", ""))
    try:
        action = services.action_record(
            case=case,
            channel=form.cleaned_data["channel"],
            letter=form.letter_input(),
            challenge=challenge,
            client=_client(request),
        )
    except ApplicationError as exc:
        if wants_json:
            return JsonResponse(exc.as_dict(), status=exc.status)
        return _refused(request, case, exc)
    if wants_json:
        return JsonResponse({"action": str(action.uuid), "channel": action.channel}, status=201)
    # The full case (headline, organisation) is read only when the shared page is rendered;
    # the date in the key renders it afresh each day, so "the next case" stays current.
    full_case = SimpleLazyObject(
        lambda: Case.objects.select_related("organisation").get(pk=case.id)
    )
    return page_render_shared(
        request,
        "actions/thanks.html",
        {
            "case": case,
            "full_case": full_case,
            "language_next": reverse("case_detail", args=[case.slug]),
        },
        key=(case.slug, case.reference, timezone.localdate()),
    )


@require_POST
def letter_pdf(request: HttpRequest, slug: str) -> HttpResponse:
    """The supporter's letter (or envelopes) as PDF, from the letter carried in the form."""
    case = _case(slug)
    data = request.POST
    body = text_clean(data.get("letter", ""))[: settings.URGENT_LETTER_MAX_CHARS]
    if not body:
        return HttpResponseBadRequest("The letter is empty.")
    signature = Signature(
        name=text_clean(data.get("name", ""), multiline=False)[:100],
        city=text_clean(data.get("city", ""), multiline=False)[:100],
        country=data.get("country", "")[:2].upper(),
    )
    copies = data.get("copies") == "1"
    if data.get("kind") == "envelope":
        pdf = supporter_envelopes_pdf(
            case=case, signature=signature, copies=copies, envelope=data.get("envelope", "")
        )
        name = "envelopes"
    else:
        pdf = supporter_letters_pdf(
            case=case,
            subject=text_clean(data.get("subject", ""), multiline=False)[:200],
            body=body,
            language=data.get("language", "en")[:8],
            signature=signature,
            copies=copies,
        )
        name = "letters"
    return _pdf(pdf, f"{case.slug}-{name}.pdf")


def _pdf(content: bytes, filename: str) -> HttpResponse:
    response = HttpResponse(content, content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


@require_GET
def evening_pack(request: HttpRequest, slug: str) -> HttpResponse:
    case = _case(slug)
    try:
        count = max(1, min(int(request.GET.get("count", "20")), 200))
    except ValueError:
        count = 20
    languages = selectors.letter_languages(case)
    language = request.GET.get("language", languages[0])
    if language not in languages:
        language = languages[0]
    pdf = evening_pack_pdf(
        case=case, count=count, language=language, country=request.GET.get("country", "")[:2]
    )
    return _pdf(pdf, f"{case.slug}-pack-{count}.pdf")


@never_cache
@require_http_methods(["GET", "POST"])
def confirm(request: HttpRequest, token: str) -> HttpResponse:
    """The link in the confirmation email: a button (GET never sends: link scanners follow
    links), then the letter's deliveries and their status."""
    read = supporter_token_read(token=token, purpose="letter")
    key = pending_uuid(read[1]) if read else None
    pending = selectors.pending_letter_get(uuid=str(key)) if key else None
    if read is None or pending is None or pending.supporter.uuid != read[0]:
        return _page(request, "actions/link_invalid.html", status=404)
    context: dict[str, Any] = {"pending": pending, "case": pending.case}
    if request.method == "POST" or pending.action_id:
        if pending.action_id is None:
            try:
                confirmed = services.letter_confirm(pending=pending)
            except ApplicationError as exc:
                return _refused(request, pending.case, exc)
            context["skipped"] = confirmed.skipped
            context["action"] = confirmed.action
        else:
            context["action"] = pending.action
        context["deliveries"] = list(selectors.action_deliveries(action=context["action"]))
        return _page(request, "actions/confirmed.html", context)
    return _page(request, "actions/confirm.html", context)


@require_GET
@never_cache
def challenge(request: HttpRequest) -> HttpResponse:
    """A fresh proof-of-work challenge (ALTCHA's challengeurl)."""
    return JsonResponse(pow.challenge_new())


@csrf_exempt
@require_POST
def fax_status(request: HttpRequest, token: str) -> HttpResponse:
    """Status callbacks from the HTTP fax service (the URL carries our signature)."""
    from django.core import signing

    try:
        delivery_uuid = signing.Signer(salt="urgent.actions.fax").unsign(token)
    except signing.BadSignature:
        return JsonResponse({"code": "forbidden"}, status=403)
    try:
        data = json.loads(request.body or b"{}")
    except ValueError:
        return JsonResponse({"code": "invalid", "message": "body is not JSON"}, status=400)
    if not isinstance(data, dict):
        return JsonResponse({"code": "invalid", "message": "expected an object"}, status=400)
    transmission = (
        FaxTransmission.objects.filter(
            delivery__uuid=delivery_uuid, remote_id=str(data.get("id", ""))
        )
        .order_by("-created_at")
        .first()
    )
    if transmission is None:
        return JsonResponse({"code": "not_found"}, status=404)
    status = {"sent": "sent", "delivered": "sent", "failed": "failed", "error": "failed"}.get(
        str(data.get("status", "")).lower(), "submitted"
    )
    pages = data.get("pages")
    services.fax_status_record(
        transmission=transmission,
        status=status,
        pages=pages if isinstance(pages, int) else None,
        detail=str(data.get("error") or ""),
    )
    return JsonResponse({"ok": True})


def case_redirect(request: HttpRequest, slug: str) -> HttpResponse:
    return redirect(reverse("case_detail", args=[slug]) + "#take-action")
