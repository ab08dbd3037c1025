"""Photos of the people at risk: upload, crop, describe, consent, remove."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from urgent.cases import selectors as case_selectors
from urgent.cases import services
from urgent.cases.models import PersonAtRisk
from urgent.core.access import staff_required
from urgent.core.errors import ApplicationError
from urgent.core.images import MAX_BYTES, ImageRefused
from urgent.core.roles import EDIT
from urgent.staff import forms


@staff_required(EDIT)
def person_photo(request: HttpRequest, pk: int, person_pk: int) -> HttpResponse:
    """Upload, crop, describe and consent to a photo of a person at risk."""
    person = get_object_or_404(
        PersonAtRisk.objects.select_related("case"), pk=person_pk, case_id=pk
    )
    crop = person.photo_crop or {}
    form = forms.PhotoForm(
        request.POST or None,
        request.FILES or None,
        initial={
            "alt": person.photo_alt,
            "public": person.photo_public,
            "aspect": crop.get("aspect", "4:5"),
            "focus": _nearest_focus(crop.get("x", 50), crop.get("y", 50)),
        },
    )
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["photo"]
        try:
            if upload is not None and upload.size > MAX_BYTES:
                raise ImageRefused(_("The photo is larger than 10 MB; send a smaller copy."))
            services.person_photo_set(
                person=person,
                actor=request.user,
                alt=form.cleaned_data["alt"],
                public=form.cleaned_data["public"],
                crop=form.crop(),
                upload=upload.read() if upload is not None else None,
            )
        except ImageRefused as exc:
            form.add_error("photo", exc.message)
        except ApplicationError as exc:
            forms.form_errors_add(form, exc)
        else:
            messages.success(request, _("Photo saved."))
            return redirect("staff_person_photo", pk, person.pk)
    context = {
        "case": person.case,
        "person": person,
        "form": form,
        "photo": case_selectors.person_photo(person=person, staff=True),
        "shown": case_selectors.person_photo_visible(person=person, case=person.case),
    }
    return render(request, "staff/person_photo.html", context, status=400 if form.errors else 200)


def _nearest_focus(x: int, y: int) -> str:
    """The point of the form's 3 × 3 grid nearest to a stored focus point."""
    points = [tuple(int(v) for v in value.split(",")) for value, _label in forms.FOCUS_POINTS]
    nearest = min(points, key=lambda p: (p[0] - x) ** 2 + (p[1] - y) ** 2)
    return f"{nearest[0]},{nearest[1]}"


@staff_required(EDIT)
@require_POST
def person_photo_remove(request: HttpRequest, pk: int, person_pk: int) -> HttpResponse:
    person = get_object_or_404(PersonAtRisk, pk=person_pk, case_id=pk)
    services.person_photo_remove(person=person, actor=request.user)
    messages.success(request, _("Photo removed, with every copy of it."))
    return redirect("staff_case_edit", pk)
