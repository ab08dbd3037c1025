"""Asks: the recommended actions, from a list (bullets, numbers, dashes on one line) or the
request sentence of a model letter, in any language of the tables."""

from __future__ import annotations

import re
from collections.abc import Collection
from dataclasses import dataclass
from functools import lru_cache

from . import lang
from .contacts import EMAIL_RE
from .doc import Doc
from .lexicon import fold, folded, pattern
from .lines import (
    is_bullet,
    is_closing,
    is_end_marker,
    is_primary_heading,
    letter_salutation,
    strip_bullet,
)
from .salutations import salutation_on_line
from .text import split_sentences

_NUMBERED_RE = re.compile(r"^(?:\(?[a-h]\)|\(?\d{1,2}[.)]|\(?(?:i{1,3}|iv|vi{0,3}|ix|x)[.)])\s")


@dataclass(frozen=True)
class Asks:
    items: tuple[str, ...]
    lines: frozenset[int]
    confidence: float


NONE = Asks((), frozenset(), 0.0)


def _lead_ok(line: str) -> bool:
    """A line that announces demands ("urging him to:", "Amnesty fordert:", "in denen Sie")."""
    return bool(pattern("headings", "asks").search(line)) or (
        line.rstrip().endswith(":") and is_primary_heading(line)
    )


@lru_cache(maxsize=1)
def _verb_stems() -> tuple[tuple[str, ...], frozenset[str]]:
    """Long stems match the start of a word; short ones ("urge", "ask") only whole words."""
    stems = {fold(v) for v in lang.phrases("demands", "verbs")}
    return tuple(sorted(s for s in stems if len(s) >= 5)), frozenset(s for s in stems if len(s) < 5)


def demands_something(text: str) -> bool:
    """Does a list item ask for something (release, ensure, libérer, freilassen, ...)?"""
    long_stems, short = _verb_stems()
    return any(
        w in short or w.startswith(long_stems) for w in re.findall(r"[^\W\d_]+", folded(text))
    )


def find_list_asks(doc: Doc, skip: Collection[int]) -> Asks:
    """The best list of demands: bullets, numbers or dashes, announced by a lead line.

    Every list in the text is a candidate; a list counts when its lead announces demands or
    most of its items ask for something, and the first such list wins."""
    for i, line in enumerate(doc.lines):
        if not line or i in skip:
            continue
        inline = _inline_asks(line)
        if inline:
            return Asks(tuple(inline), frozenset({i}), 0.9)
        if not is_bullet(line) or (i > 0 and doc.lines[i - 1] and is_bullet(doc.lines[i - 1])):
            continue
        found = _collect_list(doc, i, skip)
        if not found.items or _heading_item(strip_bullet(line)):
            continue
        lead = _lead_before(doc, i, skip) or ""
        demanding = sum(1 for item in found.items if demands_something(item))
        announced = _announces(lead) and (demanding > 0 or lead.rstrip().endswith(":"))
        if announced or demanding * 2 > len(found.items):
            return Asks(found.items, found.lines, 0.9 if announced else 0.7)
    return NONE


def _inline_asks(line: str) -> list[str]:
    """'RECOMMENDED ACTION: ...: - stating ...; - urging ...' printed on one line."""
    if ":" not in line or not re.search(r"\s[-–•]\s", line):
        return []
    if not pattern("headings", "asks").search(line):
        return []
    colon = line.find(":")
    parts = re.split(r"(?:^|\s)[-–•]\s+(?=\w)", line[colon + 1 :])
    items = [p.strip() for p in parts[1:] if len(p.strip()) > 10]
    return items if len(items) >= 2 else []


def _lead_before(doc: Doc, i: int, skip: Collection[int]) -> str | None:
    """The line just above a list, which says what the list is."""
    above = [j for j in range(max(0, i - 3), i) if doc.lines[j] and j not in skip]
    return doc.lines[above[-1]] if above else None


