"""What one line is, on its own: a heading, a salutation, part of an address, prose, ...

Pure predicates over a single line of text, in every language of the tables. The scanners
that find address blocks, asks and sections combine them; none of them looks at more than
the line it is given.
"""

from __future__ import annotations

import re
from functools import lru_cache

from . import lang
from .contacts import has_contact_label, is_bare_contact
from .countries import find_countries
from .lexicon import alternation, fold, folded, folded_pattern, pattern
from .names import (
    generic_greeting_re,
    is_title_line,
    leading_office_end,
    name_like,
    split_honorific,
)
from .text import find_dates, is_date_line

BULLET_RE = re.compile(
    r"^(?:[•·●○◦▪■◼◾►▶➢➤✓✔\-–—*]|o(?=\s)|\(?[a-h]\)|\(?\d{1,2}[.)]|"
    r"\(?(?:i{1,3}|iv|vi{0,3}|ix|x)[.)](?=\s))\s*"
)
NUMBERED_RE = re.compile(r"^\(?\d{1,2}[).]\s+")
_JUNK_LINE_RE = re.compile(
    r"(?i)^(?:page\s+\d+(?:\s+of\s+.*)?|\d{1,3}|[.\-_=*•·]+|\[.*\]|-\s*\d+\s*-|.*_{4,}.*|"
    r"name\s+address\s+1\b.*|(?:fax|tel|phone|email|e-mail|telephone)\s*:?)$"
)


def is_junk(line: str) -> bool:
    """Page furniture: page numbers, rules, template placeholders."""
    stripped = line.strip()
    # "P R E S E N T E": a word spaced out letter by letter, a letterhead's decoration
    return bool(_JUNK_LINE_RE.match(stripped) or _SPACED_WORD_RE.fullmatch(stripped))


_SPACED_WORD_RE = re.compile(r"(?:[^\W\d_] ){3,}[^\W\d_]\.?")


def is_bullet(line: str) -> bool:
    if not BULLET_RE.match(line) or len(BULLET_RE.sub("", line, count=1)) <= 3:
        return False
    dates = find_dates(line[:20]) if line[:1].isdigit() else []
    return not (dates and dates[0].start == 0)  # "13. Februar 2024" is a date, not item 13


def strip_bullet(line: str) -> str:
    return BULLET_RE.sub("", line, count=1).strip()


def is_prose(line: str) -> bool:
    """A line of running text: many words, a good share of them lower-case."""
    words_ = line.split()
    if len(words_) < 12:
        return False
    lower = sum(1 for w in words_ if w[:1].islower())
    return lower >= len(words_) / 3 and not has_contact_label(line)


# ---------------------------------------------------------------------------
# Headings


@lru_cache(maxsize=1)
def _write_to_re() -> re.Pattern[str]:
    """'You can also write to the Board, which may reconsider its vote:'."""
    start = alternation(lang.phrases("headings", "primary_start"))
    end = alternation(lang.phrases("headings", "primary_end"))
    return re.compile(rf"(?i)(?<![\w])(?:{start})\s+(?:{end})(?![\w])")


@lru_cache(maxsize=1)
def _primary_heading_re() -> re.Pattern[str]:
    whole = alternation(lang.phrases("headings", "primary"))
    start = alternation(lang.phrases("headings", "primary_start"))
    end = alternation(lang.phrases("headings", "primary_end"))
    return re.compile(
        rf"(?i)^(?:\d\)\s*)?(?:please\s+)?(?:(?:{whole})|(?:{start})(?![\w])[^\n]{{0,100}}?"
        rf"(?<![\w])(?:{end}))\s*[:.]?\s*$"
    )


@lru_cache(maxsize=1)
def _heading_last_words() -> frozenset[str]:
    phrases = [*lang.phrases("headings", "primary"), *lang.phrases("headings", "primary_end")]
    return frozenset(p.rstrip(" :.").split()[-1].casefold() for p in phrases if p.strip(" :."))


def is_primary_heading(line: str) -> bool:
    """'Write to:', 'ENVÍEN LLAMAMIENTOS ANTES DEL 22 DE OCTUBRE A:', 'Appell an'."""
    line = line.strip()
    # "Email: gabinete@pgr.example.ao" ends in "ao" ("to" in Portuguese): a value, not a heading
    if len(line) >= 160 or "@" in line:
        return False
    words_ = line.rstrip(" :.").split()
    # the whole pattern is slow; a heading ends with one of a few words ("to", "an", "A")
    if (
        words_
        and words_[-1].casefold() in _heading_last_words()
        and _primary_heading_re().match(line)
    ):
        return True
    return line.endswith(":") and bool(_write_to_re().search(line))


