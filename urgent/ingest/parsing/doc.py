"""The text split into lines: the one structure every step reads and none changes."""

from __future__ import annotations

import re
from collections.abc import Collection
from dataclasses import dataclass

from .text import normalise_text


def _ends_unit(line: str) -> bool:
    """A line after which a new sentence starts: terminal punctuation, or a short heading."""
    return bool(re.search(r"[.!?:]$", line)) or (len(line) < 60 and not re.search(r"[,;]$", line))


@dataclass(frozen=True)
class Doc:
    text: str
    lines: tuple[str, ...]
    # the same lines with their runs of spaces (menus, typewritten columns)
    spaced: tuple[str, ...]

    @classmethod
    def from_text(cls, text: str) -> Doc:
        flat = normalise_text(text)
        spaced = normalise_text(text, keep_columns=True)
        return cls(
            text=flat,
            lines=tuple(line.strip() for line in flat.split("\n")),
            spaced=tuple(line.strip() for line in spaced.split("\n")),
        )

    def nonblank(self, start: int = 0, end: int | None = None) -> list[int]:
        end = len(self.lines) if end is None else end
        return [i for i in range(start, end) if self.lines[i]]

    def paragraphs(self, skip: Collection[int] = ()) -> list[tuple[int, str]]:
        """(first line index, joined text) for each paragraph, leaving out `skip` lines."""
        out: list[tuple[int, str]] = []
        buf: list[str] = []
        first = 0
        for i, line in enumerate(self.lines):
            if not line or i in skip:
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
