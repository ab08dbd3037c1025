"""Forms of the "New case from a document" page: the upload, then the corrected record."""

from __future__ import annotations

import datetime
from typing import Any

from django import forms
from django.core.files.uploadedfile import UploadedFile
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from urgent.cases.models import PersonAtRisk, Theme
from urgent.core.models import Organisation
from urgent.ingest.convert import THEME_NAMES, case_reference
from urgent.ingest.extract import MAX_BYTES
from urgent.ingest.record import THEMES, CaseSheet, Person, Target, UpdateRequest

# Pasted text travels in the request body, which Django caps (DATA_UPLOAD_MAX_MEMORY_SIZE,
# 2.5 MB) well below the file limit; a case sheet is a few thousand characters.
MAX_PASTED_CHARS = 500_000


def country_choices() -> list[tuple[str, str]]:
    import pycountry

    names = sorted(
        ((c.alpha_2, getattr(c, "common_name", None) or c.name) for c in pycountry.countries),
        key=lambda pair: pair[1],
    )
    return [("", "—"), *names]


def country_name(code: str) -> str:
    import pycountry

    found = pycountry.countries.get(alpha_2=code) if code else None
    return str(found.name) if found else ""


def country_from_name(name: str | None) -> str:
    from urgent.ingest.convert import country_code

    return country_code(name)


