"""Staff page "New case from a document": read a file, correct the fields, save a draft."""

from __future__ import annotations

from typing import Any
from uuid import UUID

from django.contrib import messages
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.text import capfirst
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext
from django.views.decorators.http import require_POST

from urgent.cases.models import Case
from urgent.core.access import staff_required
from urgent.core.errors import ApplicationError
from urgent.core.roles import EDIT
from urgent.ingest import forms, services
from urgent.ingest.convert import PRONOUNS, sheet_from_record
from urgent.ingest.errors import IngestError
from urgent.ingest.models import SourceDocument
from urgent.ingest.selectors import (
    MATCHED_BY,
    case_staff_path,
    source_document_list_unsaved,
    target_matches,
)

# Form field -> the record field whose absence or doubt it shows.
RECORD_FIELD = {
    "reference": "ua_number",
    "headline": "title",
    "country": "country",
    "language": "language",
    "index_number": "index_number",
    "issued_on": "date_issued",
    "deadline": "deadline",
    "asks": "asks",
    "update_request_subject": "update_request",
    "themes": "themes",
}
FIELD_LABELS = {
    "kind": gettext_lazy("Kind of document"),
    "ua_number": gettext_lazy("Reference"),
    "title": gettext_lazy("Headline"),
    "country": gettext_lazy("Country"),
    "language": gettext_lazy("Language"),
    "index_number": gettext_lazy("Index number"),
    "date_issued": gettext_lazy("Issued"),
    "deadline": gettext_lazy("Deadline"),
    "persons": gettext_lazy("People at risk"),
    "asks": gettext_lazy("Asks"),
    "targets": gettext_lazy("Officials to write to"),
    "update_request": gettext_lazy("Subject for update requests"),
}
FIELD_ANCHORS = {
    "persons": "people-heading",
    "targets": "targets-heading",
    "kind": "fields-heading",
    **{record: f"id_{form}" for form, record in RECORD_FIELD.items()},
}


def _source(uuid: UUID) -> SourceDocument:
    return get_object_or_404(
        SourceDocument.objects.select_related("organisation", "case", "update"), uuid=uuid
    )


def _message(exc: IngestError) -> str:
    text = capfirst(exc.message)
    return text if text.endswith((".", "?", "!")) else text + "."


@staff_required(EDIT)
def import_start(request: HttpRequest) -> HttpResponse:
    form = forms.DocumentForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data.get("file")
        if upload is not None:
            data, filename, field = upload.read(), upload.name, "file"
        else:
            data, filename, field = form.cleaned_data["text"].encode(), "pasted-text.txt", "text"
        organisation = form.cleaned_data.get("organisation") or services.organisation_default()
        try:
            source = services.source_document_create(
                data=data, filename=filename, organisation=organisation, actor=request.user
            )
        except IngestError as exc:
            form.add_error(field, _message(exc))
        else:
            return redirect("ingest_review", source.uuid)
    return render(
        request,
        "ingest/import_start.html",
        {"form": form, "unsaved": source_document_list_unsaved()},
    )


@staff_required(EDIT)
def import_review(request: HttpRequest, uuid: UUID) -> HttpResponse:
    source = _source(uuid)
    if source.case is not None:
        messages.info(
            request,
            _("This document was already saved as %(ref)s.") % {"ref": source.case.reference},
        )
        return redirect(case_staff_path(source.case))
    sheet = sheet_from_record(source.record)
    if request.method == "POST":
        case_form = forms.CaseSheetForm(request.POST)
        people = forms.PersonFormSet(request.POST, prefix="people")
        targets = forms.TargetFormSet(request.POST, prefix="targets")
        if case_form.is_valid() and people.is_valid() and targets.is_valid():
            corrected = forms.sheet_from_forms(base=sheet, case_form=case_form, targets=targets)
            try:
                result = services.case_import_save(
                    source=source,
                    sheet=corrected,
                    actor=request.user,
                    people=forms.people_from_forms(people),
                )
            except ApplicationError as exc:
                for name, problems in exc.fields.items():
                    for problem in problems:
                        case_form.add_error(name if name in case_form.fields else None, problem)
                if not exc.fields:
                    case_form.add_error(None, exc.message)
            else:
                assert result.case is not None
                messages.success(request, _saved_message(result))
                return redirect(case_staff_path(result.case))
    else:
        case_form = forms.CaseSheetForm(initial=forms.CaseSheetForm.initial_from(sheet))
        people = forms.PersonFormSet(
            prefix="people",
            initial=[
                {"name": p.name, "pronouns": PRONOUNS.get(p.gender or "", "")}
                for p in sheet.persons
            ],
        )
        targets = forms.TargetFormSet(
            prefix="targets", initial=[forms.TargetForm.initial_from(t) for t in sheet.targets]
        )
    return render(
        request,
        "ingest/import_review.html",
        _review_context(source, sheet, case_form, people, targets),
    )


