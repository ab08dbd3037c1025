"""Document-level fields: language, references, title, dates, kind, country, update request."""

from __future__ import annotations

import re
from collections import Counter

from ..record import Kind, UpdateRequest
from .countries import demonym_code, display_name, find_countries
from .doc import Doc, is_junk_line
from .targets import EMAIL_RE
from .text import FoundDate, find_dates, fold, is_date_line, parse_date_slow
from .vocab import words

# ---------------------------------------------------------------------------
# Language

_STOPWORDS = {
    "en": words(
        "the and of to is in that for with his her was on has have are be this by from "
        "their they which were been not who an it"
    ),
    "fr": words(
        "le la les des est et une du dans pour que qui sur au pas avec son sa ses été il "
        "elle sont aux ont cette nous vous"
    ),
    "es": words(
        "el los las del y una por con para su sus es fue ha al que se lo como más pero "
        "sobre este esta han"
    ),
    "de": words(
        "der die das und ist nicht ein eine den dem mit von zu auf für sich des im wurde "
        "sie er es wir ich auch nach bei seit"
    ),
}


def detect_language(text: str) -> str | None:
    counts: Counter[str] = Counter()
    for word in re.findall(r"[^\W\d_]+", text[:6000].casefold()):
        for lang, stops in _STOPWORDS.items():
            if word in stops:
                counts[lang] += 1
    if not counts:
        return None
    lang, n = counts.most_common(1)[0]
    return lang if n >= 3 else None


# ---------------------------------------------------------------------------
# References

_UA_NUM = r"(\d{1,4}[/.]\d{2,4})"
_UA_ORIGINAL_RES = (
    re.compile(
        r"(?i)\b(?:update|further\s+information|follow[-\s]?up|fi|information\s+complémentaire|"
        r"action\s+complémentaire|complément\s+d['’]information|mise\s+à\s+jour|"
        r"información\s+complementaria|acción\s+complementaria|actualización|"
        r"weitere\s+informationen|folgeaktion)\s+(?:of|on|to|sur|de|à|zu|zur)\s+"
        r"(?:the\s+|l['’]|la\s+)?(?:UA|AU|urgent\s+action|action\s+urgente|acción\s+urgente)"
        r"[\s:#-]*(?:no\.?\s*)?(EXTRA\s+)?" + _UA_NUM
    ),
    re.compile(
        r"\b(?:SECOND|THIRD|FOURTH|FIFTH|SIXTH|SEVENTH|EIGHTH|NINTH|TENTH|Second|Third|Fourth|"
        r"Fifth|Sixth)\s+(?:UA|AU)[\s:]*()" + _UA_NUM
    ),
)
_UA_LABEL_RE = re.compile(
    r"(?i)\b(?:UA|AU)(?:[-\s]?(?:number|no\.?|nr\.?|n°|núm\.?|num[ée]ro))?\s*:\s*"
    r"(?:[A-Z][\w'’]+(?:\s+[A-Z][\w'’]+)?\s+)?(?:UA[-\s]?)?(EXTRA\s+)?" + _UA_NUM
)
_UA_ANY_RE = re.compile(
    r"(?i)\b(?:UA|AU|urgent\s+action|action\s+urgente|acción\s+urgente|eilaktion)"
    r"(?:[-\s]?(?:nr\.?|no\.?|n°))?[\s:#-]*(?:UA[-\s]?)?" + _UA_NUM
)
_EXTRA_RE = re.compile(r"\bEXTRA\s+" + _UA_NUM)


def find_ua_number(text: str) -> str | None:
    for pattern in _UA_ORIGINAL_RES:
        m = pattern.search(text)
        if m:
            return (m.group(1) or "").strip() + (" " if m.group(1) else "") + m.group(2)
    candidates: list[tuple[int, str]] = []
    m = _UA_LABEL_RE.search(text)
    if m:
        candidates.append((m.start(), ((m.group(1) or "") + m.group(2)).strip()))
    m = _EXTRA_RE.search(text)
    if m:
        candidates.append((m.start(), "EXTRA " + m.group(1)))
    m = _UA_ANY_RE.search(text)
    if m:
        candidates.append((m.start(), m.group(1)))
    if not candidates:
        return None
    return min(candidates)[1]


