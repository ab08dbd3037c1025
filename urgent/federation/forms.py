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


class CopyTextsForm(forms.Form):
    """The adopted copy's own texts, written beside the origin's."""

    headline = forms.CharField(label=_("Headline"), max_length=300)
    story = forms.CharField(label=_("Story"), widget=forms.Textarea(attrs={"rows": 10}))
    background = forms.CharField(
        label=_("Background"), required=False, widget=forms.Textarea(attrs={"rows": 6})
    )
    asks = forms.CharField(
        label=_("Asks"),
        required=False,
        help_text=_("One ask per line."),
        widget=forms.Textarea(attrs={"rows": 4}),
    )


class ChangesForm(forms.Form):
    texts = forms.MultipleChoiceField(
        label=_("Replace my text with the origin's new text for"),
        required=False,
        choices=[
            ("headline", _("Headline")),
            ("story", _("Story")),
            ("background", _("Background")),
            ("asks", _("Asks")),
        ],
        widget=forms.CheckboxSelectMultiple,
    )


class NoticeForm(forms.Form):
    title = forms.CharField(label=_("Title"), max_length=300, required=False)
    body = forms.CharField(label=_("Text"), widget=forms.Textarea(attrs={"rows": 8}))