class DocumentForm(forms.Form):
    file = forms.FileField(
        label=_("Upload a file"),
        required=False,
        help_text=_(
            "PDF, Word (.docx), OpenDocument (.odt), web page (.html), e-mail (.eml) or text; "
            "at most 20 MB."
        ),
        widget=forms.ClearableFileInput(
            attrs={"accept": ".pdf,.docx,.odt,.html,.htm,.eml,.txt,text/*,application/pdf"}
        ),
    )
    text = forms.CharField(
        label=_("Or paste the text of the case sheet"),
        required=False,
        max_length=MAX_PASTED_CHARS,
        error_messages={
            "max_length": _(
                "The text is longer than %(limit)s characters; upload the file instead."
            )
            % {"limit": f"{MAX_PASTED_CHARS:,}"}
        },
        widget=forms.Textarea(attrs={"rows": 10, "maxlength": MAX_PASTED_CHARS}),
    )
    organisation = forms.ModelChoiceField(
        label=_("Organisation issuing the case"),
        queryset=Organisation.objects.order_by("name"),
        required=False,
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if Organisation.objects.count() < 2:
            # one organisation (or none yet): nothing to choose
            del self.fields["organisation"]

    def clean_file(self) -> UploadedFile | None:
        upload: UploadedFile | None = self.cleaned_data.get("file")
        if upload is not None and (upload.size or 0) > MAX_BYTES:
            raise forms.ValidationError(
                _("The file is %(size).1f MB; the limit is 20 MB.")
                % {"size": (upload.size or 0) / 1024 / 1024}
            )
        return upload

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        has_file = bool(data.get("file"))
        has_text = bool((data.get("text") or "").strip())
        if not self.errors and not has_file and not has_text:
            raise forms.ValidationError(_("Choose a file to upload, or paste the text."))
        if has_file and has_text:
            raise forms.ValidationError(
                _("Give either a file or pasted text, not both: clear one of them.")
            )
        return data


def _lines(value: str) -> list[str]:
    return [" ".join(line.split()) for line in value.replace("\r", "").split("\n") if line.strip()]


def _theme_choices() -> list[tuple[str, str]]:
    choices = {slug: str(THEME_NAMES.get(slug, slug)) for slug in THEMES}
    choices.update(dict(Theme.objects.values_list("slug", "name")))
    return sorted(choices.items(), key=lambda pair: pair[1])


class CaseSheetForm(forms.Form):
    """The case's own fields, prefilled from the parsed record."""

    reference = forms.CharField(
        label=_("Reference"),
        max_length=40,
        required=False,
        help_text=_("e.g. UA 118/21. Left empty, the draft gets a provisional reference."),
    )
    headline = forms.CharField(label=_("Headline"), max_length=300, required=False)
    country = forms.ChoiceField(label=_("Country"), choices=country_choices, required=False)
    language = forms.CharField(
        label=_("Language of the document"),
        max_length=8,
        required=False,
        help_text=_("ISO 639-1 code: en, fr, es, de, …"),
    )
    index_number = forms.CharField(label=_("Index number"), max_length=60, required=False)
    issued_on = forms.DateField(
        label=_("Issued"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    deadline = forms.DateField(
        label=_("Deadline"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    story = forms.CharField(
        label=_("Story"), required=False, widget=forms.Textarea(attrs={"rows": 10})
    )
    background = forms.CharField(
        label=_("Background"), required=False, widget=forms.Textarea(attrs={"rows": 5})
    )
    asks = forms.CharField(
        label=_("Asks"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 6}),
        help_text=_("One ask per line."),
    )
    themes = forms.MultipleChoiceField(
        label=_("Themes"),
        required=False,
        choices=_theme_choices,
        widget=forms.CheckboxSelectMultiple,
    )
    update_request_subject = forms.CharField(
        label=_("Subject for update requests"),
        max_length=200,
        required=False,
        help_text=_("As printed in the document; empty for “Keep me updated on <reference>”."),
    )

    def clean_reference(self) -> str:
        return " ".join(self.cleaned_data["reference"].split())

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        issued, deadline = data.get("issued_on"), data.get("deadline")
        if issued and deadline and deadline < issued:
            self.add_error("deadline", _("The deadline is before the date the case was issued."))
        return data

    @classmethod
    def initial_from(cls, sheet: CaseSheet) -> dict[str, Any]:
        request = sheet.update_request
        return {
            "reference": case_reference(sheet.ua_number),
            "headline": sheet.headline or sheet.title or "",
            "country": country_from_name(sheet.country),
            "language": sheet.language or "",
            "index_number": sheet.index_number or "",
            "issued_on": _iso(sheet.date_issued),
            "deadline": _iso(sheet.deadline),
            "story": sheet.story or "",
            "background": sheet.background or "",
            "asks": "\n".join(sheet.asks),
            "themes": list(sheet.themes),
            "update_request_subject": (request.subject or "") if request else "",
        }


def _iso(value: str | None) -> datetime.date | None:
    try:
        return datetime.date.fromisoformat(value) if value else None
    except ValueError:
        return None


class PersonForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=200, required=False)
    pronouns = forms.CharField(label=_("Pronouns"), max_length=40, required=False)
    visibility = forms.ChoiceField(
        label=_("Show the name"),
        choices=PersonAtRisk.Visibility.choices,
        initial=PersonAtRisk.Visibility.PUBLIC,
    )


class TargetForm(forms.Form):
    role = forms.ChoiceField(
        label=_("Role"), choices=[("primary", _("Write to")), ("copy", _("Copy to"))]
    )
    honorific = forms.CharField(
        label=_("Honorific"),
        max_length=100,
        required=False,
        help_text=_("e.g. His Excellency"),
    )
    name = forms.CharField(label=_("Name"), max_length=200, required=False)
    title = forms.CharField(
        label=pgettext_lazy("an official's job", "Title"), max_length=300, required=False
    )
    address = forms.CharField(
        label=_("Postal address"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("One line per line of the address."),
    )
    emails = forms.CharField(
        label=_("Emails"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("One per line."),
    )
    faxes = forms.CharField(
        label=_("Fax numbers"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("One per line, as printed."),
    )
    phones = forms.CharField(
        label=_("Phone numbers"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("One per line, as printed."),
    )
    social = forms.CharField(
        label=_("Social media"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("One handle or address per line."),
    )
    salutation = forms.CharField(label=_("Salutation"), max_length=200, required=False)

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if self.has_changed() and not data.get("DELETE"):
            filled = any(
                (data.get(k) or "").strip()
                for k in ("name", "title", "address", "emails", "faxes", "phones", "social")
            )
            if filled and not (data.get("name") or "").strip() and not (data.get("title") or ""):
                raise forms.ValidationError(
                    _("Give this official a name, a title, or both (or remove them).")
                )
        return data

    def target(self) -> Target | None:
        data = self.cleaned_data
        target = Target(
            role=data.get("role") or "primary",
            honorific=data.get("honorific") or None,
            name=data.get("name") or None,
            title=data.get("title") or None,
            address_lines=_lines(data.get("address") or ""),
            emails=_lines(data.get("emails") or ""),
            faxes=_lines(data.get("faxes") or ""),
            phones=_lines(data.get("phones") or ""),
            social=_lines(data.get("social") or ""),
            salutation=data.get("salutation") or None,
        )
        return None if target.is_empty() else target

    @staticmethod
    def initial_from(target: Target) -> dict[str, Any]:
        return {
            "role": target.role,
            "honorific": target.honorific or "",
            "name": target.name or "",
            "title": target.title or "",
            "address": "\n".join(target.address_lines),
            "emails": "\n".join(target.emails),
            "faxes": "\n".join(target.faxes),
            "phones": "\n".join(target.phones),
            "social": "\n".join(target.social),
            "salutation": target.salutation or "",
        }


class RowFormSet(forms.BaseFormSet):
    def add_fields(self, form: forms.Form, index: int | None) -> None:
        super().add_fields(form, index)
        if "DELETE" in form.fields:
            form.fields["DELETE"].label = _("Leave out")


PersonFormSet = forms.formset_factory(
    PersonForm, formset=RowFormSet, extra=1, can_delete=True, max_num=50
)
TargetFormSet = forms.formset_factory(
    TargetForm, formset=RowFormSet, extra=1, can_delete=True, max_num=30
)


def sheet_from_forms(*, base: CaseSheet, case_form: CaseSheetForm, targets: Any) -> CaseSheet:
    """The record as the coordinator corrected it (people are passed to the service apart)."""
    data = case_form.cleaned_data
    subject = data.get("update_request_subject") or ""
    request = base.update_request
    if subject:
        request = UpdateRequest(email=request.email if request else None, subject=subject)
    return CaseSheet(
        kind=base.kind,
        language=data.get("language") or None,
        ua_number=data.get("reference") or None,
        index_number=data.get("index_number") or None,
        title=base.title,
        headline=data.get("headline") or None,
        country=country_name(data.get("country") or "") or None,
        date_issued=data["issued_on"].isoformat() if data.get("issued_on") else None,
        deadline=data["deadline"].isoformat() if data.get("deadline") else None,
        persons=[Person(p.name, p.gender) for p in base.persons],
        asks=_lines(data.get("asks") or ""),
        targets=[
            target
            for form in targets.forms
            if not form.cleaned_data.get("DELETE")
            for target in [form.target()]
            if target is not None
        ],
        update_request=request,
        story=data.get("story") or None,
        background=data.get("background") or None,
        themes=list(data.get("themes") or []),
        confidence=dict(base.confidence),
        missing=list(base.missing),
        uncertain=list(base.uncertain),
    )


def people_from_forms(people: Any) -> list[dict[str, str]]:
    rows = []
    for form in people.forms:
        data = form.cleaned_data
        if data.get("DELETE") or not (data.get("name") or "").strip():
            continue
        rows.append(
            {
                "name": data["name"],
                "pronouns": data.get("pronouns") or "",
                "visibility": data.get("visibility") or PersonAtRisk.Visibility.PUBLIC,
            }
        )
    return rows
