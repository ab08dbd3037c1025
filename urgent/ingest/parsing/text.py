"""Text normalisation, sentence splitting and fast date recognition."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from functools import lru_cache

from . import lang
from .lexicon import fold as lexicon_fold
from .lexicon import lexicon

_SPACES_RE = re.compile(r"[ \t\u00a0\u2000-\u200a\u202f\u205f\u3000]+")
_INVISIBLE_RE = re.compile(r"[\u200b\u200c\u200d\u2060\ufeff\u00ad]")


_RUN_RE = re.compile(r"[ \t\u00a0\u2000-\u200a\u202f\u205f\u3000]{2,}")
_ONE_SPACE_RE = re.compile(r"[\t\u00a0\u2000-\u200a\u202f\u205f\u3000]")


def normalise_text(text: str, *, keep_columns: bool = False) -> str:
    """Unify line ends and spaces; keep the printed characters otherwise.

    `keep_columns` keeps runs of spaces (as three spaces): menus and typewritten columns
    are told apart by them."""
    text = text.replace("\r\n", "\n").replace("\r", "\n").replace("\f", "\n")
    text = _INVISIBLE_RE.sub("", text)
    if keep_columns:
        text = _ONE_SPACE_RE.sub(" ", _RUN_RE.sub("   ", text))
    else:
        text = _SPACES_RE.sub(" ", text)
    return "\n".join(line.rstrip() for line in text.split("\n"))


fold = lexicon_fold
MONTHS = lexicon().months
WEEKDAYS = lexicon().weekdays


def clean_value(text: str) -> str:
    return re.sub(r"\s+", " ", text).strip(" \t,;")


_CAMEL_RE = re.compile(r"(?<=[a-zà-ÿ])(?=[A-ZÀ-Þ])")


def decamel(text: str) -> str:
    """Re-insert spaces lost between words ("ofState"), for classification only."""
    return _CAMEL_RE.sub(" ", text)


_SENTENCE_END_RE = re.compile(r"(?<=[.!?…])[\"”»)]?\s+(?=[\"“«(]?[A-ZÀ-Þ¿¡])")
_ABBREV_END_RE = re.compile(
    r"(?:\b(?:[Mm]r|[Mm]rs|Ms|[Dd]r|Prof|St|No|Nr|Jr|Sr|Sra|Gen|Col|Lt|Capt|Mt|Av|Avda|Co|Inc|"
    r"Ltd|vs|etc|approx|Art|Abs|Hon|Rt|Esq|Me|Mme|Mtro|Lic|Ing|Abog|Sig|Dott|Avv|Dhr|Mw|"
    r"[A-Z])\.)$"
)


def split_sentences(paragraph: str) -> list[str]:
    """Split a paragraph into sentences without breaking after titles or initials."""
    paragraph = re.sub(r"\s+", " ", paragraph).strip()
    if not paragraph:
        return []
    out: list[str] = []
    start = 0
    for m in _SENTENCE_END_RE.finditer(paragraph):
        chunk = paragraph[start : m.start()].rstrip()
        if _ABBREV_END_RE.search(chunk):
            continue
        out.append(paragraph[start : m.start()].strip())
        start = m.end()
    out.append(paragraph[start:].strip())
    return [s for s in out if s]


# ---------------------------------------------------------------------------
# Dates

_MONTH_ALT = "|".join(sorted((re.escape(m) for m in MONTHS), key=len, reverse=True))
_DAY = r"(?P<d>[0-3]?\d)(?:er|st|nd|rd|th|º|°)?\.?"
_YEAR = r"(?P<y>(?:1[89]|20)\d\d)"
DATE_RES: tuple[re.Pattern[str], ...] = (
    # 20 February 1992 · 2September 2016 · 5 de julio de 2017 · 14. August 2019
    re.compile(
        rf"(?i)(?<![\w/.-]){_DAY}\s*(?:de\s+)?(?P<m>{_MONTH_ALT})\.?,?\s*(?:de\s+|del\s+)?{_YEAR}?(?![\w/])"
    ),
    # March 13, 2017 · February 21st 2019
    re.compile(
        rf"(?i)(?<![\w/.-])(?P<m>{_MONTH_ALT})\.?\s+(?P<d>[0-3]?\d)(?:st|nd|rd|th)?,?\s*{_YEAR}?(?![\w/])"
    ),
    # 2017-07-05
    re.compile(r"(?<![\d/.-])(?P<y>(?:19|20)\d\d)-(?P<mn>[01]?\d)-(?P<d>[0-3]?\d)(?![\d/.-])"),
    # 05.07.2017 · 05/07/2017 (day first, as everywhere outside the US)
    re.compile(
        r"(?<![\d/.-])(?P<d>[0-3]?\d)[./](?P<mn>[01]?\d)[./](?P<y>(?:19|20)\d\d)"
        r"(?![\d/-]|\.\d)"  # a full stop may end the sentence: "viimeistään 26.7.2022."
    ),
)


@dataclass(frozen=True)
class FoundDate:
    start: int
    end: int
    year: int | None
    month: int
    day: int

    def iso(self, default_year: int | None = None) -> str | None:
        year = self.year or default_year
        if not year:
            return None
        try:
            return dt.date(year, self.month, self.day).isoformat()
        except ValueError:
            return None


def find_dates(text: str) -> list[FoundDate]:
    """Every date in `text`, earliest first, using regexes only (fast)."""
    found: list[FoundDate] = []
    taken: list[tuple[int, int]] = []
    for pattern in DATE_RES:
        for m in pattern.finditer(text):
            if any(a < m.end() and m.start() < b for a, b in taken):
                continue
            groups = m.groupdict()
            month = MONTHS.get(groups["m"].casefold().rstrip(".")) if groups.get("m") else None
            if month is None and groups.get("mn"):
                month = int(groups["mn"])
            if not month or not 1 <= month <= 12:
                continue
            day = int(groups["d"])
            if not 1 <= day <= 31:
                continue
            year = int(groups["y"]) if groups.get("y") else None
            found.append(FoundDate(m.start(), m.end(), year, month, day))
            taken.append((m.start(), m.end()))
    found.sort(key=lambda d: d.start)
    return found


@lru_cache(maxsize=256)
def parse_date_slow(text: str) -> str | None:
    """dateparser on one short string, for labelled values the regexes miss."""
    text = text.strip()
    if not text or len(text) > 40 or not re.search(r"\d", text):
        return None
    # imported lazily: it is slow to load and rarely needed
    import dateparser  # type: ignore[import-untyped,unused-ignore]

    value = dateparser.parse(
        text,
        languages=list(lang.tables()),
        settings={"PREFER_DAY_OF_MONTH": "first", "REQUIRE_PARTS": ["day", "month", "year"]},
    )
    return value.date().isoformat() if value else None


_DATE_LINE_FILLER_RE = re.compile(r"[\s,.:;()\-–—]+")


def is_date_line(line: str) -> FoundDate | None:
    """The date if `line` is nothing but a date (optionally with a weekday)."""
    if len(line) > 60 or not any(c.isdigit() for c in line):
        return None
    dates = find_dates(line)
    if len(dates) != 1 or dates[0].year is None:
        return None
    rest = line[: dates[0].start] + " " + line[dates[0].end :]
    rest_words = [w for w in _DATE_LINE_FILLER_RE.split(rest) if w]
    if all(
        w.casefold() in WEEKDAYS
        or w.casefold() in {"le", "el", "den", "am", "on", "de", "il", "op"}
        for w in rest_words
    ):
        return dates[0]
    return None
