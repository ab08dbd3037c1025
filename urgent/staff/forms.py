from __future__ import annotations

from typing import Any

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from urgent.cases.models import Case, CaseTarget, Outcome, PersonAtRisk, Theme
from urgent.core.errors import ApplicationError
from urgent.officials.models import ContactPoint
from urgent.officials.services import OFFICIAL_FIELDS


def form_errors_add(form: Any, exc: ApplicationError) -> None:
    """Put a service's refusal on the form: next to its fields, or above them."""
    for field, problems in exc.fields.items():
        for problem in problems:
            form.add_error(field if field in form.fields else None, problem)
    if not exc.fields:
        form.add_error(None, exc.message)


def country_choices() -> list[tuple[str, str]]:
    import pycountry

    names = sorted(
        ((c.alpha_2, getattr(c, "common_name", None) or c.name) for c in pycountry.countries),
        key=lambda pair: pair[1],
    )
    return [("", "—"), *names]


class CaseForm(forms.Form):
    reference = forms.CharField(label=_("Reference"), max_length=40, help_text=_("e.g. UA 118/21"))
    headline = forms.CharField(label=_("Headline"), max_length=300)
    country = forms.ChoiceField(label=_("Country"), choices=country_choices)
    language = forms.ChoiceField(
        label=_("Language of the case"),
        choices=[("en", "English"), ("fr", "Français"), ("es", "Español"), ("de", "Deutsch")],
    )
    themes = forms.ModelMultipleChoiceField(
        label=_("Themes"),
        queryset=Theme.objects.all(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    story = forms.CharField(
        label=_("Story"), widget=forms.Textarea(attrs={"rows": 10}), required=False
    )
    background = forms.CharField(
        label=_("Background"), widget=forms.Textarea(attrs={"rows": 6}), required=False
    )
    issued_on = forms.DateField(
        label=_("Issued"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    deadline = forms.DateField(
        label=_("Deadline"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    index_number = forms.CharField(label=_("Index number"), max_length=60, required=False)
    update_request_subject = forms.CharField(
        label=_("Subject for update requests"),
        max_length=200,
        required=False,
        help_text=_("Leave empty for “Keep me updated on <reference>”."),
    )
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    def clean_reference(self) -> str:
        value = " ".join(self.cleaned_data["reference"].split())
        if not any(ch.isdigit() for ch in value):
            raise forms.ValidationError(_("A reference has a number, such as UA 118/21."))
        return value

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        issued, deadline = data.get("issued_on"), data.get("deadline")
        if issued and deadline and deadline < issued:
            self.add_error("deadline", _("The deadline is before the date the case was issued."))
        return data


class PeopleForm(forms.Form):
    """Rows of people at risk; a row with an empty name is dropped."""

    ROWS_EXTRA = 2

    def __init__(self, *args: Any, people: list[PersonAtRisk] | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        people = people or []
        self.people_by_row = people
        for i in range(len(people) + self.ROWS_EXTRA):
            person = people[i] if i < len(people) else None
            self.fields[f"id_{i}"] = forms.IntegerField(
                widget=forms.HiddenInput, required=False, initial=person.pk if person else None
            )
            self.fields[f"name_{i}"] = forms.CharField(
                label=_("Name"),
                max_length=200,
                required=False,
                initial=person.name if person else "",
            )
            self.fields[f"pronouns_{i}"] = forms.CharField(
                label=_("Pronouns"),
                max_length=40,
                required=False,
                initial=person.pronouns if person else "",
            )
            self.fields[f"visibility_{i}"] = forms.ChoiceField(
                label=_("Show name as"),
                choices=PersonAtRisk.Visibility.choices,
                initial=person.visibility if person else PersonAtRisk.Visibility.PUBLIC,
            )
        self.rows = len(people) + self.ROWS_EXTRA

    def row_fields(
        self,
    ) -> list[tuple[PersonAtRisk | None, forms.BoundField, list[forms.BoundField]]]:
        """Per row: the person it stands for (None for a new one), its id field, its fields."""
        return [
            (
                self.people_by_row[i] if i < len(self.people_by_row) else None,
                self[f"id_{i}"],
                [self[f"name_{i}"], self[f"pronouns_{i}"], self[f"visibility_{i}"]],
            )
            for i in range(self.rows)
        ]

    def people(self) -> list[dict[str, Any]]:
        data = self.cleaned_data
        return [
            {
                "id": data.get(f"id_{i}"),
                "name": data[f"name_{i}"],
                "pronouns": data[f"pronouns_{i}"],
                "visibility": data[f"visibility_{i}"],
            }
            for i in range(self.rows)
            if data.get(f"name_{i}", "").strip()
        ]


class AsksForm(forms.Form):
    asks = forms.CharField(
        label=_("Asks, one per line"),
        widget=forms.Textarea(attrs={"rows": 6}),
        required=False,
        help_text=_("Each line becomes one recommended action, in this order."),
    )

    def ask_list(self) -> list[str]:
        return [
            line.strip(" •-\t") for line in self.cleaned_data["asks"].splitlines() if line.strip()
        ]


class TargetAddForm(forms.Form):
    official = forms.IntegerField(widget=forms.HiddenInput)
    role = forms.ChoiceField(label=_("Role"), choices=CaseTarget.Role.choices)
    salutation = forms.CharField(
        label=_("Salutation for this case"), max_length=200, required=False
    )


FOCUS_POINTS = [
    ("15,15", _("Top left")),
    ("50,15", _("Top")),
    ("85,15", _("Top right")),
    ("15,50", _("Left")),
    ("50,50", _("Centre")),
    ("85,50", _("Right")),
    ("15,85", _("Bottom left")),
    ("50,85", _("Bottom")),
    ("85,85", _("Bottom right")),
]


class PhotoForm(forms.Form):
    """A person's photo: the file, what it shows, consent, and how to crop it."""

    photo = forms.FileField(
        label=_("Photo"),
        required=False,
        help_text=_(
            "A JPEG, PNG or WebP file up to 10 MB. Camera details and the place it was taken "
            "are removed."
        ),
        widget=forms.ClearableFileInput(attrs={"accept": "image/jpeg,image/png,image/webp"}),
    )
    alt = forms.CharField(
        label=_("Describe the photo"),
        max_length=300,
        help_text=_("For people who cannot see it, e.g. “Maya Ovezova smiling, outdoors”."),
    )
    public = forms.BooleanField(
        label=_("The person or their family agreed that this photo may be shown publicly"),
        required=False,
        help_text=_("While action is stopped or names are hidden, it is not shown anyway."),
    )
    aspect = forms.ChoiceField(
        label=_("Shape"),
        choices=[
            ("4:5", _("Portrait (4 by 5)")),
            ("1:1", _("Square")),
            ("3:2", _("Landscape (3 by 2)")),
            ("original", _("As taken, uncropped")),
        ],
        widget=forms.RadioSelect,
        initial="4:5",
    )
    focus = forms.ChoiceField(
        label=_("Keep this part in view"),
        choices=FOCUS_POINTS,
        widget=forms.RadioSelect,
        initial="50,50",
    )

    def crop(self) -> dict[str, Any]:
        x, y = self.cleaned_data["focus"].split(",")
        return {"aspect": self.cleaned_data["aspect"], "x": int(x), "y": int(y)}


class TargetForm(forms.Form):
    """A target's place on one case; the version is the case's, for the concurrent-edit check."""

    role = forms.ChoiceField(
        label=_("Role"), choices=CaseTarget.Role.choices, widget=forms.RadioSelect
    )
    salutation = forms.CharField(
        label=_("Salutation for this case"),
        max_length=200,
        required=False,
        help_text=_("Leave empty to use the official's own salutation."),
    )
    version = forms.IntegerField(widget=forms.HiddenInput)
    # The official as read (officials.selectors.official_fingerprint): it is shared by
    # other cases, whose editors do not move this case's version.
    official_seen = forms.CharField(widget=forms.HiddenInput, required=False, max_length=64)


class ContactPointsForm(forms.Form):
    """The official's contact points, each editable, and one more to add."""

    VALUE_LABELS: dict[str, Any] = {
        ContactPoint.Kind.FAX: _("Number"),
        ContactPoint.Kind.PHONE: _("Number"),
        ContactPoint.Kind.SOCIAL: _("Handle or address"),
    }

    def __init__(self, *args: Any, points: list[ContactPoint], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # A contact point added since the page was drawn is not in what it sends back:
        # it is left as it is, not refused as a required field the person never saw.
        if self.is_bound:
            points = [p for p in points if self.add_prefix(f"value_{p.pk}") in self.data]
        self.points = points
        for point in points:
            widget = (
                forms.Textarea(attrs={"rows": 4})
                if point.kind == ContactPoint.Kind.POSTAL
                else forms.TextInput
            )
            self.fields[f"value_{point.pk}"] = forms.CharField(
                label=self.VALUE_LABELS.get(point.kind, _("Address")),
                max_length=1000,
                initial=point.value,
                widget=widget,
            )
            self.fields[f"label_{point.pk}"] = forms.CharField(
                label=_("Label"), max_length=100, required=False, initial=point.label
            )
        self.fields["new_kind"] = forms.ChoiceField(
            label=_("Kind"), choices=[("", "—"), *ContactPoint.Kind.choices], required=False
        )
        self.fields["new_value"] = forms.CharField(
            label=_("Address, number or handle"),
            max_length=1000,
            required=False,
            widget=forms.Textarea(attrs={"rows": 3}),
        )
        self.fields["new_label"] = forms.CharField(label=_("Label"), max_length=100, required=False)

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if (data.get("new_value") or "").strip() and not data.get("new_kind"):
            self.add_error("new_kind", _("Say what kind of contact point this is."))
        return data

    def rows(self) -> list[tuple[ContactPoint, forms.BoundField, forms.BoundField]]:
        return [(p, self[f"value_{p.pk}"], self[f"label_{p.pk}"]) for p in self.points]

    def changes(self) -> list[dict[str, Any]]:
        data = self.cleaned_data
        changes: list[dict[str, Any]] = [
            {"id": p.pk, "value": data[f"value_{p.pk}"], "label": data[f"label_{p.pk}"]}
            for p in self.points
        ]
        if (data.get("new_value") or "").strip():
            changes.append(
                {"kind": data["new_kind"], "value": data["new_value"], "label": data["new_label"]}
            )
        return changes


class OfficialForm(forms.Form):
    honorific = forms.CharField(
        label=_("Honorific"), max_length=100, required=False, help_text=_("e.g. His Excellency, Dr")
    )
    name = forms.CharField(label=_("Name"), max_length=200, required=False)
    title = forms.CharField(
        label=pgettext_lazy("an official's job", "Title"),
        max_length=300,
        required=False,
        help_text=_("e.g. Minister of Justice"),
    )
    organisation = forms.CharField(label=_("Organisation"), max_length=300, required=False)
    country = forms.ChoiceField(label=_("Country"), choices=country_choices, required=False)
    preferred_language = forms.CharField(
        label=_("Preferred language"), max_length=8, required=False
    )
    salutation = forms.CharField(
        label=_("Salutation"), max_length=200, required=False, help_text=_("e.g. Dear Minister,")
    )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if not data.get("name", "").strip() and not data.get("title", "").strip():
            raise forms.ValidationError(_("Give a name, a title, or both."))
        return data

    def official_data(self) -> dict[str, str]:
        return {k: self.cleaned_data.get(k, "") for k in OFFICIAL_FIELDS}


class NewOfficialForm(OfficialForm):
    """An official and its first contact points, added to the directory and to the case."""

    postal = forms.CharField(
        label=_("Postal address"), widget=forms.Textarea(attrs={"rows": 4}), required=False
    )
    email = forms.EmailField(label=_("Email"), required=False)
    fax = forms.CharField(label=_("Fax"), max_length=40, required=False)
    phone = forms.CharField(label=_("Phone"), max_length=40, required=False)
    social = forms.CharField(label=_("Social media handle"), max_length=100, required=False)
    role = forms.ChoiceField(label=_("Role"), choices=CaseTarget.Role.choices)

    def contact_points(self) -> list[tuple[str, str]]:
        return [
            (kind, self.cleaned_data[kind])
            for kind in ("postal", "email", "fax", "phone", "social")
            if self.cleaned_data.get(kind, "").strip()
        ]


class ContactPointForm(forms.Form):
    kind = forms.ChoiceField(label=_("Kind"), choices=ContactPoint.Kind.choices)
    value = forms.CharField(label=_("Value"), widget=forms.Textarea(attrs={"rows": 3}))
    label = forms.CharField(label=_("Label"), max_length=100, required=False)


class UpdateForm(forms.Form):
    title = forms.CharField(
        label=_("Title"),
        max_length=300,
        required=False,
        help_text=_("Leave empty for “Further information on <reference>”."),
    )
    body = forms.CharField(label=_("What has happened"), widget=forms.Textarea(attrs={"rows": 10}))
    issued_on = forms.DateField(
        label=_("Date"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    replace_asks = forms.BooleanField(label=_("Replace the asks"), required=False)
    asks = forms.CharField(
        label=_("New asks, one per line"), required=False, widget=forms.Textarea(attrs={"rows": 5})
    )
    status = forms.ChoiceField(
        label=_("Case status after this update"),
        choices=[("", _("Unchanged")), (Case.Status.ACTIVE, _("Active"))],
        required=False,
    )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("replace_asks") and not (data.get("asks") or "").strip():
            self.add_error("asks", _("Give the new asks, or untick “Replace the asks”."))
        return data


class CloseForm(forms.Form):
    kind = forms.ChoiceField(label=_("Outcome"), choices=Outcome.Kind.choices)
    occurred_on = forms.DateField(label=_("Date"), widget=forms.DateInput(attrs={"type": "date"}))
    summary = forms.CharField(
        label=_("Summary"), widget=forms.Textarea(attrs={"rows": 5}), required=False
    )

    def clean_occurred_on(self) -> Any:
        day = self.cleaned_data["occurred_on"]
        if day > timezone.localdate():
            raise forms.ValidationError(_("The date cannot be in the future."))
        return day


class StopForm(forms.Form):
    stopped = forms.BooleanField(label=_("Stop action on this case"), required=False)
    hide_names = forms.BooleanField(label=_("Hide the names of the people at risk"), required=False)
    reason = forms.CharField(
        label=_("Reason (kept in the audit log)"),
        max_length=500,
        widget=forms.Textarea(attrs={"rows": 3}),
    )


class TranslationForm(forms.Form):
    headline = forms.CharField(label=_("Headline"), max_length=300)
    story = forms.CharField(
        label=_("Story"), widget=forms.Textarea(attrs={"rows": 10}), required=False
    )
    background = forms.CharField(
        label=_("Background"), widget=forms.Textarea(attrs={"rows": 6}), required=False
    )
    asks = forms.CharField(
        label=_("Asks, one per line"), widget=forms.Textarea(attrs={"rows": 6}), required=False
    )
    done = forms.BooleanField(label=_("This translation is complete"), required=False)
    # The translation's version when the page was opened (0: none yet), for the
    # concurrent-edit check; empty from a client that does not send it.
    version = forms.IntegerField(widget=forms.HiddenInput, required=False, min_value=0)
