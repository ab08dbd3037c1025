"""Document-level fields: language, references, title and headline, kind, country."""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Collection, Sequence
from functools import lru_cache

from ..record import Kind
from . import lang
from .countries import demonym_code, display_name, find_countries
from .doc import Doc
from .lexicon import alternation, bounded, pattern, stopword_languages
from .lines import is_junk
from .text import find_dates, is_date_line

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
    prefixes = r"UA|AU|" + alternation(lang.phrases("kind", "urgent_action"))
    original = alternation(lang.phrases("kind", "original_reference"))
    of_original = re.compile(
        rf"(?i)(?<![\w])(?:{original})\s*(?:the\s+|l['’]|la\s+)?(?:{prefixes})"
        rf"[\s:#-]*(?:no\.?\s*|n[°º]\s*)?(EXTRA\s+)?" + _UA_NUM
    )
    ordinal = re.compile(
        r"\b(?:SECOND|THIRD|FOURTH|FIFTH|SIXTH|SEVENTH|EIGHTH|NINTH|TENTH|Second|Third|Fourth|"
        r"Fifth|Sixth)\s+(?:UA|AU)[\s:]*()" + _UA_NUM
    )
    labelled = re.compile(
        r"(?i)\b(?:UA|AU)(?:[-\s]?(?:number|no\.?|nr\.?|n[°º]|núm\.?|num[ée]ro))?\s*:\s*"
        r"(?:[A-Z][\w'’]+(?:\s+[A-Z][\w'’]+)?\s+)?(?:UA[-\s]?|AU[-\s]?)?(EXTRA\s+)?" + _UA_NUM
    )
    anywhere = re.compile(
        rf"(?i)(?<![\w])(?:{prefixes})(?:[-\s]?(?:nr\.?|no\.?|n[°º]))?[\s:#-]*(?:UA[-\s]?)?"
        + _UA_NUM
    )
    return of_original, ordinal, labelled, anywhere


_EXTRA_RE = re.compile(r"\bEXTRA\s+" + _UA_NUM)


def find_ua_number(text: str) -> str | None:
    return find_ua_number_scored(text)[0]


def find_ua_number_scored(text: str) -> Scored:
    of_original, ordinal, labelled, anywhere = _ua_res()
    for pattern_ in (of_original, ordinal):
        m = pattern_.search(text)
        if m:
            return (m.group(1) or "").strip() + (" " if m.group(1) else "") + m.group(2), 0.9
    candidates: list[tuple[int, str, float]] = []
    m = labelled.search(text)
    if m:
        candidates.append((m.start(), ((m.group(1) or "") + m.group(2)).strip(), 0.95))
    m = _EXTRA_RE.search(text)
    if m:
        candidates.append((m.start(), "EXTRA " + m.group(1), 0.9))
    m = anywhere.search(text)
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
# Title


@lru_cache(maxsize=1)
def _title_label_re() -> re.Pattern[str]:
    return re.compile(rf"(?i)^(?:{alternation(lang.phrases('labels', 'title'))})\s*:\s*(.+)$")


@lru_cache(maxsize=1)
def _skip_title_re() -> re.Pattern[str]:
    phrases = alternation(lang.phrases("kind", "urgent_action"))
    return re.compile(
        rf"(?i)^(?:external|internal|interne?|externe?|distr(?:ibution)?\s*:|ai\s+index|"
        rf"(?:{phrases})s?|amnesty\s+international(?:\s+\w+)?|amnist[íi]a\s+internacional|"
        rf"amnistia\s+internacional|skip\s+to|menu|home|share|print|date\s*:|from\s*:|to\s*:|"
        rf"sent\s*:)\s*[.!]?$|^(?:external|interne?|distr\s*:)"
    )


@lru_cache(maxsize=1)
def _meta_parts_re() -> re.Pattern[str]:
    original = alternation(lang.phrases("kind", "original_reference"))
    index = alternation(lang.phrases("labels", "index"))
    dates = alternation(lang.phrases("labels", "date"))
    return re.compile(
        rf"(?i)(?:(?:{original})\s*|first\s+|second\s+|third\s+|fourth\s+|fifth\s+)?"
        r"\b(?:UA|AU)\b(?:[-\s]?nr\.?)?[\s:#-]*(?:UA-)?\d+[/.]\d+"
        rf"|(?:{index})\s*:?\s*[A-Z]{{3}}\s?\d{{2}}/\d+/\d+"
        r"|\b[A-Z]{3}\s?\d{2}/\d+/\d+"
        rf"|(?<![\w])(?:{dates})\s*:"
    )