_INDEX_CODE = (
    r"((?:AFR|AMR|ASA|EUR|MDE|ACT|IOR|ORG|POL|NWS|PRE|FIN|CIR|DOC)\s?\d{2}/\d{1,5}/\d{2,4})"
)
_INDEX_LABEL_RE = re.compile(
    r"(?i:\b(?:AI[\s-]*index|index(?:\s+number)?|índice(?:\s+AI)?|index\s+AI|ÉFAI)"
    r"\s*(?:no\.?)?\s*[:\-]?\s*)" + _INDEX_CODE
)
_INDEX_RE = re.compile(r"\b" + _INDEX_CODE + r"\b")


def find_index_number(doc: Doc) -> str | None:
    m = _INDEX_LABEL_RE.search(doc.text)
    if m:
        return m.group(1)
    head = "\n".join(doc.lines[:6])
    m = _INDEX_RE.search(head)
    return m.group(1) if m else None


# ---------------------------------------------------------------------------
# Title

_TITLE_LABEL_RE = re.compile(
    r"(?i)^(?:urgent\s+action\s+title|title|titre|t[íi]tulo|titel|subject|objet|asunto|betreff)\s*:\s*(.+)$"
)
_SKIP_TITLE_RE = re.compile(
    r"(?i)^(?:external|internal|interne?|externe?|distr(?:ibution)?\s*:|ai\s+index|"
    r"urgent\s+actions?|action\s+urgente|acci[óo]n\s+urgente|eilaktion|amnesty\s+international"
    r"(?:\s+\w+)?|amnist[íi]a\s+internacional|skip\s+to|menu|home|share|print|"
    r"date\s*:|from\s*:|to\s*:|sent\s*:)\s*$|^(?:external|interne?|distr\s*:)"
)
_META_PARTS_RE = re.compile(
    r"(?i)(?:further\s+information\s+on|information\s+complémentaire\s+sur\s+l['’]|"
    r"información\s+complementaria\s+sobre\s+la|weitere\s+informationen\s+zu|first|second|"
    r"third|fourth|fifth)?\s*\b(?:UA|AU)\b(?:[-\s]?nr\.?)?[\s:#-]*(?:UA-)?\d+[/.]\d+"
    r"|(?:AI[\s-]*)?(?:index|índice|ai-index)\s*:?\s*[A-Z]{3}\s?\d{2}/\d+/\d+"
    r"|\b[A-Z]{3}\s?\d{2}/\d+/\d+"
    r"|\b(?:date|fecha|datum|date\s+de\s+publication)\s*:"
)


def _metadata_only(line: str) -> bool:
    """A header row of references ("UA: 90/20 Index: AMR 23/1/2020 Colombia Date: ...")."""
    if not _META_PARTS_RE.search(line):
        return False
    rest = _META_PARTS_RE.sub(" ", line)
    for date in reversed(find_dates(rest)):
        rest = rest[: date.start] + " " + rest[date.end :]
    for pos, _code, _state in reversed(find_countries(rest)):
        rest = rest[:pos] + " " + rest[pos:].split(" ", 1)[-1] if " " in rest[pos:] else rest[:pos]
    words_ = [w for w in re.split(r"[\s,;:.()\-–]+", rest) if w]
    return len(words_) <= 1


def find_title(doc: Doc, letter_layout_end: int | None, letter_line: int | None) -> str | None:
    for line in doc.lines[:40]:
        m = _TITLE_LABEL_RE.match(line)
        if m and len(m.group(1)) > 3:
            return m.group(1).strip()
    if letter_layout_end is not None and letter_line is not None:
        for i in range(letter_line - 1, letter_layout_end - 1, -1):
            line = doc.lines[i]
            if line and not is_date_line(line) and not is_junk_line(line):
                return line
    for i, line in enumerate(doc.lines[:60]):
        if not line or i in doc.target_lines or is_junk_line(line):
            continue
        if _SKIP_TITLE_RE.match(line) or is_date_line(line) or _metadata_only(line):
            continue
        return line
    return None


