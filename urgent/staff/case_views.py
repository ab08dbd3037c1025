"""The case editor and the case lifecycle: draft, publish, Further Information, close, stop."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.db.models import Count
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from urgent.cases import services
from urgent.cases.models import Case, CaseTarget, CaseTranslation
from urgent.cases.selectors import case_search
from urgent.core.access import staff_required
from urgent.core.errors import ApplicationError
from urgent.core.roles import EDIT, PUBLISH, TRANSLATE, VIEW, role_can
from urgent.core.selectors import organisation_default
from urgent.officials.selectors import official_search
from urgent.outreach.selectors import case_alert_languages, case_alert_preview, case_stop_summary
from urgent.staff import forms
from urgent.staff.selectors import publish_check

CASE_FIELDS = tuple(f for f in services.EDITABLE_FIELDS)


def _form_errors_from(form: Any, exc: ApplicationError) -> None:
    for field, problems in exc.fields.items():
        for problem in problems:
            form.add_error(field if field in form.fields else None, problem)
    if not exc.fields:
        form.add_error(None, exc.message)


@staff_required(VIEW)
def case_list(request: HttpRequest) -> HttpResponse:
    status = request.GET.get("status", "")
    query = request.GET.get("q", "").strip()[:100]
    statuses = [status] if status in Case.Status.values else Case.Status.values
    cases = case_search(statuses=statuses, text=query, people=True).order_by("-updated_at")
    return render(
        request,
        "staff/case_list.html",
        {
            "cases": cases[:200],
            "status": status,
            "q": query,
            "statuses": Case.Status.choices,
            "today": timezone.localdate(),
        },
    )


def _case_data(form: forms.CaseForm) -> dict[str, Any]:
    data = {k: form.cleaned_data[k] for k in CASE_FIELDS}
    return {
        k: ("" if v is None and k not in {"issued_on", "deadline"} else v) for k, v in data.items()
    }


@staff_required(EDIT)
def case_new(request: HttpRequest) -> HttpResponse:
    form = forms.CaseForm(request.POST or None, initial={"language": "en"})
    if request.method == "POST" and form.is_valid():
        data = _case_data(form)
        try:
            case = services.case_create(
                organisation=organisation_default(),
                reference=data.pop("reference"),
                headline=data.pop("headline"),
                country=data.pop("country"),
                actor=request.user,
                themes=form.cleaned_data["themes"],
                **data,
            )
        except ApplicationError as exc:
            forms.form_errors_add(form, exc)
        else:
            messages.success(request, _("Draft created. Add people, asks and targets next."))
            return redirect("staff_case_edit", case.pk)
    return render(
        request, "staff/case_new.html", {"form": form}, status=400 if form.errors else 200
    )


def editor_context(request: HttpRequest, case: Case, **overrides: Any) -> dict[str, Any]:
    initial = {k: getattr(case, k) for k in CASE_FIELDS}
    initial["themes"] = list(case.themes.all())
    initial["version"] = case.version
    query = request.GET.get("official", "").strip()[:100]
    found = list(official_search(text=query)[:20]) if query else []
    targets = sorted(
        case.targets.select_related("official").prefetch_related("official__contact_points"),
        key=lambda t: (t.role != CaseTarget.Role.PRIMARY, t.position, t.pk),
    )
    context: dict[str, Any] = {
        "case": case,
        "can_edit": role_can(request.user, EDIT),
        "can_publish": role_can(request.user, PUBLISH),
        "form": forms.CaseForm(initial=initial),
        "people_form": forms.PeopleForm(people=list(case.people.all())),
        "asks_form": forms.AsksForm(initial={"asks": "\n".join(a.text for a in case.asks.all())}),
        "new_official_form": forms.NewOfficialForm(initial={"country": case.country}),
        "targets": targets,
        "official_query": query,
        "officials_found": found,
        "target_roles": CaseTarget.Role.choices,
        "missing": services.case_missing_for_publication(case=case)
        if case.status == Case.Status.DRAFT
        else [],
        "translations": {t.language: t for t in case.translations.all()},
        "translation_languages": [c for c in ("en", "fr", "es", "de") if c != case.language],
        "stop_summary": case_stop_summary(case=case),
    }
    context.update(overrides)
    # The case's own words are in its language, whatever the language of the workspace.
    for name in ("headline", "story", "background"):
        context["form"].fields[name].widget.attrs["lang"] = case.language
    context["asks_form"].fields["asks"].widget.attrs["lang"] = case.language
    context["editor_forms"] = [context["form"], context["people_form"], context["asks_form"]]
    return context


@staff_required(VIEW)
def case_edit(request: HttpRequest, pk: int) -> HttpResponse:
    """The case editor: the case's fields, people and asks in one form with one Save."""
    case = get_object_or_404(Case, pk=pk)
    if request.method != "POST":
        return render(request, "staff/case_edit.html", editor_context(request, case))
    if not role_can(request.user, EDIT):
        raise PermissionDenied(_("Your role does not allow editing cases."))
    form = forms.CaseForm(request.POST)
    # A part missing from the request (another client, an older page) is left as it is.
    people_form = (
        forms.PeopleForm(request.POST, people=list(case.people.all()))
        if "name_0" in request.POST
        else None
    )
    asks_form = forms.AsksForm(request.POST) if "asks" in request.POST else None
    parts = [f for f in (form, people_form, asks_form) if f is not None]
    if all(f.is_valid() for f in parts):
        try:
            case = services.case_save(
                case=case,
                actor=request.user,
                expected_version=form.cleaned_data["version"] or 0,
                data=_case_data(form),
                themes=form.cleaned_data["themes"],
                people=people_form.people() if people_form else None,
                asks=asks_form.ask_list() if asks_form else None,
            )
        except ApplicationError as exc:
            forms.form_errors_add(form, exc)
        else:
            messages.success(request, _("Case saved."))
            return redirect("staff_case_edit", case.pk)
    bound: dict[str, Any] = {"form": form}
    if people_form:
        bound["people_form"] = people_form
    if asks_form:
        bound["asks_form"] = asks_form
    return render(
        request, "staff/case_edit.html", editor_context(request, case, **bound), status=400
    )


