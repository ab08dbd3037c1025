"""The headline as printed, found past a web page's furniture; and the same cleaned.

A saved web page opens with the site's name, menus, a cookie notice and breadcrumbs; a
typewritten sheet with distribution codes; a letter with its addresses. The title is the
first line that is none of those: a labelled title or subject, else the first line that is
not furniture, metadata, a date, a marker ("URGENT ACTION") or a country on its own.
"""

from __future__ import annotations

import re
from collections.abc import Collection, Sequence
from functools import lru_cache

from . import lang
from .countries import find_countries
from .dates import post_line_date
from .doc import Doc
from .header import Scored
from .lexicon import alternation, folded, folded_pattern, lexicon, pattern, words
from .lines import has_instruction, is_dateline, is_junk, letter_salutation
from .names import generic_greeting_re
from .text import find_dates, is_date_line

_SEPARATORS_RE = re.compile(r"\s{3,}|\s[|›>»·•]\s|\s[|›>»]$")
_BREADCRUMB_RE = re.compile(r"\s[›»>]\s")


@lru_cache(maxsize=1)
def _title_label_re() -> re.Pattern[str]:
    return re.compile(rf"(?i)^(?:{alternation(lang.phrases('labels', 'title'))})\s*:\s*(.+)$")


@lru_cache(maxsize=1)
def _subject_label_re() -> re.Pattern[str]:
    return re.compile(rf"(?i)^(?:{alternation(lang.phrases('labels', 'subject'))})\s*:\s*(.+)$")


def _subject(line: str) -> str | None:
    """'Betreff: Alesia Marozik' -> 'Alesia Marozik': a letter's subject without its label."""
    m = _subject_label_re().match(line)
    return m.group(1).strip() if m and len(m.group(1).strip()) > 3 else None


@lru_cache(maxsize=1)
def _theme_label_re() -> re.Pattern[str]:
    return re.compile(rf"(?i)(?<![\w])(?:{alternation(lang.phrases('labels', 'theme'))})\s*:.*$")


_YEAR_RE = re.compile(r"\b(?:19|20)\d\d\b")


def is_series_heading(line: str) -> bool:
    """'Appeal of the month – June 2023', 'Briefe gegen das Vergessen – März 2025',
    'Action urgente – Thème : peine de mort': a page's series or section heading.

    Once the series' name, a month and year, a theme label with its value and the
    urgent-action markers are taken away, at most one word is left."""
    text = folded(line)
    series = folded_pattern("instructions", "series")
    themed = _theme_label_re().search(text)
    dated = _YEAR_RE.search(text)
    if not (series.search(text) or themed or dated):
        return False
    text = _theme_label_re().sub(" ", text)
    text = folded_pattern("kind", "urgent_action").sub(" ", series.sub(" ", text))
    lex = lexicon()
    rest = [
        w
        for w in re.findall(r"[^\W\d_]+", text)
        if w not in lex.months and w not in lex.function_words and len(w) > 1
    ]
    return len(rest) <= 1 if dated or themed else not rest


@lru_cache(maxsize=1)
def _marker_re() -> re.Pattern[str]:
    phrases = alternation(
        [*lang.phrases("kind", "urgent_action"), *lang.phrases("kind", "amnesty")]
    )
    return re.compile(
        rf"(?i)^(?:(?:{phrases})s?|amnesty\s+international|amnist[íi]a\s+internacional|"
        rf"external|internal|interne?|externe?|externo|interno|distr(?:ibution)?\s*:.*|"
        rf"(?:external|externe?|externo|interne?)\s*\(.*)\s*[.!]?$"
    )


@lru_cache(maxsize=1)
def _meta_parts_re() -> re.Pattern[str]:
    original = alternation(lang.phrases("kind", "original_reference"))
    urgent = alternation(lang.phrases("kind", "urgent_action"))
    index = alternation(lang.phrases("labels", "index"))
    dates = alternation(lang.phrases("labels", "date"))
    return re.compile(
        rf"(?i)(?:(?:{original})\s*(?:(?:{urgent})\s*[:.]?\s*)?|first\s+|second\s+|third\s+|"
        r"fourth\s+|fifth\s+)?"
        r"\b(?:UA|AU)\b(?:[-\s]?nr\.?)?[\s:#-]*(?:UA-|AU-)?\d+[/.]\d+"
        rf"|(?:{index})\s*:?\s*[A-Z]{{3}}\s?\d{{2}}/\d+/\d+(?:/\w+)?"
        r"|\b[A-Z]{3}\s?\d{2}/\d+/\d+"
        rf"|(?<![\w])(?:{dates})\s*:"
    )


@lru_cache(maxsize=1)
def _markers_re() -> re.Pattern[str]:
    phrases = [
        *lang.phrases("kind", "urgent_action"),
        *lang.phrases("kind", "amnesty"),
        *lang.phrases("kind", "update"),
    ]
    return re.compile(
        rf"(?i)(?<![\w])(?:{alternation(phrases)})(?![\w])|\b(?:UA|AU)[-\s]?\d+[/.]\d+"
    )