# ---------------------------------------------------------------------------
# Dates

_DATE_LABEL_RE = re.compile(
    r"(?i)\b(?:publication\s+date|date\s+of\s+(?:issue|publication)|issue\s+date|issued|"
    r"date\s+de\s+publication|fecha\s+de\s+publicaci[óo]n|date|fecha|datum|"
    r"ver[öo]ffentlicht(?:\s+am)?)\s*:\s*(?P<value>[^\n]{3,40})"
)
_DEADLINE_TRIGGER_RE = re.compile(
    r"""(?ix)(?:
        (?:appeals?|action|letters?|write|send|contact|sending|emails?|faxes|tweets?|
           réponses?|appels?|lettres?|écri\w*|envoy\w*|llamamientos?|cartas?|env[íi]\w*|
           escrib\w*|appell\w*|briefe?|schreib\w*|mails?|officials?|it|them|him|her)
           [^.\n]{0,60}?\b(?:before|by|until|till|no\s+later\s+than|avant\s+le|
           jusqu['’]au|d['’]ici\s+le|antes\s+del?|hasta\s+el|bis\s+(?:zum|spätestens(?:\s+zum)?)?|
           after)
      | action\s+(?:ended|ends|expires|expired|closes|closed)\s+on
      | this\s+action\s+(?:ended|ends|expires)
      | deadline[^:\n]{0,30}:
      | date\s+limite[^:\n]{0,20}:
      | fecha\s+l[íi]mite[^:\n]{0,20}:
      | frist[^:\n]{0,20}:
      | (?:ended|expires|expired|closes)\s+on
    )\s*(?:the\s+|le\s+|el\s+|den\s+)?$"""
)


_DEADLINE_WORD_RE = re.compile(
    r"(?i)\b(?:before|by|until|till|later\s+than|avant\s+le|jusqu['’]au|ici\s+le|antes\s+del?|"
    r"hasta\s+el|bis(?:\s+zum|\s+spätestens(?:\s+zum)?)?|after|on|deadline[^:\n]{0,30}:|"
    r"limite[^:\n]{0,20}:|l[íi]mite[^:\n]{0,20}:|frist[^:\n]{0,20}:)"
)


def _iso(date: FoundDate, default_year: int | None) -> str | None:
    return date.iso(default_year)


def find_date_issued(doc: Doc) -> str | None:
    for i, line in enumerate(doc.lines[:50]):
        m = _DATE_LABEL_RE.search(line)
        if m and not re.search(r"(?i)deadline|limite|l[íi]mite|frist", line[: m.start()]):
            dates = find_dates(m.group("value"))
            if dates and dates[0].start < 5 and dates[0].year:
                return dates[0].iso()
            slow = parse_date_slow(m.group("value").split("  ")[0])
            if slow:
                return slow
        if i in doc.target_lines:
            continue
    prose_seen = False
    for i, line in enumerate(doc.lines[:80]):
        if not line:
            continue
        if len(line.split()) >= 25:
            prose_seen = True
        date = is_date_line(line)
        if date and not prose_seen:
            return date.iso()
        if i < 8 and not prose_seen:
            dates = find_dates(line)
            if (
                dates
                and dates[-1].year
                and line[dates[-1].end :].strip(" .") == ""
                and "(" not in line[: dates[-1].start][-15:]
                and (
                    _UA_ANY_RE.search(line)
                    or _EXTRA_RE.search(line)
                    or re.search(r"(?i)further\s+information|update", line)
                )
            ):
                return dates[-1].iso()
    return None


def find_deadline(doc: Doc, default_year: int | None) -> str | None:
    text = doc.text
    for hit in _DEADLINE_WORD_RE.finditer(text):
        window = text[hit.end() : hit.end() + 40]
        dates = find_dates(window)
        if not dates or window[: dates[0].start].strip(" \t:,") not in {
            "",
            "the",
            "le",
            "el",
            "den",
        }:
            continue
        date = dates[0]
        start = hit.end() + date.start
        prefix = text[max(0, start - 90) : start]
        prefix = prefix.split("\n\n")[-1].replace("\n", " ")
        if _DEADLINE_TRIGGER_RE.search(prefix):
            value = _iso(date, default_year or _year_near(text, start))
            if value:
                return value
    return None