@staff_required(VIEW)
def case_preview(request: HttpRequest, pk: int) -> HttpResponse:
    case = get_object_or_404(
        Case.objects.annotate(action_count=Count("actions", distinct=True)), pk=pk
    )
    targets = list(
        case.targets.select_related("official").prefetch_related("official__contact_points")
    )
    return render(
        request,
        "cases/case_detail.html",
        {
            "case": case,
            "preview": True,
            "primary_targets": [t for t in targets if t.role == CaseTarget.Role.PRIMARY],
            "copy_targets": [t for t in targets if t.role == CaseTarget.Role.COPY],
            "today": timezone.localdate(),
            "update_email": case.organisation.update_request_email,
        },
    )


@staff_required(VIEW)
def case_preview_alert(request: HttpRequest, pk: int) -> HttpResponse:
    """The alert email as supporters will receive it: subject, text, and the HTML part."""
    case = get_object_or_404(Case, pk=pk)
    languages = case_alert_languages(case=case)
    language = request.GET.get("language", "")
    rendered = case_alert_preview(case=case, language=language if language in languages else None)
    if request.GET.get("part") == "html" and rendered.html:
        response = HttpResponse(rendered.html)
        # The mail's HTML shown alone, unable to run anything or load from elsewhere.
        response["Content-Security-Policy"] = (
            "default-src 'none'; img-src 'self' data:; style-src 'unsafe-inline'; sandbox"
        )
        return response
    return render(request, "staff/case_preview_alert.html", {"case": case, "mail": rendered})


@staff_required(PUBLISH)
def case_publish(request: HttpRequest, pk: int) -> HttpResponse:
    """Publishing is two steps: this page shows what will go out and to whom, then one button.

    The button carries a token of everything shown; if the case changed since (an edit, a
    new target, a translation), the page is shown again instead of publishing.
    """
    case = get_object_or_404(Case, pk=pk)
    if case.status != Case.Status.DRAFT:
        messages.error(request, _("Only a draft can be published."))
        return redirect("staff_case_edit", case.pk)
    check = publish_check(case=case)
    status, stale = 200, False
    if request.method == "POST":
        stale = request.POST.get("token") != check.token
        if not stale and not check.missing:
            try:
                services.case_publish(
                    case=case, actor=request.user, expected_version=_posted_version(request)
                )
            except ApplicationError as exc:
                stale = exc.status == 409
                if not stale:
                    messages.error(request, exc.message)
            else:
                messages.success(
                    request,
                    ngettext(
                        "Published. The alert goes to %(n)d supporter now.",
                        "Published. The alert goes to %(n)d supporters now.",
                        check.total,
                    )
                    % {"n": check.total},
                )
                return redirect("staff_case_edit", case.pk)
        status = 409 if stale else 400
        case.refresh_from_db()
        check = publish_check(case=case)
    return render(
        request,
        "staff/case_publish.html",
        {"case": case, "check": check, "stale": stale, "today": timezone.localdate()},
        status=status,
    )


