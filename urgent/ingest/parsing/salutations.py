"""Letter salutations ("Dear Minister,", "Sehr geehrter Herr Präsident,") and whose they are."""

from __future__ import annotations

import re
from collections.abc import Collection, Sequence
from dataclasses import dataclass, replace

from ..record import Target
from .addressee import AddressBlock
from .doc import Doc
from .lexicon import fold
from .lines import is_letter_heading, letter_salutation
from .text import decamel

# "Sample message: Dear Governor, ..." — a heading and the letter on one line
_PREFIX_RE = re.compile(r"^([^:\n]{3,40}):\s+(?=\S)")
_NEAR = 4  # non-blank lines between a block and the salutation that answers it


@dataclass(frozen=True)
class LetterSalutation:
    text: str
    line: int


def salutation_on_line(line: str) -> str | None:
    sal = letter_salutation(line)
    if sal:
        return sal
    m = _PREFIX_RE.match(line)
    if m and is_letter_heading(m.group(1)):
        return letter_salutation(line[m.end() :])
    return None


def find_letter_salutations(doc: Doc, skip: Collection[int]) -> list[LetterSalutation]:
    return [
        LetterSalutation(sal, i)
        for i, line in enumerate(doc.lines)
        if line and i not in skip
        for sal in [salutation_on_line(line)]
        if sal
    ]


def attach_salutations(
    targets: Sequence[Target], blocks: Sequence[AddressBlock], found: Sequence[LetterSalutation]
) -> list[Target]:
    """Targets with the letter's salutation given to the addressee it greets.

    A salutation right under a block (a model letter that starts with the address) belongs
    to that block; otherwise to the primary addressee whose office or name it repeats, or to
    the only primary addressee there is. With no addressee at all, the salutation alone is
    kept: the coordinator still learns how the letter opens."""
    out = list(targets)
    if not found:
        return out
    if not out:
        return [Target(salutation=found[0].text)]
    used: set[int] = set()
    for sal in found:
        k = _block_just_above(blocks, sal.line)
        if k is not None and k < len(out) and not out[k].salutation and k not in used:
            out[k] = replace(out[k], salutation=sal.text)
            used.add(k)
    if used:
        return out
    first = found[0].text
    lacking = [k for k, t in enumerate(out) if t.role == "primary" and not t.salutation]
    keys = {fold(w) for w in re.findall(r"\w+", decamel(first)) if len(w) > 3}
    for k in lacking:
        label = fold(" ".join(filter(None, [out[k].title, out[k].name])))
        if any(w in label for w in keys):
            out[k] = replace(out[k], salutation=first)
            return out
    if len(lacking) == 1 and sum(1 for t in out if t.role == "primary") == 1:
        out[lacking[0]] = replace(out[lacking[0]], salutation=first)
    return out


def _block_just_above(blocks: Sequence[AddressBlock], line: int) -> int | None:
    best: int | None = None
    for k, block in enumerate(blocks):
        last = block.line_numbers[-1]
        if last < line and line - last <= _NEAR * 2 and block.role == "primary":
            best = k
    if best is None:
        return None
    later = [b for b in blocks if blocks[best].line_numbers[-1] < b.line_numbers[0] < line]
    return None if later else best
