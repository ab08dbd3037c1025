"""The language tables turned into word sets and compiled patterns, built once.

Every pattern accepts the phrases of every language at once: a case sheet often mixes
languages ("Salutation: Dear Minister/Estimado Señor Ministro"), and the parser never has
to guess the language before it can read a line. Month and weekday names come from the
CLDR data that Babel ships, for the same languages as the tables.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass
from functools import cache, lru_cache

from babel import Locale

from . import lang


def fold(text: str) -> str:
    """Case- and accent-insensitive key for comparisons."""
    text = unicodedata.normalize("NFKD", text.casefold())
    return "".join(c for c in text if not unicodedata.combining(c)).replace("’", "'")


def words(items: Iterable[str]) -> frozenset[str]:
    """A word set matching both the case-folded and the accent-folded spelling."""
    out: set[str] = set()
    for w in items:
        out.add(w.casefold())
        out.add(fold(w))
    return frozenset(out)


_LETTER_CLASSES = {
    "a": "aáàâäãåā",
    "c": "cç",
    "e": "eéèêëē",
    "i": "iíìîïī",
    "n": "nñ",
    "o": "oóòôöõøō",
    "u": "uúùûüū",
    "y": "yýÿ",
}


@lru_cache(maxsize=16384)
def folded(text: str) -> str:
    """`fold`, remembered: the same lines are asked about by several steps."""
    return fold(text)


def phrase_pattern(phrase: str, *, glued: bool = False) -> str:
    """Regex source for a table phrase: any spacing, either accent, both apostrophes.

    A space matches any run of spaces or line breaks (`glued`: or none, for text that lost
    its spaces), "-" also matches a space or nothing, "…" matches a few words of anything on
    the same line."""
    out: list[str] = []
    for ch in phrase.strip():
        if ch == " ":
            out.append(r"\s*" if glued else r"\s+")
        elif ch == "…":
            out.append(r"[^\n]{0,60}?")
        elif ch in "'’":
            out.append("['’]")
        elif ch == "-":
            out.append(r"[-‐–\s]?")
        elif ch == ".":
            out.append(r"\.")
        else:
            base = fold(ch)
            letters = _LETTER_CLASSES.get(base)
            out.append(f"[{letters}]" if letters and ch.isalpha() else re.escape(ch))
    return "".join(out)


def alternation(items: Iterable[str], *, glued: bool = False) -> str:
    """One regex alternative per phrase, longest first."""
    unique = sorted(set(items), key=lambda p: (-len(p), p))
    return "|".join(phrase_pattern(p, glued=glued) for p in unique if p.strip())


def bounded(items: Iterable[str]) -> str:
    return rf"(?<![\w@])(?:{alternation(items)})(?![\w])"


def _months_and_weekdays() -> tuple[dict[str, int], frozenset[str]]:
    months: dict[str, int] = {}
    weekdays: set[str] = set()
    for code in lang.tables():
        locale = Locale.parse(code)
        for context in ("format", "stand-alone"):
            for width in ("wide", "abbreviated"):
                for number, name in locale.months[context][width].items():
                    key = name.casefold().rstrip(".")
                    if len(key) >= 3 and key not in months:
                        months[key] = number
                        months[fold(key)] = number
                for _day, name in locale.days[context][width].items():
                    if len(name.rstrip(".")) >= 3:
                        weekdays.add(name.casefold().rstrip("."))
                        weekdays.add(fold(name).rstrip("."))
    # printed abbreviations CLDR spells differently ("Sept", "Febr", "Dez")
    for name, number in (
        ("sept", 9),
        ("febr", 2),
        ("juil", 7),
        ("janv", 1),
        ("févr", 2),
        ("maerz", 3),
        ("jaenner", 1),
        ("setiembre", 9),
    ):
        months.setdefault(name, number)
    # "mar" (Spanish for sea, English for March) and "mai" are kept: only ever read next to a
    # day and a year.
    return months, frozenset(weekdays)


@dataclass(frozen=True)
class Lexicon:
    months: dict[str, int]
    weekdays: frozenset[str]
    stopwords: dict[str, frozenset[str]]
    function_words: frozenset[str]
    particles: frozenset[str]
    non_name_words: frozenset[str]
    role_words: frozenset[str]
    victim_words: frozenset[str]
    male_words: frozenset[str]
    female_words: frozenset[str]
    label_sources: dict[str, str]


def _word_set(section: str, key: str) -> frozenset[str]:
    return words(lang.phrases(section, key))


@lru_cache(maxsize=1)
def lexicon() -> Lexicon:
    months, weekdays = _months_and_weekdays()
    return Lexicon(
        months=months,
        weekdays=weekdays,
        stopwords={
            code: words(table.get("detect", {}).get("stopwords", "").split())
            for code, table in lang.tables().items()
        },
        function_words=_word_set("words", "function"),
        particles=_word_set("words", "particles"),
        non_name_words=_word_set("words", "non_name"),
        role_words=_word_set("words", "roles"),
        victim_words=_word_set("words", "victim_context"),
        # pronouns keep their accents: Spanish "él" is "he", "el" is "the"
        male_words=frozenset(w.casefold() for w in lang.phrases("words", "male")),
        female_words=frozenset(w.casefold() for w in lang.phrases("words", "female")),
        label_sources={
            kind: alternation(lang.phrases("labels", kind))
            for kind in ("salutation", "fax", "phone", "email", "social", "ignored")
        },
    )


@cache
def pattern(section: str, key: str, *, anchored: bool = False) -> re.Pattern[str]:
    """Every phrase of [section] key, case-insensitive; `anchored` matches at the start only."""
    source = bounded(lang.phrases(section, key))
    return re.compile(("^" if anchored else "") + source, re.IGNORECASE)


def folded_alternation(items: Iterable[str]) -> str:
    """Alternatives for text passed through `fold` first: plain letters, much faster."""
    unique = sorted({fold(p) for p in items if p.strip()}, key=lambda p: (-len(p), p))
    return "|".join(phrase_pattern(p) for p in unique)


@cache
def folded_pattern(section: str, *keys: str, anchored: bool = False) -> re.Pattern[str]:
    """Like `pattern` (several keys at once), for text passed through `fold` first."""
    source = folded_alternation(p for key in keys for p in lang.phrases(section, key))
    return re.compile(("^" if anchored else "") + rf"(?<![\w@])(?:{source})(?![\w])")


@cache
def theme_pattern() -> re.Pattern[str]:
    """One pass over the folded text finds every theme; the group's name is the theme."""
    groups = [
        f"(?P<t{n}>{folded_alternation(lang.phrases('themes', slug))})"
        for n, slug in enumerate(lang.keys("themes"))
    ]
    return re.compile(rf"(?<![\w@])(?:{'|'.join(groups)})(?![\w])")


def theme_slugs() -> list[str]:
    return lang.keys("themes")


@lru_cache(maxsize=1)
def stopword_languages() -> dict[str, tuple[str, ...]]:
    """word -> the table languages that count it as a common word."""
    out: dict[str, list[str]] = {}
    for code, words_ in lexicon().stopwords.items():
        for word in words_:
            out.setdefault(word, []).append(code)
    return {word: tuple(codes) for word, codes in out.items()}