def _markers_only(line: str) -> bool:
    """'Eilaktion – Update', 'ACCIÓN URGENTE · AU 77/21', 'X Network - Urgent Appeal'."""
    if ":" in line or not _markers_re().search(line):
        return False
    rest = [
        w
        for w in re.split(r"[\s–—\-·|]+", _markers_re().sub(" ", line))
        if w and not re.fullmatch(r"\d+[/.]\d+", w)
    ]
    return len(rest) <= 1 or (len(rest) <= 4 and all(w[:1].isupper() for w in rest))


def _metadata_only(line: str) -> bool:
    """A row of references ("UA: 90/20 Index: AMR 23/1/2020 Colombia Date: ...")."""
    meta = _meta_parts_re()
    if not meta.search(line):
        return False
    rest = meta.sub(" ", line)
    dated = False
    for date in reversed(find_dates(rest)):
        rest = rest[: date.start] + " " + rest[date.end :]
        dated = True
    for pos, _code, _state in reversed(find_countries(rest)):
        rest = rest[:pos] + " " + rest[pos:].split(" ", 1)[-1] if " " in rest[pos:] else rest[:pos]
    words_ = [w for w in re.split(r"[\s,;:.()\-–|·]+", rest) if w]
    return len(words_) <= 1 or (dated and len(words_) <= 3)


def _addressed_to_only(line: str) -> bool:
    """'An den', 'To:': the first line of an address block, not a headline."""
    return bool(pattern("addressees", "addressed_to", anchored=True).fullmatch(line.rstrip(" :")))


def is_navigation(spaced: str) -> bool:
    """A menu or breadcrumb trail: short items in columns, or mostly menu words."""
    if _BREADCRUMB_RE.search(spaced):
        return True
    menu_words = folded_pattern("instructions", "navigation").findall(folded(spaced))
    if spaced.count("|") >= 2 and menu_words:
        return True
    items = [i.strip() for i in _SEPARATORS_RE.split(spaced) if i.strip()]
    if (
        len(items) >= 3
        and all(len(i.split()) <= 4 for i in items)
        and not any(c.isdigit() for c in spaced)
    ):
        return True
    if re.search(r"[.:;!?,]", spaced) or len(spaced.split()) > 10:
        return False
    covered = sum(len(w) for w in menu_words)
    return len(menu_words) >= 2 or covered >= len(spaced) / 2


@lru_cache(maxsize=1)
def _organisation_words() -> frozenset[str]:
    return words(lang.phrases("words", "organisations"))


def is_organisation_name(line: str) -> bool:
    """'Gulf Observatory for Human Rights', 'Amnistia Internacional Portugal': a masthead."""
    if ":" in line or len(line.split()) > 8 or line.rstrip().endswith(("!", "?", ".")):
        return False
    orgs = _organisation_words()
    tokens = [folded(t) for t in re.findall(r"[^\W\d_]+", line)]
    return any(t in orgs or any(t.endswith(o) and len(o) > 3 for o in orgs) for t in tokens)


def _is_furniture(doc: Doc, i: int) -> bool:
    line, spaced = doc.lines[i], doc.spaced[i]
    if is_junk(line) or is_navigation(spaced) or has_instruction(line):
        return True
    if _marker_re().match(line) or _markers_only(line):
        return True
    if is_date_line(line) or _metadata_only(line) or post_line_date(line):
        return True
    if is_dateline(line) or is_series_heading(line) or _addressed_to_only(line):
        return True
    if letter_salutation(line) or generic_greeting_re().match(line):
        return True
    if pattern("dates", "deadline_labels", anchored=True).match(line):
        return True
    if len(line.split()) == 1:
        return True  # a section name or a country on its own ("INTERNACIONAL", "ÄGYPTEN")
    found = find_countries(line)
    return bool(found and found[0][0] == 0 and len(line.split()) <= 3 and ":" not in line)


def _is_masthead(doc: Doc, i: int, nonblank: Sequence[int]) -> bool:
    """The site's or organisation's name above its menu or on its own."""
    line = doc.lines[i]
    if is_organisation_name(line) or _ACRONYM_NAME_RE.search(line):
        return True
    if ":" in line or len(line.split()) > 6:
        return False
    k = nonblank.index(i)
    after = [doc.lines[j] for j in nonblank[k + 1 : k + 3]]
    if after and is_navigation(doc.spaced[nonblank[k + 1]]):
        return True
    # a blog's name, its description of itself, then the post's date
    return (
        len(after) == 2
        and not line.isupper()
        and len(line.split()) <= 4
        and _is_tagline(after[0])
        and is_date_line(after[1]) is not None
    )


# "CUCT – Chrétiens unis contre la torture", "Gulf Centre for Human Rights (GCHR)"
_ACRONYM_NAME_RE = re.compile(r"^[A-Z]{2,8}\s[–—-]\s[A-ZÀ-Þ]|\s\([A-Z]{2,8}\)$")


def _is_tagline(line: str) -> bool:
    """'Thoughts, news and actions from a small group': a blog's description of itself."""
    words_ = line.split()
    lower = sum(1 for w in words_ if w[:1].islower())
    return (
        5 <= len(words_) <= 16
        and lower >= len(words_) / 2
        and not any(c.isdigit() for c in line)
        and not line.rstrip().endswith((".", ":", "!", "?"))
    )


