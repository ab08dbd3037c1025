"""How to ask for updates by email, worded exactly as the receiver understands it."""

from __future__ import annotations

from django import template
from django.conf import settings

from urgent.cases.models import Case
from urgent.inbound.subjects import reference_key, subject_is_bare_reference, subject_parse

register = template.Library()


@register.simple_tag
def update_request_address(case: Case) -> str:
    """The organisation's update address, else URGENT_UPDATES_EMAIL; "" when the receiver
    could not recognise this case's reference in a subject."""
    if reference_key(case.reference) is None:
        return ""
    return case.organisation.update_request_email or settings.URGENT_UPDATES_EMAIL


@register.simple_tag
def update_request_subject(case: Case) -> str:
    """The case's own request subject when the receiver reads it as this case; else the
    standard "Keep me updated on <reference>"."""
    subject = case.update_request
    parsed = subject_parse(subject)
    if parsed.reference == reference_key(case.reference) and (
        parsed.asks_updates or subject_is_bare_reference(subject)
    ):
        return subject
    return f"Keep me updated on {case.reference}"
