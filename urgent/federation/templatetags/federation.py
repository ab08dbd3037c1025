from __future__ import annotations

from typing import Any

from django import template

from urgent.cases.models import Case
from urgent.federation import selectors
from urgent.federation.keys import fingerprint_display

register = template.Library()


@register.filter
def fingerprint(value: str) -> str:
    """A key fingerprint in groups of four, for people to compare: 3F2A 91C0 …"""
    return fingerprint_display(value or "")


@register.inclusion_tag("federation/_network_counts.html")
def network_counts(case: Case) -> dict[str, Any]:
    """The network's figures for one of our cases: ours, each section's, the totals (shown
    only once a section has reported)."""
    counts = selectors.network_counts(case=case)
    return {"counts": counts, "case": case}