def find_title(
    doc: Doc, used: Collection[int], layout_end: int | None, letter_line: int | None
) -> Scored:
    """The headline as printed."""
    for line in doc.lines[:60]:
        m = _title_label_re().match(line)
        if m and len(m.group(1)) > 3:
            return m.group(1).strip(), 0.95
    if layout_end is not None and letter_line is not None:
        return _between_addresses_and_letter(doc, layout_end, letter_line)
    found = _first_headline(doc, used)
    if found[0] is None:
        # no headline above the text: a subject line further down names the case
        subjects = (_subject(line) for line in doc.lines[:60])
        subject = next((s for s in subjects if s), None)
        return (subject, 0.8) if subject else found
    return found


def _first_headline(doc: Doc, used: Collection[int]) -> Scored:
    """The first line that is not furniture; a letter's subject line when it comes first."""
    nonblank = doc.nonblank(0, min(len(doc.lines), 80))
    tagline_next = False
    for i in nonblank[:40]:
        line = doc.lines[i]
        if letter_salutation(line):
            return None, 0.6  # a letter that opens with its salutation has no headline
        skip_tagline, tagline_next = tagline_next and _is_tagline(line), False
        subject = _subject(line)
        if subject:
            return subject, 0.8
        if i in used or skip_tagline or _is_furniture(doc, i):
            continue
        if _is_masthead(doc, i, nonblank):
            tagline_next = True
            continue
        if len(line.split()) >= 25 or (len(line.split()) > 14 and line.endswith(".")):
            return None, 0.5  # running text: the page has no headline of its own
        return line, 0.8 if len(line) < 160 else 0.5
    return None, 0.0


def _between_addresses_and_letter(doc: Doc, layout_end: int, letter_line: int) -> Scored:
    """A letter that starts with its addresses: the line above the salutation, if any."""
    for i in range(letter_line - 1, layout_end - 1, -1):
        line = doc.lines[i]
        if line and not is_date_line(line) and not is_junk(line) and not _placeholder(line):
            return _subject(line) or line, 0.7
    return None, 0.0


def _placeholder(line: str) -> bool:
    """'[Ort, Datum]', '(your address)': a slot for the sender to fill in."""
    return bool(re.fullmatch(r"[\[(<].*[\])>]", line.strip()))


# ---------------------------------------------------------------------------
# Headline

_PREFIX_RE = re.compile(r"^\s*([^:()\n]{2,40}?)\s*[:.–-]\s+(?=\S)")
_TRAILING_REF_RE = re.compile(r"\s*[(\[][^()\[\]]*\d+[/.]\d+[^()\[\]]*[)\]]\s*$")


def clean_headline(title: str | None, keep: Sequence[str] = ()) -> str | None:
    """The title without a leading "COUNTRY:" or "Urgent Action:" and in sentence case.

    `keep` are names (people, places) whose capitals stay."""
    if not title:
        return None
    text = " ".join(title.split())
    for _ in range(3):
        m = _PREFIX_RE.match(text)
        if not m or not _is_prefix(m.group(1)):
            break
        text = text[m.end() :]
    text = _TRAILING_REF_RE.sub("", text).strip() or text
    return sentence_case(text, keep)


def _is_prefix(segment: str) -> bool:
    found = find_countries(segment)
    if found and found[0][0] == 0 and len(segment.split()) <= 4:
        return True
    urgent = pattern("kind", "urgent_action", anchored=True).match(segment)
    update = pattern("kind", "update", anchored=True).match(segment)
    matched = urgent or update
    return bool(matched and len(segment[matched.end() :].split()) <= 2)


def sentence_case(text: str, keep: Sequence[str] = ()) -> str:
    """'Opposition Activist At Risk Of Torture' -> 'Opposition activist at risk of torture'.

    Only a headline in Title Case or capitals is changed; names in `keep`, country names and
    acronyms printed in capitals inside a mixed-case headline keep their capitals."""
    tokens = re.findall(r"[^\W\d_][\w'’-]*", text)
    long_tokens = [t for t in tokens if len(t) > 3]
    if not long_tokens:
        return text
    all_caps = text.upper() == text
    title_case = sum(1 for t in long_tokens if t[0].isupper()) / len(long_tokens) >= 0.85
    if not (all_caps or title_case):
        return text[:1].upper() + text[1:]
    kept = {w.casefold() for name in keep for w in name.split()}
    function_words = lexicon().function_words

    def fix(m: re.Match[str]) -> str:
        word = m.group(0)
        if m.start() == 0:
            return word[:1].upper() + word[1:].lower() if all_caps else word
        if word.casefold() in kept or find_countries(word.capitalize()):
            return word.capitalize() if all_caps else word
        if not all_caps and word.isupper() and len(word) > 1:
            return word  # an acronym
        if word.casefold() in function_words or all_caps or title_case:
            return word.lower()
        return word

    return re.sub(r"[^\W\d_][\w'’-]*", fix, text)
