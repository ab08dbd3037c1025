"""Document-level fields: language, references, title and headline, kind, country."""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Sequence
from functools import lru_cache

from ..record import Kind
from . import lang
from .countries import US_STATE_KEYS, alias_key, demonym_code, display_name, find_countries
from .doc import Doc
from .lexicon import (
    alternation,
    fold,
    folded,
    folded_alternation,
    folded_pattern,
    stopword_languages,
    words,
)

Scored = tuple[str | None, float]

# ---------------------------------------------------------------------------
# Language


def detect_language(text: str) -> Scored:
    """The table language whose common words the text uses most, with the winning margin."""
    counts: Counter[str] = Counter()
    languages = stopword_languages()
    for word in re.findall(r"[^\W\d_]+", text[:6000].casefold()):
        counts.update(languages.get(word, ()))
    if not counts:
        return None, 0.0
    ranked = counts.most_common(2)
    code, n = ranked[0]
    if n < 3:
        return None, 0.0
    runner_up = ranked[1][1] if len(ranked) > 1 else 0
    return code, min(0.95, 0.5 + (n - runner_up) / max(n, 1) / 2)


# ---------------------------------------------------------------------------
# References

_UA_NUM = r"(\d{1,4}[/.]\d{2,4})"


@lru_cache(maxsize=1)
def _ua_res() -> tuple[re.Pattern[str], re.Pattern[str], re.Pattern[str], re.Pattern[str]]:
    """Reference patterns; all but `ordinal` read the folded text (fast, accent-blind)."""
    prefixes = r"ua|au|" + folded_alternation(lang.phrases("kind", "urgent_action"))
    original = folded_alternation(lang.phrases("kind", "original_reference"))
    of_original = re.compile(
        rf"(?<![\w])(?:{original})\s*(?:the\s+|l'|la\s+)?(?:{prefixes})"
        rf"[\s:#-]*(?:no\.?\s*|n[°º]\s*)?(extra\s+)?" + _UA_NUM
    )
    ordinal = re.compile(
        r"\b(?:SECOND|THIRD|FOURTH|FIFTH|SIXTH|SEVENTH|EIGHTH|NINTH|TENTH|Second|Third|Fourth|"
        r"Fifth|Sixth)\s+(?:UA|AU)[\s:]*()" + _UA_NUM
    )
    labelled = re.compile(
        r"\b(?:ua|au)(?:[-\s]?(?:number|no\.?|nr\.?|n[°º]|num\.?|numero))?\s*:\s*"
        r"(?:[^\W\d_][\w']+(?:\s+[^\W\d_][\w']+)?\s+)?(?:ua[-\s]?|au[-\s]?)?(extra\s+)?" + _UA_NUM
    )
    anywhere = re.compile(
        rf"(?<![\w])(?:{prefixes})(?:[-\s]?(?:nr\.?|no\.?|n[°º]))?[\s:#-]*(?:ua[-\s]?)?" + _UA_NUM
    )
    return of_original, ordinal, labelled, anywhere


_EXTRA_RE = re.compile(r"\bEXTRA\s+" + _UA_NUM)


def find_ua_number(text: str) -> str | None:
    return find_ua_number_scored(text)[0]


def find_ua_number_scored(text: str) -> Scored:
    of_original, ordinal, labelled, anywhere = _ua_res()
    flat = folded(text)
    for pattern_, source in ((of_original, flat), (ordinal, text)):
        m = pattern_.search(source)
        if m:
            extra = "EXTRA " if m.group(1) else ""
            return extra + m.group(2), 0.9
    candidates: list[tuple[int, str, float]] = []
    m = labelled.search(flat)
    if m:
        candidates.append((m.start(), ("EXTRA " if m.group(1) else "") + m.group(2), 0.95))
    m = _EXTRA_RE.search(text)
    if m:
        candidates.append((m.start(), "EXTRA " + m.group(1), 0.9))
    m = anywhere.search(flat)
    if m:
        candidates.append((m.start(), m.group(1), 0.8))
    if not candidates:
        return None, 0.0
    _pos, value, confidence = min(candidates)
    return value, confidence


_INDEX_CODE = (
    r"((?:AFR|AMR|ASA|EUR|MDE|ACT|IOR|ORG|POL|NWS|PRE|FIN|CIR|DOC)\s?\d{2}/\d{1,5}/\d{2,4})"
)
_INDEX_RE = re.compile(r"\b" + _INDEX_CODE + r"\b")


@lru_cache(maxsize=1)
def _index_label_re() -> re.Pattern[str]:
    labels = alternation(lang.phrases("labels", "index"))
    return re.compile(rf"(?i:(?<![\w])(?:{labels})\s*(?:no\.?)?\s*[:\-]?\s*)" + _INDEX_CODE)


def find_index_number(doc: Doc) -> str | None:
    m = _index_label_re().search(doc.text)
    if m:
        return m.group(1)
    head = "\n".join(doc.lines[:6])
    m = _INDEX_RE.search(head)
    return m.group(1) if m else None


# ---------------------------------------------------------------------------
# Kind


@lru_cache(maxsize=1)
def _kind_res() -> tuple[re.Pattern[str], re.Pattern[str], re.Pattern[str]]:
    """Patterns over the folded text (lower case, no accents)."""
    update = folded_pattern("kind", "update")
    original = folded_alternation(lang.phrases("kind", "original_reference"))
    of_original = re.compile(rf"(?<![\w])(?:{original})\s*(?:the\s+)?(?:ua|au|extra|urgent|\d)")
    names = folded_alternation(lang.phrases("kind", "amnesty"))
    amnesty = re.compile(rf"\bua\s+\d|\bau\s+\d|(?<![\w])(?:{names})(?![\w])")
    return update, of_original, amnesty


