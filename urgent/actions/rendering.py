"""From officials and a letter to PDF pages: shared by the post channel, fax and benchmarks."""

from __future__ import annotations

import datetime
from collections.abc import Sequence

from django.utils import timezone

from urgent.actions.letters import letter_for_official
from urgent.actions.pdf import LetterPage
from urgent.officials.models import ContactPoint, Official


def official_address(official: Official, *, fax: str = "") -> list[str]:
    """Name and title, then the postal address (or the fax number for a fax)."""
    head = " ".join(p for p in (official.honorific, official.name) if p)
    lines = [line for line in (head, official.title) if line]
    if fax:
        if official.organisation:
            lines.append(official.organisation)
        lines.append(f"Fax {fax}")
        return lines
    postal = next(
        (p for p in official.contact_points.all() if p.kind == ContactPoint.Kind.POSTAL), None
    )
    if postal is not None:
        postal_lines = postal.lines
        lines.extend(line for line in postal_lines if line not in lines)
    elif official.organisation:
        lines.append(official.organisation)
    return lines


def letter_page(
    *,
    official: Official,
    salutation: str,
    default_salutation: str,
    subject: str,
    body: str,
    language: str,
    sender: Sequence[str],
    footer: str = "",
    fax: str = "",
    day: datetime.date | None = None,
    blank_lines: int = 0,
    signature_lines: Sequence[str] = (),
) -> LetterPage:
    from urgent.actions.pdf import date_in_language

    date_language = official.preferred_language or language
    return LetterPage(
        recipient=official_address(official, fax=fax),
        sender=sender,
        date=date_in_language(day or timezone.localdate(), date_language),
        subject=subject,
        body=letter_for_official(
            body=body, default_salutation=default_salutation, salutation=salutation
        ),
        footer=footer,
        blank_lines=blank_lines,
        signature_lines=signature_lines,
    )