def _metadata_only(line: str) -> bool:
    """A header row of references ("UA: 90/20 Index: AMR 23/1/2020 Colombia Date: ...")."""
    meta = _meta_parts_re()
    if not meta.search(line):
        return False
    rest = meta.sub(" ", line)
    for date in reversed(find_dates(rest)):
        rest = rest[: date.start] + " " + rest[date.end :]
    for pos, _code, _state in reversed(find_countries(rest)):
        rest = rest[:pos] + " " + rest[pos:].split(" ", 1)[-1] if " " in rest[pos:] else rest[:pos]
    words_ = [w for w in re.split(r"[\s,;:.()\-–|]+", rest) if w]
    return len(words_) <= 1


def find_title(
    doc: Doc, used: Collection[int], layout_end: int | None, letter_line: int | None
) -> Scored:
    """The headline as printed (a labelled title, the line above a letter that starts with
    its addresses, or the first line that is not furniture)."""
    for line in doc.lines[:40]:
        m = _title_label_re().match(line)
        if m and len(m.group(1)) > 3:
            return m.group(1).strip(), 0.95
    if layout_end is not None and letter_line is not None:
        for i in range(letter_line - 1, layout_end - 1, -1):
            line = doc.lines[i]
            if line and not is_date_line(line) and not is_junk(line):
                return line, 0.7
    for i, line in enumerate(doc.lines[:60]):
        if not line or i in used or is_junk(line):
            continue
        if _skip_title_re().match(line) or is_date_line(line) or _metadata_only(line):
            continue
        return line, 0.8 if len(line) < 160 else 0.5
    return None, 0.0


_PREFIX_RE = re.compile(r"^\s*([^:()\n]{2,40}?)\s*[:.]\s+(?=\S)")
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
    title_case = sum(1 for t in long_tokens if t[0].isupper()) / len(long_tokens) >= 0.7
    if not (all_caps or title_case):
        return text[:1].upper() + text[1:]
    kept = {w.casefold() for name in keep for w in name.split()}

    def fix(m: re.Match[str]) -> str:
        word = m.group(0)
        if m.start() == 0:
            return word[:1].upper() + word[1:].lower() if all_caps else word
        if word.casefold() in kept or find_countries(word.capitalize()):
            return word.capitalize() if all_caps else word
        if not all_caps and word.isupper() and len(word) > 1:
            return word  # an acronym
        return word.lower()

    return re.sub(r"[^\W\d_][\w'’-]*", fix, text)


# ---------------------------------------------------------------------------
# Kind


@lru_cache(maxsize=1)
def _kind_res() -> tuple[re.Pattern[str], re.Pattern[str], re.Pattern[str]]:
    update = pattern("kind", "update")
    original = alternation(lang.phrases("kind", "original_reference"))
    of_original = re.compile(
        rf"(?i)(?<![\w])(?:{original})\s*(?:the\s+)?(?:UA|AU|EXTRA|urgent|\d)", re.I
    )
    amnesty = re.compile(
        r"\bUA\s+\d|\bAU\s+\d|" + bounded(lang.phrases("kind", "amnesty")), re.IGNORECASE
    )
    return update, of_original, amnesty


_ORDINAL_UA_RE = re.compile(
    r"\b(?:SECOND|THIRD|FOURTH|FIFTH|SIXTH|Second|Third|Fourth|Fifth)\s+UA\b"
)


def find_kind(doc: Doc, title: str | None, ua_number: str | None) -> tuple[Kind, float]:
    update, of_original, amnesty = _kind_res()
    head = "\n".join(line for line in doc.lines[:12] if line)[:600]
    ended = pattern("dates", "deadline_labels").search(doc.text)
    if (
        (title and update.search(title))
        or of_original.search(doc.text)
        or _ORDINAL_UA_RE.search(head)
        or update.match(head)
        or pattern("kind", "no_further_action").search(doc.text)
        or (ended and re.search(r"(?i)ended|terminée|terminada|beendet", ended.group(0)))
    ):
        return "update", 0.85
    if not ua_number and not amnesty.search(doc.text):
        return "other_org", 0.55
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
