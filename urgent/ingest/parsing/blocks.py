"""Find the addressees' blocks anywhere in a document, and whether each is a copy.

A block is a head line (a courtesy style, an office or a name) followed by address and
contact lines. Blocks are found under a heading in any language ("Write to:", "Écrivez à :",
"Appell an"), on their own where their shape gives them away (a head, then an address or a
contact label: the top of a model letter), after "To:", or flattened onto one line. The
heading above a block decides its role: everything under a copies heading ("And copy",
"Copias a", "Kopien an") is a copy until a primary heading comes back.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from .addressee import AddressBlock, strip_numbering
from .contacts import (
    EMAIL_RE,
    find_numbers,
    has_contact_label,
    inline_label_re,
    is_bare_contact,
    split_labels,
)
from .doc import Doc
from .lines import (
    copy_heading,
    has_instruction,
    honorific_only,
    is_address_line,
    is_bullet,
    is_closing,
    is_contact_line,
    is_date_only,
    is_dateline,
    is_end_marker,
    is_footer,
    is_head,
    is_junk,
    is_primary_heading,
    is_prose,
    is_subject_line,
    letter_salutation,
    strip_bullet,
    to_label,
    trailing_salutation,
)
from .names import leading_office_end, name_like, split_honorific
from .titles import is_navigation

_LOOKAHEAD = 12


@dataclass(frozen=True)
class AddressSection:
    blocks: tuple[AddressBlock, ...]
    used_lines: frozenset[int]  # block lines, headings and furniture between them
    heading_lines: frozenset[int]  # every addressee heading, followed by a block or not
    layout_end: int | None  # where blocks printed at the very top of a letter stop


@dataclass
class _Open:
    role: str
    labelled: bool
    lines: list[str] = field(default_factory=list)
    numbers: list[int] = field(default_factory=list)
    single_line: bool = False
    closed: bool = False  # a salutation label ends a block
    has_contact: bool = False

    def add(self, line: str, index: int) -> None:
        self.lines.append(line)
        self.numbers.append(index)
        if is_contact_line(line):
            self.has_contact = True
        if any(kind == "salutation" for kind, _ in split_labels(line)):
            self.closed = True

    def freeze(self) -> AddressBlock:
        return AddressBlock(
            self.role, tuple(self.lines), tuple(self.numbers), self.single_line, self.labelled
        )


def single_line_target(line: str) -> bool:
    """A head followed by contact labels on the same line ("Name Title Address Email: ...")."""
    if ":" not in line:
        return False
    m = inline_label_re().search(line)
    if not m or m.start() == 0:
        return False
    head = line[: m.start()].strip()
    words_ = head.split()
    if not 3 <= len(words_) <= 40:
        return False
    if sum(1 for w in words_ if w[:1].islower()) > len(words_) / 3:
        return False
    first = " ".join(words_[:4])
    return bool(
        split_honorific(first)[0] or leading_office_end(head) or name_like(" ".join(words_[:2]))
    )


class AddressScanner:
    """One pass over the lines; its state is its own and the result is frozen."""

    def __init__(self, doc: Doc) -> None:
        self.doc = doc
        self.lines = doc.lines
        self.blocks: list[AddressBlock] = []
        self.used: set[int] = set()
        self.current: _Open | None = None
        self.in_region = False
        self.role = "primary"
        self.blank_seen = False
        self.labelled = False
        # headings and furniture, counted as used once a block follows them
        self.pending: list[int] = []
        self.headings: set[int] = set()
        self.layout_end: int | None = None
        self.first_line = next((i for i, line in enumerate(self.lines) if line), None)

    def scan(self) -> AddressSection:
        for i, line in enumerate(self.lines):
            if not line:
                self.blank_seen = True
                continue
            if self.in_region:
                self._inside(i, line)
            else:
                self._outside(i, line)
        self._close()
        return AddressSection(
            tuple(self.blocks), frozenset(self.used), frozenset(self.headings), self.layout_end
        )

    # -- outside an address section ------------------------------------------------------

    def _outside(self, i: int, line: str) -> None:
        addressee = to_label(line)
        if addressee:
            self._enter("primary", labelled=True)
            self._start_block(addressee, i)
            return
        if is_primary_heading(line):
            self._enter("primary", labelled=True)
            self._heading(i)
            return
        m = copy_heading(line)
        if m:
            self._enter("copy", labelled=True)
            self._heading(i)
            self._inline_after_heading(line[m.end() :], i)
            return
        if single_line_target(line):
            self._single(line, i, "primary")
            return
        numbered, text = strip_numbering(line)
        if self._opens_block(i, text, numbered):
            self._enter("primary", labelled=False)
            self._start_block(text, i)

    def _opens_block(self, i: int, text: str, numbered: bool) -> bool:
        if numbered:
            return len(text.split()) <= 12 and (
                self._block_ahead(i) or bool(trailing_salutation(text))
            )
        if len(text) > 120 or len(text.split()) > 12 or is_prose(text):
            return False  # an addressee's first line is short
        if letter_salutation(text) or is_dateline(text) or is_date_only(text):
            return False
        if not (is_head(text) or honorific_only(text)):
            return False
        if i == self._first_after_dateline() and split_honorific(text)[0]:
            return True
        return self._block_ahead(i)

    def _first_after_dateline(self) -> int | None:
        """The first line, or the line after a letter's opening date line ("México, a 9 de …")."""
        first = self.first_line
        if first is not None and (
            is_dateline(self.lines[first]) or is_date_only(self.lines[first])
        ):
            return next((j for j in range(first + 1, len(self.lines)) if self.lines[j]), None)
        return first

    def _block_ahead(self, i: int) -> bool:
        """Do address or contact lines follow line i, before any prose?"""
        contacts = addresses = seen = blanks = 0
        for j in range(i + 1, min(len(self.lines), i + _LOOKAHEAD)):
            line = self.lines[j]
            if not line:
                blanks += 1
                if blanks > 1 and seen:
                    break
                continue
            blanks = 0
            if letter_salutation(line):
                return addresses >= 1 or contacts >= 1
            if has_contact_label(line) or is_bare_contact(line):
                contacts += 1
            elif is_address_line(line):
                addresses += 1
            elif is_prose(line) or is_bullet(line) or is_primary_heading(line):
                break
            seen += 1
            if contacts or addresses >= 2:
                return True
            if seen > 8:
                break
        return contacts >= 1 or addresses >= 2

    # -- inside an address section -------------------------------------------------------

    def _inside(self, i: int, line: str) -> None:
        m = copy_heading(line)
        if m:
            self._close()
            self.role = "copy"
            self._heading(i)
            self._inline_after_heading(line[m.end() :], i)
            self.blank_seen = False
            return
        if is_bullet(line) and single_line_target(strip_bullet(line)):
            self._close()
            self._single(strip_bullet(line), i, self.role)
            return
        if self._ends_region(line) or self._menu_row(i):
            self._leave(i)
            return
        if is_primary_heading(line):
            self._close()
            self.role = "primary"
            self._heading(i)
            self.blank_seen = False
            return
        if is_junk(line):
            self.pending.append(i)
            return
        self._in_block(i, line)

    def _ends_region(self, line: str) -> bool:
        return bool(
            is_end_marker(line)
            or letter_salutation(line)
            or is_closing(line)
            or is_prose(line)
            or is_date_only(line)
            or is_dateline(line)
            or is_subject_line(line)
            or is_footer(line)
            or (is_bullet(line) and not strip_numbering(line)[0])
            or (has_instruction(line) and not is_contact_line(line))
        )

    def _in_block(self, i: int, line: str) -> None:
        numbered, text = strip_numbering(line)
        if single_line_target(text):
            self._close()
            self._single(text, i, self.role)
            return
        cur = self.current
        if cur is None:
            if text[:1].islower() or not self._can_open(text):
                self._leave(i)
                return
            self._start_block(text, i)
            return
        if numbered or self._new_block_here(cur, text):
            if numbered or is_head(text) or honorific_only(text):
                self._close()
                self._start_block(text, i)
            else:
                self._leave(i)
            return
        cur.add(text, i)
        self.blank_seen = False

    def _menu_row(self, i: int) -> bool:
        """'Publicidad · Te puede interesar · Más leídas': a page's links below the block."""
        spaced = self.doc.spaced[i]
        return len(re.findall(r"\s[|·•]\s", spaced)) >= 2 and is_navigation(spaced)

    @staticmethod
    def _can_open(text: str) -> bool:
        """A block opens with a style, an office, a name, an institution or an address; not
        with a sentence ("Libellé à envoyer avant le 30 mars.")."""
        sentence = (
            len(text.split()) >= 3
            and text.rstrip().endswith((".", "!"))
            and not any(c.isdigit() for c in text)
        )
        return not sentence or has_contact_label(text) or is_bare_contact(text)

    def _new_block_here(self, cur: _Open, text: str) -> bool:
        if cur.closed:
            return True
        if cur.has_contact and not has_contact_label(text) and not is_bare_contact(text):
            return True
        if self.blank_seen and len(cur.lines) >= 2 and honorific_only(text):
            return True
        return bool(self.blank_seen and len(cur.lines) >= 3 and split_honorific(text)[0])

    # -- bookkeeping ---------------------------------------------------------------------

    def _enter(self, role: str, *, labelled: bool) -> None:
        self._close()
        self.in_region, self.role, self.blank_seen = True, role, False
        self.labelled = labelled

    def _leave(self, i: int) -> None:
        self._close()
        self.pending.clear()
        self.in_region = False
        if (
            self.layout_end is None
            and self.blocks
            and self.blocks[0].line_numbers[0] == self.first_line
        ):
            self.layout_end = i

    def _start_block(self, text: str, i: int) -> None:
        self._close()
        self.current = _Open(self.role, labelled=self.labelled)
        self.current.add(text, i)
        self.blank_seen = False

    def _single(self, text: str, i: int, role: str) -> None:
        block = _Open(role, labelled=True, single_line=True)
        block.add(text, i)
        self._keep(block.freeze())
        self.blank_seen = False

    def _close(self) -> None:
        if self.current is not None and self.current.lines:
            self._keep(self.current.freeze())
        self.current = None

    def _heading(self, i: int) -> None:
        self.pending.append(i)
        self.headings.add(i)

    def _keep(self, block: AddressBlock) -> None:
        self.blocks.append(block)
        self.used.update(block.line_numbers)
        self.used.update(self.pending)
        self.pending.clear()

    def _inline_after_heading(self, remainder: str, i: int) -> None:
        """Content printed on the same line as a copies heading.

        ("Cc. The Hon X", "... accredited to your country. HE Y, Embassy of Z, ...")."""
        # "… eine Kopie an die Botschaft der Republik X, Luisenstraße 16, …": the institution
        remainder = _ARTICLE_BEFORE_NAME_RE.sub("", remainder.strip())
        # "Copias a: los representantes diplomáticos de …": an instruction, not an addressee
        if (
            not remainder
            or remainder[:1].islower()
            or remainder.casefold().startswith(
                ("please", "veuillez", "bitte", "por favor", "por favour")
            )
        ):
            return
        block = _Open(self.role, labelled=True)
        if remainder.count(",") >= 2 and (EMAIL_RE.search(remainder) or find_numbers(remainder)):
            for part in remainder.split(","):
                if part.strip():
                    block.add(part.strip(), i)
            self._keep(block.freeze())
            return
        block.add(remainder, i)
        self.current = block


_ARTICLE_BEFORE_NAME_RE = re.compile(
    r"^(?:the|die|der|den|la|le|el|il|de|het|a|o|l')\s*(?=[A-ZÀ-Þ])"
)


def find_address_section(doc: Doc) -> AddressSection:
    return AddressScanner(doc).scan()
