"""Targets of a case: add from the directory, add a new official, change in place, remove."""

from __future__ import annotations

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from urgent.cases import services
from urgent.cases.models import Case, CaseTarget
from urgent.core.access import staff_required
from urgent.core.errors import ApplicationError
from urgent.core.roles import EDIT
from urgent.officials.models import Official
from urgent.officials.selectors import official_fingerprint
from urgent.officials.services import OFFICIAL_FIELDS, official_create
from urgent.staff import forms
from urgent.staff.case_views import editor_context


@staff_required(EDIT)
@require_POST
def case_target_add(request: HttpRequest, pk: int) -> HttpResponse:
    case = get_object_or_404(Case, pk=pk)
    form = forms.TargetAddForm(request.POST)
    if form.is_valid():
        official = Official.objects.filter(pk=form.cleaned_data["official"]).first()
        if official is None:
            messages.error(request, _("That official is no longer in the directory."))
        else:
            try:
                services.case_target_add(
                    case=case,
                    actor=request.user,
                    official=official,
                    role=form.cleaned_data["role"],
                    salutation=form.cleaned_data["salutation"],
                )
            except ApplicationError as exc:
                messages.error(request, exc.message)
            else:
                messages.success(request, _("%(official)s added.") % {"official": official})
    else:
        messages.error(request, _("Choose an official and a role."))
    return redirect("staff_case_edit", case.pk)


@staff_required(EDIT)
@require_POST
def case_target_new(request: HttpRequest, pk: int) -> HttpResponse:
    case = get_object_or_404(Case, pk=pk)
    form = forms.NewOfficialForm(request.POST)
    if form.is_valid():
        try:
            official = official_create(
                actor=request.user,
                data=form.official_data(),
                contact_points=form.contact_points(),
            )
            services.case_target_add(
                case=case, actor=request.user, official=official, role=form.cleaned_data["role"]
            )
        except ApplicationError as exc:
            forms.form_errors_add(form, exc)
        else:
            messages.success(
                request,
                _("%(official)s added to the directory and to this case.") % {"official": official},
            )
            return redirect("staff_case_edit", case.pk)
    return render(
        request,
        "staff/case_edit.html",
        editor_context(request, case, new_official_form=form),
        status=400,
    )


@staff_required(EDIT)
@require_POST
def case_target_remove(request: HttpRequest, pk: int, target_pk: int) -> HttpResponse:
    target = CaseTarget.objects.filter(pk=target_pk, case_id=pk).select_related("case").first()
    if target is None:
        get_object_or_404(Case, pk=pk)
        messages.error(request, _("This target was already removed by someone else."))
        return redirect("staff_case_edit", pk)
    raw = request.POST.get("version", "")
    try:
        services.case_target_remove(
            target=target,
            actor=request.user,
            expected_version=int(raw) if raw.isdigit() else None,
        )
    except ApplicationError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("Target removed."))
    return redirect("staff_case_edit", pk)


def _target_gone(request: HttpRequest, pk: int) -> HttpResponse:
    """Removed by someone else while this editor was open: say so, do not 404."""
    if request.method != "POST":
        raise Http404
    get_object_or_404(Case, pk=pk)
    messages.error(
        request,
        _("This target was removed by someone else while you were editing it; nothing was saved."),
    )
    return redirect(reverse("staff_case_edit", args=[pk]) + "#targets-heading")


@staff_required(EDIT)
def case_target_edit(request: HttpRequest, pk: int, target_pk: int) -> HttpResponse:
    """Change a target in place: role, salutation, the official and its contact points."""
    target = (
        CaseTarget.objects.select_related("case", "official")
        .filter(pk=target_pk, case_id=pk)
        .first()
    )
    if target is None:
        return _target_gone(request, pk)
    official = target.official
    points = list(official.contact_points.all())
    data = request.POST if request.method == "POST" else None
    target_form = forms.TargetForm(
        data,
        initial={
            "role": target.role,
            "salutation": target.salutation,
            "version": target.case.version,
            "official_seen": official_fingerprint(official=official),
        },
    )
    official_form = forms.OfficialForm(
        data, prefix="official", initial={k: getattr(official, k) for k in OFFICIAL_FIELDS}
    )
    points_form = forms.ContactPointsForm(data, points=points, prefix="points")
    editor_forms = [target_form, official_form, points_form]
    if data is not None and all(f.is_valid() for f in editor_forms):
        try:
            services.case_target_update(
                target=target,
                actor=request.user,
                expected_version=target_form.cleaned_data["version"],
                role=target_form.cleaned_data["role"],
                salutation=target_form.cleaned_data["salutation"],
                official_data=official_form.official_data(),
                contact_points=points_form.changes(),
                official_seen=target_form.cleaned_data["official_seen"] or None,
            )
        except ApplicationError as exc:
            forms.form_errors_add(target_form, exc)
        else:
            messages.success(request, _("%(official)s saved.") % {"official": official})
            return redirect(reverse("staff_case_edit", args=[pk]) + "#targets-heading")
    context = {
        "case": target.case,
        "target": target,
        "target_form": target_form,
        "official_form": official_form,
        "points_form": points_form,
        "editor_forms": editor_forms,
        "other_cases": official.case_targets.exclude(case_id=pk).count(),
    }
    status = 400 if any(f.errors for f in editor_forms) else 200
    return render(request, "staff/case_target_edit.html", context, status=status)
