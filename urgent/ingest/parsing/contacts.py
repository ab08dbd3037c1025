"""Contact details on a line: labels ("Fax:", "Courriel :"), emails, numbers, handles."""

from __future__ import annotations

import re
from functools import lru_cache

import phonenumbers
from email_validator import EmailNotValidError, validate_email

from .lexicon import lexicon

EMAIL_RE = re.compile(r"[\w.+'-]+@[\w-]+(?:\.[\w-]+)+|\[email(?:\s|&#160;)*protected\]")
PHONE_RE = re.compile(r"(?:\+\s?)?\(?\d[\d\s().\-–/]{4,}\d")
HANDLE_RE = re.compile(r"(?<![\w@])@\w{1,30}")
URL_RE = re.compile(r"(?i)\b(?:https?://|www\.)\S+")

LABEL_KINDS = ("salutation", "fax", "email", "phone", "social", "ignored")


@lru_cache(maxsize=1)
def _label_res() -> tuple[re.Pattern[str], re.Pattern[str]]:
    sources = lexicon().label_sources
    alt = "|".join(f"(?P<{kind}>{sources[kind]})" for kind in LABEL_KINDS if sources[kind])
    inline = re.compile(
        rf"(?i)(?:^|(?<=[\s,;(]))(?:{alt})\s*(?:no\.?|number|nr\.?|n°)?\s*"
        rf"(?:\([^)]{{0,30}}\))?\s*[:：]\s*"
    )
    # "Fax +1 555 0100" or "Tel. 555 0100" without a colon, only at the start of a line
    leading = re.compile(
        rf"(?i)^(?:(?P<fax>{sources['fax']})|(?P<phone>{sources['phone']}))\.?\s*"
        rf"(?:no\.?|number|nr\.?)?\s*(?=[+(]?\d)"
    )
    return inline, leading


def inline_label_re() -> re.Pattern[str]:
    return _label_res()[0]


def find_emails(text: str) -> list[str]:
    out: list[str] = []
    for m in EMAIL_RE.finditer(text):
        value = m.group().rstrip(".")
        if "@" in value:
            try:
                validate_email(value, check_deliverability=False)
            except EmailNotValidError:
                continue
        out.append(value)
    return out


def find_numbers(text: str) -> list[str]:
    """Phone or fax numbers as printed (several on one line are split)."""
    text = URL_RE.sub(" ", text)
    out: list[str] = []
    for m in PHONE_RE.finditer(text):
        value = m.group().strip()
        digits = re.sub(r"\D", "", value)
        if len(digits) < 6:
            continue
        if len(digits) > 15:
            parts = [p.strip() for p in re.split(r"\s+/\s+|\s*;\s*|,\s+|\s+or\s+", value)]
            out.extend(p for p in parts if len(re.sub(r"\D", "", p)) >= 6)
            continue
        out.append(value)
    return out


def dial_form(printed: str, country_code: str | None) -> str | None:
    """The number in E.164 ("+12025881500"), for links that work from any country.

    A number printed without its country prefix is read in `country_code` (the country of
    the address or of the case); None when it cannot be read as a valid number."""
    text = printed.strip()
    candidates = [text]
    digits = re.sub(r"\D", "", text)
    if not text.startswith("+") and not text.startswith("00"):
        candidates.append("+" + digits)
    parsed = []
    for candidate in candidates:
        region = None if candidate.startswith("+") else (country_code or None)
        try:
            parsed.append(phonenumbers.parse(candidate, region))
        except phonenumbers.NumberParseException:
            continue
    # a number the current plan knows, else one of a possible length printed with its
    # country prefix (ranges change; an old sheet's number may still be dialled)
    for check in (phonenumbers.is_valid_number, phonenumbers.is_possible_number):
        for number in parsed:
            if check(number) and (check is phonenumbers.is_valid_number or text[:1] == "+"):
                return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)
    return None


def split_labels(line: str) -> list[tuple[str | None, str]]:
    """Cut a line into (label kind, value) pieces; text before any label has kind None."""
    inline, leading = _label_res()
    lead = leading.match(line)
    if lead and not inline.match(line):
        return [("fax" if lead.group("fax") else "phone", line[lead.end() :])]
    pieces: list[tuple[str | None, str]] = []
    pos = 0
    kind: str | None = None
    for m in inline.finditer(line):
        text = line[pos : m.start()].strip()
        if text or kind:
            pieces.append((kind, text))
        kind = m.lastgroup
        pos = m.end()
    tail = line[pos:].strip()
    if tail or kind:
        pieces.append((kind, tail))
    return pieces


def has_contact_label(line: str) -> bool:
    inline, leading = _label_res()
    if ":" in line or "：" in line:
        return bool(inline.search(line) or leading.match(line))
    return bool(leading.match(line))


def is_bare_contact(line: str) -> bool:
    """Nothing but emails, handles and numbers."""
    stripped = EMAIL_RE.sub("", line)
    stripped = HANDLE_RE.sub("", stripped)
    stripped = PHONE_RE.sub("", stripped) if find_numbers(stripped) else stripped
    return stripped.strip(" ,;/()") == "" and line.strip() != ""
