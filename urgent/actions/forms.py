"""Forms of the action pages. Validation only: what a submission does lives in services."""

from __future__ import annotations

import unicodedata
from functools import cache

import pycountry
from babel import Locale, UnknownLocaleError
from django import forms
from django.conf import settings
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.utils.translation.trans_real import parse_accept_lang_header

from urgent.actions.letters import FRAMES, Signature, letter_sign, text_clean
from urgent.actions.services import LetterInput
from urgent.core.countries import is_country_code
from urgent.core.text import one_line_clean

CHANNELS_COMPOSE = ("email", "mail_app", "post", "fax")


def _sort_key(name: str) -> str:
    # "Égypte" sorts with the E's, "Åland" with the A's: the order a reader looks them up in.
    return unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode().casefold()


@cache
def country_options(language: str) -> tuple[tuple[str, str], ...]:
    """Every country as (ISO 3166 code, name in `language`, from CLDR), sorted by that name."""
    try:
        names = Locale.parse((language or "en").replace("-", "_")).territories
    except (ValueError, UnknownLocaleError):
        names = Locale("en").territories
    english = Locale("en").territories
    options = [
        (c.alpha_2, names.get(c.alpha_2) or english.get(c.alpha_2) or c.name)
        for c in pycountry.countries
    ]
    return tuple(sorted(options, key=lambda option: _sort_key(option[1])))


def likely_country(accept_language: str) -> str:
    """The country in the browser's first language tag that names one ("fr-CA" is CA), or ""."""
    for tag, _quality in parse_accept_lang_header(accept_language or "")[:5]:
        parts = tag.replace("_", "-").split("-")
        region = parts[-1].upper() if len(parts) > 1 else ""
        if is_country_code(region):
            return region
    return ""


CHANNELS_RECORD = ("mail_app", "post", "phone", "social")


class _Honeypot(forms.Form):
    # Hidden from people by CSS and from assistive technology; bots fill every field.
    website = forms.CharField(required=False, label=gettext_lazy("Leave this field empty"))
    altcha = forms.CharField(required=False, max_length=2000)

    def is_bot(self) -> bool:
        return bool(self.data.get("website", "").strip())


def _limit_message(length: int) -> str:
    return _(
        "Your letter is %(length)d characters long; the limit is %(limit)d characters. "
        "Please shorten it."
    ) % {"length": length, "limit": settings.URGENT_LETTER_MAX_CHARS}


class ComposeForm(_Honeypot):
    language = forms.ChoiceField(
        label=gettext_lazy("Language of the letter"),
        choices=[(code, code) for code in FRAMES],
        required=False,
    )
    subject = forms.CharField(label=gettext_lazy("Subject"), max_length=200)
    letter = forms.CharField(label=gettext_lazy("Your letter"), widget=forms.Textarea)
    personal = forms.CharField(
        label=gettext_lazy("One sentence about you (optional)"),
        help_text=gettext_lazy("Who you are and why you care: officials notice personal words."),
        max_length=500,
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )
    name = forms.CharField(label=gettext_lazy("Your name"), max_length=100, required=False)
    city = forms.CharField(label=gettext_lazy("City"), max_length=100, required=False)
    country = forms.CharField(label=gettext_lazy("Country"), max_length=2, required=False)
    initials_only = forms.BooleanField(
        label=gettext_lazy("Sign with my initials only"), required=False
    )
    email = forms.CharField(
        label=gettext_lazy("Your email address"), max_length=254, required=False
    )
    channel = forms.ChoiceField(choices=[(c, c) for c in CHANNELS_COMPOSE])

    def clean_subject(self) -> str:
        return text_clean(self.cleaned_data["subject"], multiline=False)

    def clean_letter(self) -> str:
        return text_clean(self.cleaned_data["letter"])

    def clean_personal(self) -> str:
        return text_clean(self.cleaned_data.get("personal", ""))

    def clean_name(self) -> str:
        name = one_line_clean(
            self.cleaned_data.get("name", ""),
            message=_("Write your name on one line, without line breaks."),
        )
        return text_clean(name, multiline=False)

    def clean_city(self) -> str:
        city = one_line_clean(
            self.cleaned_data.get("city", ""),
            message=_("Write your city or town on one line, without line breaks."),
        )
        return text_clean(city, multiline=False)

    def clean_country(self) -> str:
        code = self.cleaned_data.get("country", "").strip().upper()
        return code if is_country_code(code) else ""

    def clean(self) -> dict[str, object]:
        data = super().clean() or {}
        channel = data.get("channel")
        if channel in {"email", "fax"}:
            if not str(data.get("email", "")).strip():
                self.add_error(
                    "email", _("Enter your email address: we send you a link to confirm it.")
                )
            if not data.get("name"):
                self.add_error("name", _("Enter your name: officials read who wrote."))
        if "letter" in data:
            full = self.letter_text()
            if len(full) > settings.URGENT_LETTER_MAX_CHARS:
                self.add_error("letter", _limit_message(len(full)))
            elif len(str(data["letter"]).strip()) < 20:
                self.add_error("letter", _("Your letter is empty: write a few lines."))
        return data

    @property
    def signature(self) -> Signature:
        data = self.cleaned_data
        return Signature(
            name=str(data.get("name", "")),
            city=str(data.get("city", "")),
            country=str(data.get("country", "")),
            initials_only=bool(data.get("initials_only")),
        )

    def letter_language(self) -> str:
        return str(self.cleaned_data.get("language") or "en")

    def letter_text(self) -> str:
        """The letter as it will be sent: personal sentence after the opening, signed."""
        data = self.cleaned_data
        paragraphs = str(data.get("letter", "")).split("\n\n")
        personal = str(data.get("personal", ""))
        if personal:
            paragraphs.insert(min(2, len(paragraphs)), personal)
        return letter_sign(
            body="\n\n".join(paragraphs),
            signature=self.signature,
            language=self.letter_language(),
        )

    def letter_input(self) -> LetterInput:
        return LetterInput(
            channel=str(self.cleaned_data["channel"]),
            subject=str(self.cleaned_data["subject"]),
            letter=self.letter_text(),
            language=self.letter_language(),
            signed_as=self.signature.signed_as,
            name=self.signature.name,
            city=self.signature.city,
            country=self.signature.country,
        )


class RecordForm(_Honeypot):
    """ "I did it": what a supporter says they did through their own means."""

    channel = forms.ChoiceField(choices=[(c, c) for c in CHANNELS_RECORD])
    subject = forms.CharField(max_length=200, required=False)
    letter = forms.CharField(required=False)
    language = forms.CharField(max_length=8, required=False)
    signed_as = forms.CharField(max_length=200, required=False)

    def clean_letter(self) -> str:
        letter = text_clean(self.cleaned_data.get("letter", ""))
        if len(letter) > settings.URGENT_LETTER_MAX_CHARS:
            raise forms.ValidationError(_limit_message(len(letter)))
        return letter

    def letter_input(self) -> LetterInput | None:
        data = self.cleaned_data
        if not data.get("letter"):
            return None
        return LetterInput(
            channel=str(data["channel"]),
            subject=text_clean(str(data.get("subject", "")), multiline=False),
            letter=str(data["letter"]),
            language=str(data.get("language", ""))[:8],
            signed_as=text_clean(str(data.get("signed_as", "")), multiline=False),
        )
