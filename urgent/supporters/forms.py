"""Public forms: joining, "Keep me updated", the preference centre, erasure."""

from __future__ import annotations

from typing import Any, cast

import pycountry
from django import forms
from django.conf import settings
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from urgent.cases.models import Case, Theme
from urgent.core.countries import country_name
from urgent.core.text import one_line_clean
from urgent.supporters.addresses import AddressRejected, address_check
from urgent.supporters.models import Supporter

# The same values as actions.Action.Channel: how a supporter prefers to take action.
CHANNEL_CHOICES = [
    ("email", _("Email sent through this site")),
    ("mail_app", _("My own email app")),
    ("post", _("Letters by post")),
    ("fax", _("Fax")),
    ("phone", _("Phone calls")),
    ("social", _("Social media")),
]


def _all_countries() -> list[tuple[str, str]]:
    language = get_language() or "en"
    pairs = [(c.alpha_2, country_name(c.alpha_2, language)) for c in pycountry.countries]
    return sorted(pairs, key=lambda pair: pair[1])


def _case_countries(selected: list[str]) -> list[tuple[str, str]]:
    codes = set(
        Case.objects.filter(status__in=[Case.Status.ACTIVE, Case.Status.CLOSED])
        .values_list("country", flat=True)
        .distinct()
    )
    codes.update(code for code in selected if len(code) == 2)
    language = get_language() or "en"
    return sorted(((c, country_name(c, language)) for c in codes), key=lambda pair: pair[1])


class HoneypotMixin(forms.Form):
    # Hidden from people (CSS and aria-hidden) but filled in by form-spamming robots.
    website = forms.CharField(required=False, label=_("Leave this empty"))

    def is_robot(self) -> bool:
        return bool(self.data.get("website", "").strip())


class EmailMixin(forms.Form):
    email = forms.CharField(
        label=_("Email"),
        max_length=254,
        widget=forms.EmailInput(attrs={"autocomplete": "email", "spellcheck": "false"}),
    )

    def clean_email(self) -> str:
        try:
            return address_check(self.cleaned_data.get("email", ""))
        except AddressRejected as exc:
            raise forms.ValidationError(exc.message, code=exc.code) from exc


class ProfileMixin(forms.Form):
    name = forms.CharField(
        label=_("Your name, as you sign letters"),
        max_length=200,
        widget=forms.TextInput(attrs={"autocomplete": "name"}),
    )
    city = forms.CharField(
        label=_("City or town"),
        max_length=100,
        required=False,
        widget=forms.TextInput(attrs={"autocomplete": "address-level2"}),
    )
    country = forms.ChoiceField(label=_("Country you live in"), required=False)
    language = forms.ChoiceField(label=_("Language for our emails"), choices=settings.LANGUAGES)
    countries = forms.MultipleChoiceField(
        label=_("Countries you want to hear about"),
        help_text=_("Choose none to hear about every country."),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    themes = forms.MultipleChoiceField(
        label=_("Themes you want to hear about"),
        help_text=_("Choose none to hear about every theme."),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    frequency = forms.ChoiceField(
        label=_("How often"),
        choices=Supporter.Frequency.choices,
        initial=Supporter.Frequency.EVERY_CASE,
        widget=forms.RadioSelect,
    )
    monthly_cap = forms.IntegerField(
        label=_("At most this many cases a month"),
        min_value=1,
        max_value=31,
        required=False,
        widget=forms.NumberInput(attrs={"inputmode": "numeric"}),
    )
    channels = forms.MultipleChoiceField(
        label=_("How you like to take action"),
        choices=CHANNEL_CHOICES,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        cast(forms.ChoiceField, self.fields["country"]).choices = [
            ("", _("Prefer not to say")),
            *_all_countries(),
        ]
        posted = self.data.getlist("countries") if hasattr(self.data, "getlist") else []
        selected = list(self.initial.get("countries") or posted)
        cast(forms.ChoiceField, self.fields["countries"]).choices = _case_countries(selected)
        cast(forms.ChoiceField, self.fields["themes"]).choices = [
            (t.slug, t.name) for t in Theme.objects.order_by("name")
        ]
        if not self.is_bound and "language" not in self.initial:
            self.initial["language"] = (get_language() or "en").split("-")[0]

    def clean_name(self) -> str:
        return one_line_clean(
            self.cleaned_data.get("name", ""),
            message=_("Write your name on one line, without line breaks."),
        )

    def clean_city(self) -> str:
        return one_line_clean(
            self.cleaned_data.get("city", ""),
            message=_("Write your city or town on one line, without line breaks."),
        )

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        if cleaned.get("frequency") == Supporter.Frequency.MONTHLY_CAP:
            if not cleaned.get("monthly_cap"):
                self.add_error("monthly_cap", _("Say how many cases a month at most (1 to 31)."))
        else:
            cleaned["monthly_cap"] = None
        return cleaned

    def profile(self) -> dict[str, Any]:
        data = self.cleaned_data
        return {
            "name": data["name"].strip(),
            "city": data.get("city", "").strip(),
            "country": data.get("country", ""),
            "language": data["language"],
            "frequency": data["frequency"],
            "monthly_cap": data.get("monthly_cap"),
            "countries": sorted(data.get("countries", [])),
            "channels": sorted(data.get("channels", [])),
        }


class JoinForm(HoneypotMixin, EmailMixin, ProfileMixin):
    consent = forms.BooleanField(
        required=True,
        error_messages={"required": _("Tick this box to agree, or we cannot send you cases.")},
    )

    field_order = ["name", "email", "city", "country", "language"]

    def profile(self) -> dict[str, Any]:
        return {**super().profile(), "themes": sorted(self.cleaned_data.get("themes", []))}


class PreferencesForm(ProfileMixin):
    new_cases = forms.BooleanField(
        label=_("Send me new cases that match these preferences"), required=False
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # Someone who only asked for updates on one case never gave a name.
        self.fields["name"].required = False


class KeepUpdatedForm(HoneypotMixin, EmailMixin):
    pass


class LinkRequestForm(HoneypotMixin, EmailMixin):
    pass


class EraseForm(forms.Form):
    understood = forms.BooleanField(
        label=_("I understand that this cannot be undone."),
        error_messages={"required": _("Tick the box to confirm that you want to be erased.")},
    )
