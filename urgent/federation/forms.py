from __future__ import annotations

from django import forms
from django.core.validators import RegexValidator
from django.utils.translation import gettext_lazy as _

_fingerprint = RegexValidator(r"^[0-9a-f]{64}$", _("Not a key fingerprint."))


class AddressForm(forms.Form):
    address = forms.CharField(
        label=_("Address of the instance"),
        max_length=300,
        help_text=_("Its web address, such as https://actions.example.org, or its actor URL."),
        widget=forms.TextInput(attrs={"autocomplete": "url", "inputmode": "url"}),
    )


class FollowForm(forms.Form):
    actor_url = forms.URLField(max_length=500, assume_scheme="https", widget=forms.HiddenInput)
    fingerprint = forms.CharField(validators=[_fingerprint], widget=forms.HiddenInput)


class PinForm(forms.Form):
    fingerprint = forms.CharField(validators=[_fingerprint], widget=forms.HiddenInput)