@lru_cache(maxsize=1)
def _copy_heading_re() -> re.Pattern[str]:
    copies = alternation(lang.phrases("headings", "copy"))
    return re.compile(
        rf"(?i)^(?:and\s+|also\s+|please\s+|bitte\s+|et\s+|y\s+|und\s+|e\s+|en\s+)*(?:{copies})"
        r"(?P<diplo>\s+(?:the\s+|aux?\s+|a\s+la\s+|an\s+die\s+)?(?:diplomatic|diplomati|"
        r"représent|representa|botschaft)[^.:]*)?(?![^\W\d_])\s*(?P<sep>[.:])?\s*"
    )


@lru_cache(maxsize=1)
def _copy_anywhere_re() -> re.Pattern[str]:
    copies = alternation(p for p in lang.phrases("headings", "copy") if len(p) > 4)
    return re.compile(rf"(?i)(?<![\w])(?:{copies})\s*:\s*$")


def copy_heading(line: str) -> re.Match[str] | None:
    """The match of a copies heading opening `line` ("And copies to:", "Cc.", "Kopien an"),
    or a short line ending with one ("Envía también una copia a:")."""
    m = _copy_heading_re().match(line)
    if not m:
        if len(line) < 100 and line.rstrip().endswith(":"):
            return _copy_anywhere_re().search(line)
        return None
    remainder = line[m.end() :].strip()
    label = m.group(0).strip().casefold()
    if label.startswith(("cc", "c.c")):
        return m if not remainder or remainder[0].isupper() else None
    if not remainder:
        return m if len(line) < 120 else None
    return m if m.group("sep") else None


def is_end_marker(line: str) -> bool:
    """A line that closes an address section: 'Background', 'Yours sincerely', 'Merci'."""
    return bool(pattern("headings", "end", anchored=True).match(line.strip()))


def is_background_heading(line: str) -> bool:
    line = line.strip()
    m = pattern("headings", "background", anchored=True).match(line)
    if not m:
        return False
    rest = line[m.end() :].strip()
    return not rest or rest.startswith(":") or (len(rest) < 40 and not rest.endswith("."))


def is_letter_heading(line: str) -> bool:
    return bool(pattern("headings", "letter", anchored=True).match(line.strip()))


# ---------------------------------------------------------------------------
# Letters


@lru_cache(maxsize=1)
def _salutation_res() -> tuple[re.Pattern[str], re.Pattern[str]]:
    openers = lang.phrases("letter", "salutations")
    plain = plain_openers()
    full = re.compile(
        rf"^(?P<sal>(?:{alternation(openers)})(?![\w])[^,\n!:]{{0,60}}?(?:[,!:]|$|(?=\s{{2,}})))",
        re.I,
    )
    bare = re.compile(rf"^(?:{alternation(plain)})(?![\w])", re.I)
    return full, bare


def letter_salutation(line: str) -> str | None:
    """The salutation opening a letter: 'Dear Minister,', 'Sehr geehrter Herr Präsident,'."""
    line = line.strip()
    full, bare = _salutation_res()
    m = full.match(line)
    if not m or generic_greeting_re().match(line):
        return None
    sal = m.group("sal").strip()
    if sal.endswith((",", "!", ":")):
        return sal
    if len(line) <= 60 and bare.match(line) and not line.endswith("."):
        return sal
    return None


@lru_cache(maxsize=1)
def plain_openers() -> tuple[str, ...]:
    """Salutation openers that never start or end a courtesy style ("Dear", "Sehr geehrte";
    not "Excellency", "Monsieur"): a line may open a letter with one of them and no comma."""
    honorifics = [f" {fold(h)} " for h in lang.phrases("addressees", "honorifics")]
    return tuple(
        o
        for o in lang.phrases("letter", "salutations")
        if not any(f" {fold(o).split()[0]} " in h or f" {fold(o)} " in h for h in honorifics)
    )


@lru_cache(maxsize=1)
def _mid_line_salutation_re() -> re.Pattern[str]:
    openers = [o for o in plain_openers() if len(o) > 3]
    return re.compile(rf"\s+(?P<sal>(?:{alternation(openers)})\s.+)$", re.I)


def trailing_salutation(line: str) -> re.Match[str] | None:
    """'Mr Jack Example Dear Mr Example': a typewritten head with its salutation beside it."""
    return _mid_line_salutation_re().search(line)


def is_closing(line: str) -> bool:
    return bool(pattern("letter", "closings", anchored=True).match(line.strip()))


# ---------------------------------------------------------------------------
# Address blocks


def is_head(line: str) -> bool:
    """The first line of an addressee: a courtesy style, an office, or a personal name."""
    if split_honorific(line)[0] or honorific_only(line):
        return True
    if leading_office_end(line) or is_title_line(line):
        return True
    return name_like(line.split(",")[0])