def _posted_version(request: HttpRequest) -> int | None:
    raw = request.POST.get("version", "")
    return int(raw) if raw.isdigit() else None


@staff_required(EDIT)
def case_update_post(request: HttpRequest, pk: int) -> HttpResponse:
    case = get_object_or_404(Case, pk=pk)
    form = forms.UpdateForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        asks = None
        if data["replace_asks"]:
            asks = [a.strip(" •-\t") for a in data["asks"].splitlines() if a.strip()]
        try:
            update = services.update_post(
                case=case,
                actor=request.user,
                title=data["title"],
                body=data["body"],
                issued_on=data["issued_on"],
                asks=asks,
                status=data["status"] or None,
            )
        except ApplicationError as exc:
            forms.form_errors_add(form, exc)
        else:
            messages.success(
                request,
                _(
                    "Further Information %(n)d posted; it goes to subscribers and to everyone "
                    "who acted."
                )
                % {"n": update.number},
            )
            return redirect("staff_case_edit", case.pk)
    return render(
        request,
        "staff/case_update.html",
        {"case": case, "form": form},
        status=400 if form.errors else 200,
    )


@staff_required(PUBLISH)
def case_close(request: HttpRequest, pk: int) -> HttpResponse:
    case = get_object_or_404(Case, pk=pk)
    form = forms.CloseForm(request.POST or None, initial={"occurred_on": timezone.localdate()})
    if request.method == "POST" and form.is_valid():
        try:
            services.case_close(case=case, actor=request.user, **form.cleaned_data)
        except ApplicationError as exc:
            forms.form_errors_add(form, exc)
        else:
            messages.success(request, _("Case closed. The outcome notice goes out now."))
            return redirect("staff_case_edit", case.pk)
    return render(
        request,
        "staff/case_close.html",
        {"case": case, "form": form},
        status=400 if form.errors else 200,
    )


@staff_required(PUBLISH)
def case_stop(request: HttpRequest, pk: int) -> HttpResponse:
    case = get_object_or_404(Case, pk=pk)
    form = forms.StopForm(
        request.POST or None,
        initial={"stopped": not case.actions_stopped, "hide_names": case.hide_names},
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.case_stop_switch(case=case, actor=request.user, **form.cleaned_data)
        except ApplicationError as exc:
            forms.form_errors_add(form, exc)
        else:
            messages.success(
                request,
                _("Action stopped: forms hidden and queued letters held.")
                if form.cleaned_data["stopped"]
                else _("Action resumed."),
            )
            return redirect("staff_case_edit", case.pk)
    return render(
        request,
        "staff/case_stop.html",
        {"case": case, "form": form},
        status=400 if form.errors else 200,
    )


@staff_required(TRANSLATE)
def case_translation(request: HttpRequest, pk: int, language: str) -> HttpResponse:
    case = get_object_or_404(Case, pk=pk)
    if language not in {"en", "fr", "es", "de"} or language == case.language:
        raise Http404
    existing = CaseTranslation.objects.filter(case=case, language=language).first()
    initial: dict[str, Any] = {"version": existing.version if existing else 0}
    if existing:
        initial = {
            "headline": existing.headline,
            "story": existing.story,
            "background": existing.background,
            "asks": "\n".join(existing.asks),
            "done": existing.state == CaseTranslation.State.DONE,
            "version": existing.version,
        }
    form = forms.TranslationForm(request.POST or None, initial=initial)
    for field in form.fields.values():  # the text typed is in the target language
        field.widget.attrs["lang"] = language
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        data["asks"] = [a for a in data["asks"].splitlines() if a.strip()]
        try:
            services.case_translation_save(
                case=case,
                actor=request.user,
                language=language,
                data=data,
                done=data.pop("done"),
                expected_version=data.pop("version"),
            )
        except ApplicationError as exc:
            forms.form_errors_add(form, exc)
        else:
            messages.success(request, _("Translation saved."))
            return redirect("staff_case_edit", case.pk)
    return render(
        request,
        "staff/case_translation.html",
        {
            "case": case,
            "form": form,
            "language": language,
            "translation": existing,
            "asks": [a.text for a in case.asks.all()],
        },
        status=400 if form.errors else 200,
    )
