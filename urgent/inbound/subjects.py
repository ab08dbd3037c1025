"""Reading "Keep me updated on UA 118/21" out of a subject line, in the forms people write it.

Pure functions, no database: `reference_key` turns any spelling of a case reference into one
key ("UA 118/21", "ua118-21", "AU 118/2021" and "EXTRA 118/21" all give "118/21"), and
`subject_parse` says whether a subject asks for updates, names a case, and in which language.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

# A number and a year, optionally after a prefix: UA (Urgent Action), AU (Action urgente,
# Acción urgente), EXTRA (an extra UA), UAA. Digits glued to other digits or slashes are
# not a reference: "MDE 13/4567/2021" is an index number, not UA 13/45.
_REFERENCE = re.compile(
    r"(?<![\w/])(?:(?:ua|au|uaa|extra)\s*[-:.#]?\s*)?"
    r"(?P<number>\d{1,4})\s*[/\-–—_.]\s*(?P<year>\d{4}|\d{2})(?![\w/])",
    re.IGNORECASE,
)

# Subject prefixes of replies and forwards in the languages supporters write in.
_REPLY_PREFIX = re.compile(
    r"^\s*(?:(?:re|aw|sv|vs|wg|fw|fwd|tr|rv|rif|r|antw|odp|ynt)\s*(?:\[\d+\])?\s*:\s*)+",
    re.IGNORECASE,
)

# "Keep me updated" and its equivalents, matched on lower-case text without accents or
# inclusive-writing marks ("informé·e" -> "informee").
_KEYWORDS: tuple[tuple[str, str], ...] = (
    ("en", r"keep\s+me\s+(?:updated|informed|posted)"),
    ("en", r"\bupdates?\b"),
    ("en", r"\bsubscribe\b"),
    ("fr", r"tene[zs][\s-]*moi\s+(?:informe|au\s+courant)"),
    ("fr", r"informe[sz]?[\s-]*moi"),
    ("fr", r"mises?\s+a\s+jour"),
    ("fr", r"\bsuivi\b"),
    ("es", r"manten(?:gan|ga)?(?:me|nos)\s+(?:informad|al\s+tanto|al\s+corriente)"),
    ("es", r"inform(?:en|e|a)me"),
    ("es", r"actualizacion(?:es)?"),
    ("de", r"auf\s+dem\s+laufenden"),
    ("de", r"informieren\s+sie\s+mich"),
    ("de", r"\baktualisierung(?:en)?\b"),
)
_KEYWORD_PATTERNS = tuple((lang, re.compile(pattern)) for lang, pattern in _KEYWORDS)


def _fold(text: str) -> str:
    decomposed = unicodedata.normalize("NFKD", text)
    plain = "".join(c for c in decomposed if not unicodedata.combining(c))
    # Inclusive spellings fold to one word: "informé·e" and "informé(e)" read as "informee".
    plain = plain.replace("·", "").replace("(", "").replace(")", "")
    return " ".join(plain.lower().split())


def reference_key(text: str) -> str | None:
    """The comparison key of the first case reference in `text`, such as "118/21"."""
    match = _REFERENCE.search(text)
    if match is None:
        return None
    return f"{int(match.group('number'))}/{match.group('year')[-2:]}"


@dataclass(frozen=True)
class SubjectRequest:
    """What a subject line asks for."""

    reference: str | None  # the reference key, such as "118/21"
    asks_updates: bool  # words such as "keep me updated" are present
    language: str | None  # the language those words are in
    is_reply: bool  # the subject starts with "Re:", "AW:", "Fwd:" ...


def subject_parse(subject: str) -> SubjectRequest:
    is_reply = bool(_REPLY_PREFIX.match(subject))
    text = _REPLY_PREFIX.sub("", subject)
    folded = _fold(text)
    language = None
    for lang, pattern in _KEYWORD_PATTERNS:
        if pattern.search(folded):
            language = lang
            break
    return SubjectRequest(
        reference=reference_key(text),
        asks_updates=language is not None,
        language=language,
        is_reply=is_reply,
    )


def subject_is_bare_reference(subject: str) -> bool:
    """True when the subject is nothing but a case reference ("UA 118/21")."""
    text = _REPLY_PREFIX.sub("", subject)
    return bool(text.strip()) and not _REFERENCE.sub("", text).strip(" \t-:.,;!?")