def _announces(lead: str) -> bool:
    """'... urging him to:', 'Amnesty fordert:', '..., in denen Sie': demands follow."""
    lead = lead.rstrip()
    if lead.endswith(":"):
        return _lead_ok(lead)
    tail = lead[-40:]
    ends = [m.end() for m in pattern("headings", "asks").finditer(tail)]
    return bool(ends) and not tail[ends[-1] :].strip(" ,")


def _heading_item(text: str) -> bool:
    """'1) TAKE ACTION': a numbered heading, not a demand."""
    return text.isupper() and len(text.split()) <= 5


def _collect_list(doc: Doc, start: int, skip: Collection[int]) -> Asks:
    lines = doc.lines
    asks: list[str] = []
    taken: set[int] = set()
    current: list[str] = []
    numbered_list: bool | None = None
    i = start
    while i < len(lines):
        line = lines[i]
        if not line:
            nxt = next((j for j in range(i + 1, min(len(lines), i + 4)) if lines[j]), None)
            if nxt is None or not is_bullet(lines[nxt]):
                break
            i = nxt
            continue
        if i in skip or is_end_marker(line) or is_primary_heading(line):
            break
        if is_bullet(line):
            is_num = bool(_NUMBERED_RE.match(line))
            if numbered_list is None:
                numbered_list = is_num
            elif numbered_list != is_num and current:
                break
            if current:
                asks.append(" ".join(current))
            current = [strip_bullet(line)]
            taken.add(i)
        elif (
            current
            and (not re.search(r"[.;:!?]$", current[-1]) or line[:1].islower())
            and not line.isupper()
        ):
            current.append(line)
            taken.add(i)
        else:
            break
        i += 1
    if current:
        asks.append(" ".join(current))
    items = tuple(a for a in asks if len(a) > 3)
    return Asks(items, frozenset(taken), 0.9 if items else 0.0)


def no_further_action(text: str) -> bool:
    return bool(pattern("kind", "no_further_action").search(text))


def find_request_sentence(doc: Doc, skip: Collection[int], letter_line: int | None) -> Asks:
    """Each request sentence of the model letter, else a call in the summary."""
    paragraphs = doc.paragraphs(skip)
    if letter_line is not None:
        in_letter = _letter_demands([p for p in paragraphs if p[0] >= letter_line])
        if in_letter:
            return Asks(tuple(in_letter), frozenset(), 0.8)
    first_person = pattern("demands", "first_person")
    for _start, para in paragraphs:
        for sentence in split_sentences(para):
            if letter_salutation(sentence) == sentence:
                continue
            if first_person.search(sentence) and not EMAIL_RE.search(sentence):
                return Asks((_drop_salutation(sentence),), frozenset(), 0.75)
    collective = pattern("demands", "collective")
    for _start, para in paragraphs:
        for sentence in split_sentences(para):
            if (
                collective.search(sentence)
                and not EMAIL_RE.search(sentence)
                and len(sentence) < 400
            ):
                return Asks((_drop_salutation(sentence),), frozenset(), 0.45)
    return NONE


def _letter_demands(paragraphs: list[tuple[int, str]]) -> list[str]:
    """The letter's demand sentences, up to its closing: "I urge you ...", "I also call on
    you ...", and a later sentence that still demands ("... must be ensured")."""
    first_person = pattern("demands", "first_person")
    continuation = pattern("demands", "continuation")
    out: list[str] = []
    for _start, para in paragraphs:
        if is_closing(para):
            break
        for sentence in split_sentences(para):
            if EMAIL_RE.search(sentence) or letter_salutation(sentence) == sentence:
                continue
            if first_person.search(sentence) or (out and continuation.search(sentence)):
                out.append(_drop_salutation(sentence))
    return out


def _drop_salutation(sentence: str) -> str:
    sal = salutation_on_line(sentence)
    if sal:
        at = sentence.find(sal)
        if at >= 0 and len(sentence) > at + len(sal) + 10:
            return sentence[at + len(sal) :].strip()
    return sentence
