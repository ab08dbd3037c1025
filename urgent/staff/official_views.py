"""The Official directory: search, edit, contact-point health and history, merge duplicates."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.db.models import Count, Q
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from urgent.cases.services import official_merge as case_official_merge
from urgent.core.access import staff_required
from urgent.core.errors import ApplicationError
from urgent.core.models import AuditEntry
from urgent.core.roles import EDIT, VIEW, role_can
from urgent.officials import services
from urgent.officials.models import ContactPoint, Official
from urgent.officials.selectors import official_search
from urgent.staff import forms


@staff_required(VIEW)
def official_list(request: HttpRequest) -> HttpResponse:
    query = request.GET.get("q", "").strip()[:100]
    health = request.GET.get("health", "")
    unwell = (
        health if health in set(ContactPoint.Health.values) - {ContactPoint.Health.OK} else None
    )
    officials = official_search(text=query, health=unwell).annotate(
        case_count=Count("case_targets", distinct=True),
        unhealthy=Count(
            "contact_points",
            filter=~Q(contact_points__health=ContactPoint.Health.OK),
            distinct=True,
        ),
    )
    return render(
        request,
        "staff/official_list.html",
        {
            "officials": officials[:200],
            "q": query,
            "health": health,
        },
    )


def _history(official: Official) -> Any:
    point_ids = [str(pk) for pk in official.contact_points.values_list("pk", flat=True)]
    return AuditEntry.objects.filter(
        Q(object_type="officials.official", object_id=str(official.pk))
        | Q(object_type="officials.contactpoint", object_id__in=point_ids)
    )[:50]


def _delivery_counts(point: ContactPoint) -> dict[str, int]:
    """Messages sent to a contact point, by status, from whichever models deliver to it."""
    counts: dict[str, int] = {}
    for relation in point._meta.related_objects:
        if not relation.one_to_many:
            continue
        model = relation.related_model
        if isinstance(model, str) or "status" not in {f.name for f in model._meta.fields}:
            continue
        rows = (
            model._default_manager.filter(**{relation.field.name: point})
            .values_list("status")
            .annotate(n=Count("pk"))
        )
        for status, n in rows:
            counts[status] = counts.get(status, 0) + n
    return counts


@staff_required(VIEW)
def official_detail(request: HttpRequest, pk: int) -> HttpResponse:
    official = get_object_or_404(Official, pk=pk)
    form = forms.OfficialForm(
        request.POST or None,
        initial={k: getattr(official, k) for k in services.OFFICIAL_FIELDS},
    )
    if request.method == "POST":
        if not role_can(request.user, EDIT):
            messages.error(request, _("Your role does not allow editing officials."))
            return redirect("staff_official_detail", official.pk)
        if form.is_valid():
            try:
                services.official_update(
                    official=official, actor=request.user, data=form.official_data()
                )
            except ApplicationError as exc:
                form.add_error(None, exc.message)
            else:
                messages.success(request, _("Official saved."))
                return redirect("staff_official_detail", official.pk)
    points = [(p, _delivery_counts(p)) for p in official.contact_points.all()]
    query = request.GET.get("merge", "").strip()[:100]
    candidates = []
    if query:
        candidates = list(
            Official.objects.exclude(pk=official.pk)
            .filter(
                Q(name__icontains=query)
                | Q(title__icontains=query)
                | Q(contact_points__value__icontains=query)
            )
            .distinct()[:20]
        )
    return render(
        request,
        "staff/official_detail.html",
        {
            "official": official,
            "form": form,
            "points": points,
            "cases": official.case_targets.select_related("case"),
            "history": _history(official),
            "contact_form": forms.ContactPointForm(),
            "merge_query": query,
            "candidates": candidates,
        },
        status=400 if form.errors else 200,
    )


@staff_required(EDIT)
@require_POST
def contact_point_add(request: HttpRequest, pk: int) -> HttpResponse:
    official = get_object_or_404(Official, pk=pk)
    form = forms.ContactPointForm(request.POST)
    if form.is_valid():
        try:
            services.contact_point_add(official=official, actor=request.user, **form.cleaned_data)
        except ApplicationError as exc:
            messages.error(request, exc.message)
        else:
            messages.success(request, _("Contact point added."))
    else:
        messages.error(request, _("Give the kind and the value of the contact point."))
    return redirect("staff_official_detail", official.pk)


@staff_required(EDIT)
@require_POST
def contact_point_health(request: HttpRequest, pk: int) -> HttpResponse:
    point = get_object_or_404(ContactPoint, pk=pk)
    health = request.POST.get("health", "")
    try:
        services.contact_point_health_set(
            contact_point=point,
            actor=request.user,
            health=health,
            note=request.POST.get("note", ""),
        )
    except ApplicationError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(
            request,
            _("Marked as working and confirmed today.") if health == "ok" else _("Marked dead."),
        )
    return redirect("staff_official_detail", point.official_id)


@staff_required(EDIT)
@require_POST
def official_merge(request: HttpRequest, pk: int) -> HttpResponse:
    keep = get_object_or_404(Official, pk=pk)
    duplicate = Official.objects.filter(pk=request.POST.get("duplicate") or 0).first()
    if duplicate is None:
        messages.error(request, _("Choose the duplicate to merge into this official."))
        return redirect("staff_official_detail", keep.pk)
    try:
        case_official_merge(keep=keep, duplicate=duplicate, actor=request.user)
    except ApplicationError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("Merged: one official now holds both records."))
    return redirect("staff_official_detail", keep.pk)
