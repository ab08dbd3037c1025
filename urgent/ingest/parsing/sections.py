"""Story, background, the publisher's own instructions, and how to ask for updates."""

from __future__ import annotations

import re
from collections.abc import Collection
from functools import lru_cache

from ..record import UpdateRequest
from . import lang
from .contacts import EMAIL_RE
from .doc import Doc
from .lexicon import folded, folded_alternation, pattern
from .lines import copy_heading, has_instruction, is_background_heading, is_primary_heading


def find_background(doc: Doc) -> tuple[int, int] | None:
    """Lines [start, end) of the background section: its heading up to the addresses."""
    start = next(
        (i for i, line in enumerate(doc.lines) if line and is_background_heading(line)), None
    )
    if start is None:
        return None
    for j in range(start + 1, len(doc.lines)):
        line = doc.lines[j]
        if line and (
            is_primary_heading(line)
            or re.match(r"(?i)^preferred\s+language", line)
            or (copy_heading(line) and len(line) < 60)
            or pattern("headings", "asks", anchored=True).match(line)
        ):
            return start, j
    return start, len(doc.lines)


def instruction_lines(doc: Doc) -> frozenset[int]:
    """Lines of paragraphs that speak to the publisher's own supporters: where to send update
    requests, "please forward", share buttons, cookie banners. They are not the case."""
    out: set[int] = set()
    start: int | None = None
    for i, line in enumerate([*doc.lines, ""]):
        if line and start is None:
            start = i
        if not line and start is not None:
            out.update(_instruction_paragraph(doc, start, i))
            start = None
    return frozenset(out)


def _instruction_paragraph(doc: Doc, start: int, end: int) -> range | list[int]:
    """The lines of one paragraph that are instructions. A short paragraph is one wrapped
    instruction; a long run of lines with no blank between them (a page's text pasted whole)
    gives only its own instruction lines, so the story around a share button stays."""
    para = " ".join(doc.lines[start:end])
    if not has_instruction(para) or len(para.split()) >= 80:
        return []
    if end - start <= _WRAPPED_LINES:
        return range(start, end)
    return [k for k in range(start, end) if has_instruction(doc.lines[k])]


_WRAPPED_LINES = 5


def story(doc: Doc, body_lines: Collection[int], title: str | None) -> str | None:
    """The paragraphs that tell the case, in order (at most six)."""
    paras: list[str] = []
    buf: list[str] = []
    last = -2
    for i in sorted(body_lines):
        line = doc.lines[i]
        if line == title:
            continue
        if i != last + 1 and buf:
            paras.append(" ".join(buf))
            buf = []
        buf.append(line)
        last = i
    if buf:
        paras.append(" ".join(buf))
    kept = [p for p in paras if len(p.split()) >= 12]
    return "\n\n".join(kept[:6]) or None


def background(doc: Doc, span: tuple[int, int] | None, skip: Collection[int]) -> str | None:
    if not span:
        return None
    lines = [doc.lines[i] for i in range(*span)[1:] if doc.lines[i] and i not in skip]
    return "\n".join(lines) or None


@lru_cache(maxsize=1)
def _update_word_re() -> re.Pattern[str]:
    """Over folded text."""
    words = [*lang.phrases("instructions", "updates"), "updates", "update", "updated"]
    return re.compile(rf"(?:{folded_alternation(words)})")


_QUOTED_RE = re.compile(r"[“\"«„‘]\s*([^”\"»“‘’]{3,80}?)\s*[”\"»“’]")


def find_update_request(doc: Doc) -> UpdateRequest | None:
    """'If you want updates ... send your request to X with "Keep me updated on UA 1/2"'."""
    if "@" not in doc.text and "[email" not in doc.text:
        return None
    for para in re.split(r"\n\s*\n", doc.text):
        flat = " ".join(para.split())
        if not _update_word_re().search(folded(flat)):
            continue
        for sentence in re.split(r"(?<=[.!?])\s+", flat):
            said = _update_word_re().search(folded(sentence))
            if not said:
                continue
            # the address that follows the words about updates, not an earlier one
            after = sentence[said.start() :]
            emails = EMAIL_RE.findall(after) or EMAIL_RE.findall(sentence)
            if not emails:
                continue
            quoted = _QUOTED_RE.search(after)
            subject = quoted.group(1).strip() if quoted else None
            return UpdateRequest(email=emails[0], subject=subject)
    return None
