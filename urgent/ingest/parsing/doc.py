"""The text split into lines, with the bookkeeping every field extractor shares."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from .text import normalise_text

_JUNK_LINE_RE = re.compile(
    r"(?i)^(?:page\s+\d+(?:\s+of\s+.*)?|\d{1,3}|[.\-_=*•·]+|\[.*\]|-\s*\d+\s*-|"
    r"name\s+address\s+1\b.*|(?:fax|tel|phone|email|e-mail|telephone)\s*:?)$"
)


def _ends_unit(line: str) -> bool:
    """A line after which a new sentence starts: terminal punctuation, or a short heading."""
    return bool(re.search(r"[.!?:]$", line)) or (len(line) < 60 and not re.search(r"[,;]$", line))


def is_junk_line(line: str) -> bool:
    """Page furniture: page numbers, rules, template placeholders."""
    return bool(_JUNK_LINE_RE.match(line.strip()))


@dataclass
class Doc:
    text: str
    lines: list[str] = field(default_factory=list)
    offsets: list[int] = field(default_factory=list)
    # line indices claimed by one extractor (targets, asks) so others skip them
    target_lines: set[int] = field(default_factory=set)
    ask_lines: set[int] = field(default_factory=set)
    letter_lines: set[int] = field(default_factory=set)
    background: tuple[int, int] | None = None

    @classmethod
    def from_text(cls, text: str) -> Doc:
        text = normalise_text(text)
        doc = cls(text=text)
        pos = 0
        for line in text.split("\n"):
            doc.lines.append(line.strip())
            doc.offsets.append(pos)
            pos += len(line) + 1
        return doc

    def nonblank(self, start: int = 0, end: int | None = None) -> list[int]:
        end = len(self.lines) if end is None else end
        return [i for i in range(start, end) if self.lines[i]]

    def in_background(self, i: int) -> bool:
        return self.background is not None and self.background[0] <= i < self.background[1]

    def paragraphs(self, skip: set[int] | None = None) -> list[tuple[int, str]]:
        """(first line index, joined text) for each blank-line separated paragraph."""
        out: list[tuple[int, str]] = []
        buf: list[str] = []
        first = 0
        for i, line in enumerate(self.lines):
            if not line or (skip and i in skip):
                if buf:
                    out.append((first, " ".join(buf)))
                    buf = []
                continue
            if buf and _ends_unit(buf[-1]) and line[:1].isupper():
                out.append((first, " ".join(buf)))
                buf = []
            if not buf:
                first = i
            buf.append(line)
        if buf:
            out.append((first, " ".join(buf)))
        return out
