"""Pure conversions between the parsed record and the fields of cases and officials.

No database writes: the import service (services.py) calls these, and so do the staff
page's forms, so a record reads the same way on both paths.
"""

from __future__ import annotations

import datetime
import re
from typing import Any

from django.utils.translation import gettext as _
from email_validator import EmailNotValidError, validate_email

from urgent.cases.themes import THEME_NAMES  # noqa: F401  (the one theme table, re-exported)
from urgent.ingest.parsing.countries import alias_table
from urgent.ingest.parsing.lexicon import fold
from urgent.ingest.record import SCHEMA_FIELDS, CaseSheet, Person, Target, UpdateRequest
from urgent.ingest.selectors import FAX_SUFFIX_DIGITS, fax_digits
from urgent.officials.models import ContactPoint

PRONOUNS = {"m": "he/him", "f": "she/her"}


def case_reference(ua_number: str | None) -> str:
    """`118/21` becomes `UA 118/21`; a reference with its own word (`EXTRA 19/92`) stays."""
    number = " ".join((ua_number or "").split())
    if not number:
        return ""
    number = re.sub(r"^UA\b[\s:.]*", "", number, flags=re.I) or number
    return (f"UA {number}" if number[0].isdigit() else number)[:40]


def country_code(name: str | None) -> str:
    """ISO 3166 alpha-2 code of a country name in English, French, Spanish or German."""
    if not name:
        return ""
    import pycountry

    code = alias_table().get(fold(name).rstrip("."))
    if code:
        return code
    try:
        return str(pycountry.countries.lookup(name.strip()).alpha_2)
    except LookupError:
        pass
    try:
        found = pycountry.countries.search_fuzzy(name.strip())
    except LookupError:
        return ""
    return str(found[0].alpha_2) if len(found) == 1 else ""


def sheet_from_record(record: dict[str, Any]) -> CaseSheet:
    """The CaseSheet a stored `to_json_dict()` came from."""
    data = dict(record or {})
    request = data.get("update_request")
    return CaseSheet(
        kind=data.get("kind") or "initial",
        language=data.get("language"),
        ua_number=data.get("ua_number"),
        index_number=data.get("index_number"),
        title=data.get("title"),
        country=data.get("country"),
        date_issued=data.get("date_issued"),
        deadline=data.get("deadline"),
        persons=[Person(p.get("name", ""), p.get("gender")) for p in data.get("persons") or []],
        asks=list(data.get("asks") or []),
        targets=[Target(**t) for t in data.get("targets") or []],
        update_request=UpdateRequest(**request) if request else None,
        headline=data.get("headline"),
        story=data.get("story"),
        background=data.get("background"),
        themes=list(data.get("themes") or []),
        confidence=dict(data.get("confidence") or {}),
        missing=list(data.get("missing") or []),
        uncertain=list(data.get("uncertain") or []),
    )


def date_field(sheet: CaseSheet, name: str, warnings: list[str]) -> datetime.date | None:
    value = getattr(sheet, name)
    if not value:
        return None
    try:
        return datetime.date.fromisoformat(value)
    except ValueError:
        warnings.append(_("“%(value)s” is not a date; left empty.") % {"value": value})
        mark(sheet, name, missing=True)
        return None


def mark(sheet: CaseSheet, name: str, *, missing: bool = False) -> None:
    bucket = sheet.missing if missing else sheet.uncertain
    if name not in bucket:
        bucket.append(name)
        bucket.sort(key=lambda f: SCHEMA_FIELDS.index(f) if f in SCHEMA_FIELDS else 99)


def official_data(
    target: Target, contacts: list[tuple[str, str]], *, country: str
) -> dict[str, str] | None:
    name = " ".join((target.name or "").split())
    title = " ".join((target.title or "").split())
    if not name and not title:
        # The first address line of an unnamed addressee is the office ("Embassy of ...").
        fallback = target.address_lines[:1] or [v for k, v in contacts if k != "postal"][:1]
        if not fallback:
            return None
        title = fallback[0]
    return {
        "honorific": " ".join((target.honorific or "").split())[:100],
        "name": name[:200],
        "title": title[:300],
        "country": country,
        "salutation": " ".join((target.salutation or "").split())[:200],
    }


def contact_points(target: Target) -> tuple[list[tuple[str, str]], list[str]]:
    points: list[tuple[str, str]] = []
    notes: list[str] = []
    if target.address_lines:
        points.append((ContactPoint.Kind.POSTAL, "\n".join(target.address_lines)[:1000]))
    for raw in target.emails:
        value = raw.strip()
        try:
            points.append(
                (
                    ContactPoint.Kind.EMAIL,
                    validate_email(value, check_deliverability=False).normalized.lower(),
                )
            )
        except EmailNotValidError:
            if re.match(r"(?i)(https?://|www\.)\S+$", value):
                points.append((ContactPoint.Kind.SOCIAL, value[:1000]))
            else:
                notes.append(_("“%(value)s” is not an email address; left out.") % {"value": value})
    points.extend((ContactPoint.Kind.FAX, v[:1000]) for v in target.faxes if v.strip())
    points.extend((ContactPoint.Kind.PHONE, v[:1000]) for v in target.phones if v.strip())
    points.extend((ContactPoint.Kind.SOCIAL, v[:1000]) for v in target.social if v.strip())
    return points, notes


def contact_key(kind: str, value: str) -> str:
    """Numbers printed two ways ("+995 32 555 0177", "032 555 0177") are one number."""
    if kind in (ContactPoint.Kind.FAX, ContactPoint.Kind.PHONE):
        digits = fax_digits(value)
        return digits[-FAX_SUFFIX_DIGITS:] if len(digits) >= FAX_SUFFIX_DIGITS else digits
    return " ".join(value.split()).casefold()
