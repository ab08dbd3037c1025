from __future__ import annotations

from django import template

from urgent.federation.keys import fingerprint_display

register = template.Library()


@register.filter
def fingerprint(value: str) -> str:
    """A key fingerprint in groups of four, for people to compare: 3F2A 91C0 …"""
    return fingerprint_display(value or "")
