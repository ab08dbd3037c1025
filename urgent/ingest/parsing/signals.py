"""Themes, and whether a text appeals to anyone at all."""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass

from .lexicon import folded, folded_pattern, theme_pattern, theme_slugs


def find_themes(text: str) -> list[str]:
    """Theme slugs the text speaks of, most mentioned first. They are guesses (suggestions)."""
    slugs = theme_slugs()
    found: Counter[str] = Counter()
    for m in theme_pattern().finditer(folded(text)):
        found[slugs[int((m.lastgroup or "t0")[1:])]] += 1
    return [slug for _n, slug in sorted((-n, slug) for slug, n in found.items())]


@dataclass(frozen=True)
class AppealSignals:
    """What makes a text an appeal: any one of these is enough to read it."""

    reference: bool = False  # a UA number or an index number
    addressee: bool = False  # an address block with contact details, or "Write to:"
    salutation: bool = False  # a letter salutation to an official, in any language
    demands: bool = False  # a list of demands or a first-person request
    phrase: bool = False  # "urgent action", "action urgente", "Eilaktion", "action alert"

    def any(self) -> bool:
        return self.reference or self.addressee or self.salutation or self.demands or self.phrase


def has_appeal_phrase(text: str) -> bool:
    """A call to act ("urgent action", "Eilaktion"), not the bare letters "UA"/"AU", or a
    demand made to an official ("I urge you", "Ich fordere Sie auf", "Bitte fordern Sie")."""
    flat = folded(text)
    if any(len(m.group(0)) > 2 for m in folded_pattern("kind", "urgent_action").finditer(flat)):
        return True
    if folded_pattern("demands", "first_person").search(flat):
        return True
    if _closing_note(flat):
        return True
    # a line that opens with a call to supporters ("Bitte fordern Sie, dass …", "Please write")
    return _call_at_line_start(flat)


def _closing_note(flat: str) -> bool:
    """'Good news … No further action is needed': the last word on an appeal, which says
    both that it is an update and that the action is over (a news story says neither)."""
    update = folded_pattern("kind", "update").search(flat)
    return bool(update and folded_pattern("kind", "no_further_action").search(flat))


_POLITE_RE = re.compile(
    r"(?m)^(?:bitte|please|por favor|s'il vous plait|per favore|alstublieft)\s+"
)


def _call_at_line_start(flat: str) -> bool:
    calls = folded_pattern("headings", "asks", anchored=True)
    return any(calls.match(_POLITE_RE.sub("", line)) for line in flat.splitlines())