def _year_near(text: str, pos: int) -> int | None:
    years = [int(y) for y in re.findall(r"\b((?:19|20)\d\d)\b", text[: pos + 200])]
    return years[-1] if years else None


# ---------------------------------------------------------------------------
# Kind

_UPDATE_TITLE_RE = re.compile(
    r"(?i)\b(?:update|further\s+information|follow[-\s]?up|good\s+news|fi\s+on|"
    r"mise\s+à\s+jour|action\s+complémentaire|informations?\s+complémentaires?|"
    r"complément\s+d['’]information|bonnes?\s+nouvelles?|"
    r"información\s+complementaria|acción\s+complementaria|actualización|buenas\s+noticias|"
    r"weitere\s+informationen|folgeaktion|gute\s+nachrichten?|erfolg)\b"
)
_UPDATE_ANYWHERE_RE = re.compile(
    r"(?i)\b(?:(?:first|second|third|fourth|fifth|sixth|\d+(?:st|nd|rd|th))\s+update\s+(?:of|on|to)\s+(?:UA|urgent)|"
    r"further\s+information\s+on\s+(?:UA|EXTRA|urgent)|follow[-\s]?up\s+(?:to|on)\s+(?:UA|urgent)|"
    r"this\s+action\s+(?:ended|has\s+ended|is\s+closed)|no\s+further\s+action\s+is\s+(?:requested|needed)|"
    r"information\s+complémentaire\s+sur\s+l['’]AU|información\s+complementaria\s+sobre\s+la\s+AU|"
    r"weitere\s+informationen\s+zu\s+UA)"
)
_ORDINAL_UA_RE = re.compile(
    r"\b(?:SECOND|THIRD|FOURTH|FIFTH|SIXTH|Second|Third|Fourth|Fifth)\s+UA\b"
)
_AMNESTY_RE = re.compile(
    r"(?i)\bamnesty\b|\bamnist[íi]a\b|\burgent\s+action\b|\baction\s+urgente\b|"
    r"\bacci[óo]n\s+urgente\b|\bUA\s+\d|\bAU\s+\d"
)


def find_kind(doc: Doc, title: str | None, ua_number: str | None) -> Kind:
    head = "\n".join(line for line in doc.lines[:12] if line)[:600]
    if (
        (title and _UPDATE_TITLE_RE.search(title))
        or _UPDATE_ANYWHERE_RE.search(doc.text)
        or _ORDINAL_UA_RE.search(head)
        or re.search(r"(?i)^(?:update|further\s+information|good\s+news|fi\b)", head)
    ):
        return "update"
    if not ua_number and not _AMNESTY_RE.search(doc.text):
        return "other_org"
    return "initial"


# ---------------------------------------------------------------------------
# Country

_PREFIX_COUNTRY_RE = re.compile(r"([^:()\n]{2,60}):")


