"""The document's own date and its deadline, in any language of the tables."""

from __future__ import annotations

import re
from functools import lru_cache

from . import lang
from .doc import Doc
from .header import Scored
from .lexicon import folded, folded_alternation, folded_pattern, lexicon
from .lines import is_dateline
from .text import FoundDate, find_dates, is_date_line, parse_date_slow


@lru_cache(maxsize=1)
def _date_label_re() -> re.Pattern[str]:
    """Over a folded line: "datum: 14. marz 2023", "redaccion | 12 ..."."""
    labels = folded_alternation(lang.phrases("labels", "date"))
    return re.compile(
        rf"(?:^|[|·•]\s*|\s{{2,}})(?:{labels})(?:\s+(?:on|le|el|am|em|il|op))?"
        r"\s*[:\-–]?\s*(?P<value>[^\n|]{3,40})"
    )


@lru_cache(maxsize=1)
def _deadline_res() -> tuple[re.Pattern[str], re.Pattern[str]]:
    """Over folded text."""
    words = folded_alternation(lang.phrases("dates", "deadline_words"))
    labels = folded_alternation(lang.phrases("dates", "deadline_labels"))
    triggers = folded_alternation(lang.phrases("dates", "deadline_triggers"))
    word_re = re.compile(rf"(?<![\w])(?:(?:{words})|(?:{labels})(?:[^:\n]{{0,30}}?:)?)(?![\w])")
    trigger_re = re.compile(
        rf"(?:(?<![\w])(?:{triggers})(?![\w])[^.\n]{{0,60}}?(?<![\w])(?:{words})"
        rf"|(?<![\w])(?:{labels})[^:\n]{{0,30}}:?)\s*(?:the\s+|le\s+|el\s+|den\s+|il\s+|o\s+)?$"
    )
    return word_re, trigger_re


_POST_SEPARATOR_RE = re.compile(r"\s[–—|·-]\s")
_POST_LABEL_RE = re.compile(r"^\W*(\w+)")


def post_line_date(line: str) -> FoundDate | None:
    """The date of a page's byline: "Blog de l'ACAT locale – lundi 12 mars 2007" (a name, a
    dash, the date) or "Publié le 17 octobre 2022 par admin" (a date label, the date, who)."""
    if len(line.split()) > 12:
        return None
    dates = [d for d in find_dates(line) if d.year]
    if len(dates) != 1:
        return None
    date = dates[0]
    before, after = line[: date.start], line[date.end :].strip(" .")
    if _POST_SEPARATOR_RE.search(before) and not after and len(before.split()) <= 8:
        return date
    labelled = _date_label_re().search(folded(line))
    if labelled and labelled.start() < 3 and len(before.split()) <= 3 and len(after.split()) <= 3:
        return date
    return None


def find_date_issued(doc: Doc, used: frozenset[int] = frozenset()) -> Scored:
    deadline_label = folded_pattern("dates", "deadline_labels")
    for line in (folded(line) for line in doc.lines[:50]):
        m = _date_label_re().search(line)
        if m and not deadline_label.search(line):
            dates = find_dates(m.group("value"))
            if dates and dates[0].start < 5 and dates[0].year:
                return dates[0].iso(), 0.9
            slow = parse_date_slow(m.group("value").split("  ")[0])
            if slow:
                return slow, 0.8
    return _date_in_header(doc, used)


def _date_in_header(doc: Doc, used: frozenset[int]) -> Scored:
    """A date line above the first paragraph, or a short header line ending with a date."""
    prose_seen = False
    for i, line in enumerate(doc.lines[:80]):
        if not line or i in used:
            continue
        if len(line.split()) >= 25:
            prose_seen = True
        if prose_seen:
            break
        flat = folded(line)
        if folded_pattern("dates", "deadline_labels").search(flat):
            continue
        if _deadline_res()[1].search(flat):
            continue
        date = is_date_line(line) or post_line_date(line)
        if date:
            return date.iso(), 0.8
        dates = [d for d in find_dates(line) if d.year]
        if i < 15 and dates and (is_dateline(line) or _dated_reference(line, dates[-1])):
            return dates[-1].iso(), 0.65
    return None, 0.0


_REFERENCE_RE = re.compile(
    r"(?i)\b(?:UA|AU)[-\s:]*\d+[/.]\d+|EXTRA\s+\d+|\b[A-Z]{3}\s?\d{2}/\d+/\d+"
)


def _dated_reference(line: str, date: FoundDate) -> bool:
    """'UA 283/94 Fear of imminent execution 22 July 1994', '13. Februar 2024 · UA-017/2024'."""
    if not _REFERENCE_RE.search(line) or "(" in line[max(0, date.start - 15) : date.start]:
        return False
    after = _REFERENCE_RE.sub("", line[date.end :]).strip(" .·|–-")
    return not after and len(line[: date.start].split()) <= 12


def find_deadline(doc: Doc, default_year: int | None) -> Scored:
    text = folded(doc.text)
    word_re, trigger_re = _deadline_res()
    for hit in word_re.finditer(text):
        window = text[hit.end() : hit.end() + 50]
        dates = find_dates(window)
        if not dates or _between(window[: dates[0].start]) not in {
            "",
            "the",
            "le",
            "el",
            "den",
            "il",
            "o",
            "dia",
            "ao dia",
            "o dia",
        }:
            continue
        date = dates[0]
        start = hit.end() + date.start
        prefix = text[max(0, start - 90) : start]
        prefix = prefix.split("\n\n")[-1].replace("\n", " ")
        if trigger_re.search(prefix):
            value = _iso(date, default_year or _year_near(text, start))
            if value:
                return value, 0.85
    return None, 0.0


def _between(text: str) -> str:
    """What stands between a deadline word and its date, weekdays left out ("by Friday,")."""
    weekdays = lexicon().weekdays
    kept = [w for w in re.split(r"[\s,:]+", text.casefold()) if w and w.rstrip(".") not in weekdays]
    return " ".join(kept)


def _iso(date: FoundDate, default_year: int | None) -> str | None:
    return date.iso(default_year)


def _year_near(text: str, pos: int) -> int | None:
    years = [int(y) for y in re.findall(r"\b((?:19|20)\d\d)\b", text[: pos + 200])]
    return years[-1] if years else None