_ORDINAL_UA_RE = re.compile(
    r"\b(?:SECOND|THIRD|FOURTH|FIFTH|SIXTH|Second|Third|Fourth|Fifth)\s+UA\b"
)


@lru_cache(maxsize=1)
def _organisation_words() -> frozenset[str]:
    return words(lang.phrases("words", "organisations"))


def names_organisation(text: str) -> bool:
    """Does the text name any organisation ("network", "Stichting", "Amnesty")?"""
    return not _organisation_words().isdisjoint(re.findall(r"[^\W\d_]+", folded(text)))


def find_kind(
    doc: Doc, title: str | None, ua_number: str | None, bare_letter: bool = False
) -> tuple[Kind, float]:
    """`bare_letter`: a model letter that opens with the addressee and is signed by no
    organisation, as sections hand them out to their members."""
    update, of_original, amnesty = _kind_res()
    flat = folded(doc.text)
    head = "\n".join(line for line in doc.lines[:12] if line)[:600]
    # a short heading line of its own: "GUTE NACHRICHT", "Eilaktion – Update"
    marked = any(
        update.search(folded(doc.lines[i])) and len(doc.lines[i].split()) <= 5
        for i in doc.nonblank()[:8]
    )
    ended = folded_pattern("dates", "deadline_labels").search(flat)
    if (
        (title and update.search(folded(title)))
        or of_original.search(flat)
        or _ORDINAL_UA_RE.search(head)
        or update.match(folded(head))
        or marked
        or folded_pattern("kind", "no_further_action").search(flat)
        or (ended and re.search(r"ended|terminee|terminada|beendet", ended.group(0)))
    ):
        return "update", 0.85
    if not ua_number and not amnesty.search(flat):
        return ("initial", 0.4) if bare_letter else ("other_org", 0.55)
    return "initial", 0.8


# ---------------------------------------------------------------------------
# Country

_PREFIX_COUNTRY_RE = re.compile(r"([^:()\n]{2,60})[:.](?:\s|$)")


def find_country(
    doc: Doc, title: str | None, body_lines: Sequence[int], target_lines: Sequence[str]
) -> Scored:
    header_lines = [title or ""] + [doc.lines[i] for i in doc.nonblank()[:6]]
    for line in header_lines:
        found = _prefixed_country(line)
        if found:
            return display_name(found), 0.9
    for i in doc.nonblank()[:15]:
        # a country printed on its own line in the heading of a sheet ("Nicaragua", "ÄGYPTEN")
        code = _whole_line_country(doc.lines[i])
        if code:
            return display_name(code), 0.85
    # 1990s header: "COUNTRY Firstname Lastname (m)", a name and its gender right after it
    for i in doc.nonblank():
        line = doc.lines[i]
        first = line.split(" ")[0].strip(":,")
        if len(first) >= 2 and first.isupper() and (i < 8 or re.search(r"\((?:m|f)\)\s*$", line)):
            hits = find_countries(first)
            if hits and len(line.split()) >= 2:
                return display_name(hits[0][1]), 0.85
    counts = _country_counts(doc, title, body_lines, target_lines)
    if not counts:
        return None, 0.0
    best = max(counts, key=lambda c: counts[c])
    total = sum(counts.values())
    return display_name(best), min(0.8, 0.35 + 0.45 * counts[best] / total)


def _whole_line_country(line: str) -> str | None:
    text = line.strip(" .:")
    if len(text.split()) > 4 or fold(text) in US_STATE_KEYS:
        return None
    return alias_key(text)


def _prefixed_country(line: str) -> str | None:
    """ "TURKMENISTAN: ...", "(USA: UA 55/17)", "UA: Mexico 63.10", "TUNISIE. UN ..."."""
    for m in _PREFIX_COUNTRY_RE.finditer(line):
        segment = m.group(1)
        found = find_countries(segment)
        if found and found[-1][0] + 1 >= len(segment.rstrip()) - 40:
            tail = segment[found[-1][0] :]
            if len(tail.split()) <= 4 and not found[-1][2] and len(segment.split()) <= 6:
                return found[-1][1]
    labelled = re.search(r"(?i)\b(?:UA|AU)\s*:\s*([^\d\n]{3,40}?)\s+\d", line)
    if labelled:
        found = find_countries(labelled.group(1))
        if found:
            return found[0][1]
    return None


def _country_counts(
    doc: Doc, title: str | None, body_lines: Sequence[int], target_lines: Sequence[str]
) -> dict[str, float]:
    counts: dict[str, float] = {}

    def add(text: str, weight: float) -> None:
        for _pos, code, is_state in find_countries(text):
            counts[code] = counts.get(code, 0.0) + weight * (0.5 if is_state else 1.0)

    for rank, i in enumerate(body_lines):
        add(doc.lines[i], 3.0 if rank < 3 else 1.0)
    if title:
        add(title, 4.0)
    for line in target_lines:
        add(line, 0.5)
    if not counts:
        for i in body_lines:
            for word in re.findall(r"[A-Z][a-z]+", doc.lines[i]):
                code = demonym_code(word)
                if code:
                    counts[code] = counts.get(code, 0.0) + 0.5
    return counts