def honorific_only(line: str) -> bool:
    """A line holding nothing but a courtesy style ('Herrn', 'S. E.'), as German letters print."""
    honorific, rest = split_honorific(line + " X")
    return honorific is not None and rest == "X"


_POSTCODE_RE = re.compile(
    r"\b(?:\d{4,6}|[A-Z]{1,2}\d[A-Z\d]?\s*\d[A-Z]{2}|\d{4}\s?[A-Z]{2}|[A-Z]{2}\s\d{5}|"
    r"\d{3}\s\d{2}|[Cc]\.?[Pp]\.?\s*\d+)\b"
)


@lru_cache(maxsize=1)
def _street_re() -> re.Pattern[str]:
    streets = alternation(lang.phrases("addressees", "address_words"))
    return re.compile(rf"(?i)(?<![\w])(?:{streets}|c/o|p\.?\s?o\.?\s?box)(?![\w])")


# "2207 Massachusetts Avenue", "Ulitsa Primer 12", "Beispielallee 65-67"
_NUMBERED_STREET_RE = re.compile(
    r"^\d+[a-zA-Z]?(?:[-/]\d+[a-zA-Z]?)?,?\s+[A-ZÀ-Þ]|[A-ZÀ-Þ][\w.'’-]*\s+\d+[a-zA-Z]?(?:[-/]\d+)?,?$"
)


def is_address_line(line: str) -> bool:
    """A street, a postcode and town, a post box, or a country name on its own."""
    line = line.strip(" ,.")
    if not line or len(line) > 120 or is_prose(line) or is_label_line(line):
        return False
    if is_date_line(line) or any(d.year for d in find_dates(line)):
        return False  # "Posted on 2 February 2015": a date, whatever its digits
    if _street_re().search(line) or _POSTCODE_RE.search(line):
        return True
    if _NUMBERED_STREET_RE.search(line):
        return True
    found = find_countries(line)
    if found:
        pos = found[-1][0]
        tail = line[pos:]
        return len(tail.split()) <= 4 and (pos == 0 or line[:pos].rstrip().endswith(","))
    return False


def is_contact_line(line: str) -> bool:
    return has_contact_label(line) or is_bare_contact(line)


def is_label_line(line: str) -> bool:
    """'Preferred language: Spanish', 'Deadline: 3 May': a label that is not an address."""
    return bool(re.match(r"^[^:\n]{2,40}:\s", line)) and not is_contact_line(line)


def to_label(line: str) -> str | None:
    """The addressee after 'To:' / 'À :' / 'An:' / 'Para:' / 'Aan:', when it looks like one."""
    m = re.match(r"(?i)^(?:to|à|a|an|para|aan|destinataire|destinatario)\s*:\s*(\S.{2,})$", line)
    if m and is_head(m.group(1)):
        return m.group(1)
    return None


def is_dateline(line: str) -> bool:
    """'Bonn, den 14. Juni 1995', 'Por Redacción | 13 de octubre de 2022': a place and a date."""
    dates = [d for d in find_dates(line) if d.year]
    if not dates or len(line.split()) > 10:
        return False
    rest = line
    for date in reversed(dates):
        rest = rest[: date.start] + " " + rest[date.end :]
    # "Ciudad de México, a 9 de noviembre": short joining words say nothing
    words_ = [w for w in re.split(r"[\s,;:.()\-–|·]+", rest) if len(w) > 2 and not w.isdigit()]
    return len(words_) <= 3


@lru_cache(maxsize=1)
def _subject_label_re() -> re.Pattern[str]:
    labels = [*lang.phrases("labels", "title"), *lang.phrases("labels", "subject")]
    return re.compile(rf"(?i)^(?:{alternation(labels)})\s*:")


def is_subject_line(line: str) -> bool:
    """'Objet : ...', 'Betreff: ...', 'Re: ...': a letter's subject line."""
    return bool(_subject_label_re().match(line))


def is_date_only(line: str) -> bool:
    return is_date_line(line) is not None and not has_contact_label(line)


_URL_RE = re.compile(r"(?i)\b(?:https?://|www\.)\S+")


def is_footer(line: str) -> bool:
    """'Minuta de carta – Amnistia Internacional Portugal', a web address: the publisher's
    footer under a letter, not part of an address."""
    if is_contact_line(line):
        return False
    if _URL_RE.search(line):
        return True
    return bool(folded_pattern("kind", "amnesty").search(folded(line)))


def has_instruction(text: str) -> bool:
    """Does `text` speak to the publisher's supporters ("please forward", "cookies")?"""
    pattern_ = folded_pattern("instructions", "updates", "forward", "report", "site")
    return bool(pattern_.search(folded(text)))