def _review_context(
    source: SourceDocument, sheet: Any, case_form: Any, people: Any, targets: Any
) -> dict[str, Any]:
    missing, uncertain = set(sheet.missing), set(sheet.uncertain)

    def flag(record_field: str) -> str:
        if record_field in missing:
            return "missing"
        if record_field in uncertain:
            return "uncertain"
        # themes are read from the words of the document: always a suggestion to check
        return "suggested" if record_field == "themes" and sheet.themes else ""

    country = forms.country_from_name(sheet.country)
    matches = target_matches(targets=sheet.targets, country=country)
    target_rows = []
    for i, form in enumerate(targets.forms):
        match = matches[i] if i < len(matches) else None
        target_rows.append(
            {
                "form": form,
                "match": match,
                "matched_by": MATCHED_BY[match.matched_by] if match else "",
            }
        )
    matching = services.source_document_match(source=source)
    return {
        "source": source,
        "sheet": sheet,
        "case_form": case_form,
        "fields": [
            (case_form[name], flag(RECORD_FIELD.get(name, ""))) for name in case_form.fields
        ],
        "people": people,
        "people_flag": flag("persons"),
        "targets": targets,
        "target_rows": target_rows,
        "targets_flag": flag("targets"),
        "missing": [(FIELD_LABELS.get(f, f), FIELD_ANCHORS.get(f, "")) for f in sheet.missing],
        "uncertain": [(FIELD_LABELS.get(f, f), FIELD_ANCHORS.get(f, "")) for f in sheet.uncertain],
        "update_request": sheet.update_request,
        "update_email": source.organisation.update_request_email,
        "matching_case": matching,
        "can_add_update": matching is not None
        and sheet.kind == "update"
        and matching.status != Case.Status.DRAFT,
        "matching_url": case_staff_path(matching) if matching else "",
    }


def _saved_message(result: services.ImportResult) -> str:
    assert result.case is not None
    created = len(result.officials_created)
    reused = len(result.officials_reused)
    parts = [
        _("Draft %(ref)s saved from the document.") % {"ref": result.case.reference},
        ngettext(
            "%(count)d official added to the directory.",
            "%(count)d officials added to the directory.",
            created,
        )
        % {"count": created},
        ngettext(
            "%(count)d official was already there.",
            "%(count)d officials were already there.",
            reused,
        )
        % {"count": reused},
    ]
    return " ".join(parts)


@staff_required(EDIT)
@require_POST
def import_add_update(request: HttpRequest, uuid: UUID) -> HttpResponse:
    source = _source(uuid)
    case = services.source_document_match(source=source)
    if case is None or source.case is not None:
        raise Http404("no case to add this document to")
    try:
        result = services.update_import(source=source, case=case, actor=request.user)
    except ApplicationError as exc:
        messages.error(request, exc.message)
        return redirect("ingest_review", source.uuid)
    assert result.update is not None
    messages.success(
        request,
        _("Further Information %(n)d added to %(ref)s.")
        % {"n": result.update.number, "ref": case.reference},
    )
    return redirect(case_staff_path(case))


@staff_required(EDIT)
@require_POST
def import_discard(request: HttpRequest, uuid: UUID) -> HttpResponse:
    source = _source(uuid)
    try:
        services.source_document_discard(source=source, actor=request.user)
    except ApplicationError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("The document %(name)s was discarded.") % {"name": source})
    return redirect("ingest_start")


@staff_required(EDIT)
def import_original(request: HttpRequest, uuid: UUID) -> FileResponse:
    source = _source(uuid)
    try:
        handle = source.file.open("rb")
    except FileNotFoundError as exc:
        raise Http404("the stored file is missing") from exc
    # Always a download, never rendered: an uploaded web page must not run in our origin.
    return FileResponse(
        handle,
        as_attachment=True,
        filename=source.filename or f"document-{source.sha256[:12]}",
        content_type="application/octet-stream",
    )
