"""Phone and fax numbers: the form to dial (E.164) next to the form people print.

Sheets print numbers the way the issuing section writes them ("(202) 555-0150",
"00 375 17 555 0123", "+52 951 555 0199"); a `tel:` link needs the country code, so the
number is read in the official's country unless it carries its own prefix.
"""

from __future__ import annotations

import re

import phonenumbers

DIALLED_KINDS = frozenset({"phone", "fax"})


def dial_number(*, printed: str, country: str) -> str:
    """The number in E.164 ("+12025550150"), or "" when it cannot be read as one.

    A leading "00" is the international prefix most of the world dials; a number without a
    prefix is read in `country` (ISO 3166 alpha-2). Numbers phonenumbers does not know as
    valid still count when their length is possible for the country: invented directory
    entries and new number ranges would otherwise lose their links.
    """
    text = " ".join(printed.split())
    if not re.search(r"\d", text):
        return ""
    if text.startswith("00"):
        text = "+" + text[2:]
    region = None if text.startswith("+") else ((country or "").upper() or None)
    try:
        number = phonenumbers.parse(text, region)
    except phonenumbers.NumberParseException:
        return ""
    if not (phonenumbers.is_valid_number(number) or phonenumbers.is_possible_number(number)):
        return ""
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


def contact_dial(*, kind: str, value: str, country: str, given: str | None = None) -> str:
    """What to store as a contact point's dial form: the importer's reading when it had one."""
    if kind not in DIALLED_KINDS:
        return ""
    if given:
        return given
    return dial_number(printed=value, country=country)
