"""Addressees named only in passing, when no address block is printed.

"urging President Lukashenko to grant clemency" or "send the letter to the EU ambassador":
an office and maybe a name, nothing more. Such targets are always marked unsure.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from functools import lru_cache

from ..record import Target
from . import lang
from .lexicon import alternation, fold
from .names import name_like

_NAME = r"(?P<name>[A-ZÀ-Þ][\w'’-]+(?:\s+[A-ZÀ-Þ][\w'’-]+){0,2})"


@lru_cache(maxsize=1)
def _res() -> tuple[re.Pattern[str], re.Pattern[str], re.Pattern[str]]:
    offices = alternation(lang.phrases("addressees", "offices"))
    named = re.compile(rf"(?<![\w])(?P<title>(?i:{offices}))\s+{_NAME}")
    sentence = re.compile(
        r"(?i)(?<![\w])(?:to|à|au|aux|a|al|an|aan|naar|para|ao|alla|allo)\s+"
        r"(?:the\s+|l['’]|la\s+|le\s+|el\s+|den\s+|die\s+|der\s+|de\s+|o\s+|il\s+)?"
        rf"(?P<title>(?:{offices})(?![\w])[^.!?;,()\n]{{0,80}})"
    )
    letter_words = re.compile(
        r"(?i)lett|brief|carta|courrier|appeal|appel|write|écri|escrib|schreib|scriv|escrev|"
        r"schrijf|mail"
    )
    return named, sentence, letter_words


_TITLE_TAIL_RE = re.compile(
    r"\s+(?:urging|asking|calling|pour|para|und|and|et|y|e|en|per|to|om)\b.*$", re.I
)


def targets_named_in(asks: Sequence[str], sentences: Sequence[str]) -> list[Target]:
    """Officials named with their office in the asks, else the office a letter is sent to."""
    named, sentence_re, letter_words = _res()
    out: list[Target] = []
    seen: set[str] = set()
    for ask in asks:
        for m in named.finditer(ask):
            name = m.group("name")
            if not name_like(name, 1):
                continue
            key = fold(name)
            if key not in seen:
                seen.add(key)
                out.append(Target(title=m.group("title"), name=name))
    if out:
        return out
    for sentence in sentences:
        if not letter_words.search(sentence):
            continue
        hit = sentence_re.search(sentence)
        if hit:
            title = _TITLE_TAIL_RE.sub("", hit.group("title").strip())
            return [Target(title=title)]
    return out