def find_country(doc: Doc, title: str | None, body_lines: list[int]) -> str | None:
    # "TURKMENISTAN: ...", "(USA: UA 55/17)", "UA: Mexico 63.10"
    header_lines = [title or ""] + [doc.lines[i] for i in doc.nonblank()[:6]]
    for line in header_lines:
        for m in _PREFIX_COUNTRY_RE.finditer(line):
            segment = m.group(1)
            found = find_countries(segment)
            if found and found[-1][0] + 1 >= len(segment.rstrip()) - 40:
                tail = segment[found[-1][0] :]
                if len(tail.split()) <= 4 and not found[-1][2]:
                    return display_name(found[-1][1])
        labelled = re.search(r"(?i)\b(?:UA|AU)\s*:\s*([^\d\n]{3,40}?)\s+\d", line)
        if labelled:
            found = find_countries(labelled.group(1))
            if found:
                return display_name(found[0][1])
    # 1990s header: "COUNTRY Firstname Lastname (m)", a name and its gender right after it
    for i in doc.nonblank():
        line = doc.lines[i]
        first = line.split(" ")[0].strip(":,")
        if len(first) >= 2 and first.isupper() and (i < 8 or re.search(r"\((?:m|f)\)\s*$", line)):
            found = find_countries(first)
            if found and len(line.split()) >= 2:
                return display_name(found[0][1])
    counts: dict[str, float] = {}
    for rank, i in enumerate(body_lines):
        line = doc.lines[i]
        weight = 3.0 if rank < 3 else 1.0
        for _pos, code, is_state in find_countries(line):
            counts[code] = counts.get(code, 0.0) + weight * (0.5 if is_state else 1.0)
    if title:
        for _pos, code, is_state in find_countries(title):
            counts[code] = counts.get(code, 0.0) + 4 * (0.5 if is_state else 1.0)
    if not counts:
        for i in body_lines:
            for word in re.findall(r"[A-Z][a-z]+", doc.lines[i]):
                demonym = demonym_code(word)
                if demonym:
                    counts[demonym] = counts.get(demonym, 0.0) + 1
    if not counts:
        return None
    return display_name(max(counts, key=lambda c: counts[c]))


# ---------------------------------------------------------------------------
# Update request

_UPDATE_WORD_RE = re.compile(
    r"(?i)updat|mises?\s+à\s+jour|tenez-moi|informé|actualizaci|informad|auf\s+dem\s+laufenden|"
    r"informiert|neuigkeiten"
)
_QUOTED_RE = re.compile(r"[“\"«„‘']\s*([^”\"»“‘’']{3,80}?)\s*[”\"»“’']")


def find_update_request(doc: Doc) -> UpdateRequest | None:
    if "@" not in doc.text and "[email" not in doc.text:
        return None
    for para in re.split(r"\n\s*\n", doc.text):
        flat = " ".join(para.split())
        if not _UPDATE_WORD_RE.search(flat):
            continue
        for sentence in re.split(r"(?<=[.!?])\s+", flat):
            if not _UPDATE_WORD_RE.search(sentence):
                continue
            emails = EMAIL_RE.findall(sentence)
            if not emails:
                continue
            quoted = _QUOTED_RE.search(sentence)
            subject = quoted.group(1).strip() if quoted else None
            return UpdateRequest(email=emails[0], subject=subject)
    return None


# ---------------------------------------------------------------------------
# Sections

_BACKGROUND_RE = re.compile(
    r"(?i)^(?:additional\s+information|background(?:\s+information)?|further\s+background|"
    r"informations?\s+compl[ée]mentaires?|contexte|complément\s+d['’]information|"
    r"informaci[óo]n\s+(?:adicional|complementaria)|antecedentes|"
    r"hintergrund(?:informationen)?|zusatzinformationen)\b[^:\n]{0,40}:?\s*$"
)
_BACKGROUND_INLINE_RE = re.compile(
    r"(?i)^(?:additional\s+information|background(?:\s+information)?|informations?\s+compl[ée]mentaires?|"
    r"informaci[óo]n\s+(?:adicional|complementaria)|hintergrund(?:informationen)?)\s*:\s*\S"
)


def find_background(doc: Doc) -> tuple[int, int] | None:
    start = None
    for i, line in enumerate(doc.lines):
        if line and (_BACKGROUND_RE.match(line) or _BACKGROUND_INLINE_RE.match(line)):
            start = i
            break
    if start is None:
        return None
    end = len(doc.lines)
    from .targets import COPY_LABEL_RE, PRIMARY_LABEL_RE

    for j in range(start + 1, len(doc.lines)):
        line = doc.lines[j]
        if line and (PRIMARY_LABEL_RE.match(line) or re.match(r"(?i)^preferred\s+language", line)):
            end = j
            break
        if line and COPY_LABEL_RE.match(line) and len(line) < 60:
            end = j
            break
    return start, end


def fold_key(text: str) -> str:
    return fold(text)
