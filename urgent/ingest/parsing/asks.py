"""Asks: the recommended actions, from a list (bullets, numbers, dashes on one line) or the
request sentence of a model letter, in any language of the tables."""

from __future__ import annotations

import re
from collections.abc import Collection
from dataclasses import dataclass

from .contacts import EMAIL_RE
from .doc import Doc
from .lexicon import pattern
from .lines import (
    is_bullet,
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
    line = line.rstrip()
    if not line.endswith(":"):
        return False
    return bool(pattern("headings", "asks").search(line)) or is_primary_heading(line)


def find_list_asks(doc: Doc, skip: Collection[int]) -> Asks:
    """The first list introduced by a demand heading ("urging him to:", "Amnesty fordert:")."""
    for i, line in enumerate(doc.lines):
        if not line or i in skip:
            continue
        inline = _inline_asks(line)
        if inline:
            return Asks(tuple(inline), frozenset({i}), 0.9)
        if not _lead_ok(line):
            continue
        found = _collect_list(doc, i + 1, skip)
        if found.items:
            return found
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
    """The model letter's request sentence, else a call in the summary."""
    paragraphs = doc.paragraphs(skip)
    letter_first: list[tuple[int, str]] = []
    if letter_line is not None:
        letter_first = [p for p in paragraphs if p[0] >= letter_line]
    first_person = pattern("demands", "first_person")
    for _start, para in letter_first + paragraphs:
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


def _drop_salutation(sentence: str) -> str:
    sal = salutation_on_line(sentence)
    if sal:
        at = sentence.find(sal)
        if at >= 0 and len(sentence) > at + len(sal) + 10:
            return sentence[at + len(sal) :].strip()
    return sentence
