"""The statements a supporter agrees to, in one place.

The exact text shown is stored with the request and copied into the Consent record on
confirmation, so staff can prove what each person agreed to, in the language they read it.
"""

from __future__ import annotations

from django.utils import translation
from django.utils.translation import gettext as _


def consent_join_wording(*, language: str) -> str:
    with translation.override(language):
        return _(
            "I want to join the urgent-action network: send me new cases that match my "
            "preferences and updates on the cases I act on. I can change my preferences or "
            "unsubscribe at any time with the link in every email."
        )


def consent_case_wording(*, language: str, reference: str) -> str:
    with translation.override(language):
        return _(
            "Send me updates on %(reference)s by email until the case is closed. I can "
            "unsubscribe at any time with the link in every email."
        ) % {"reference": reference}


def consent_preferences_wording(*, language: str) -> str:
    with translation.override(language):
        return _(
            "Send me new cases that match my preferences. I can change my preferences or "
            "unsubscribe at any time with the link in every email."
        )
