"""Letters and envelopes as PDF (fpdf2: pure Python, embeds a subset of a Unicode TTF font).

Paper follows the writer's country (US Letter in the Americas' Letter countries, A4
elsewhere); the recipient's address sits where window envelopes show it (DIN 5008 form B
for A4 in a DL envelope, a #10 window for US Letter). Lines are broken here, with word
widths cached, because fpdf2's general-purpose `multi_cell` is far slower on long letters.
"""

from __future__ import annotations

import copy
import datetime
import logging
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any

from django.utils import formats, translation
from fpdf import FPDF

log = logging.getLogger(__name__)
# fontTools logs every table it trims at INFO: noise in a server log, once per letter.
logging.getLogger("fontTools").setLevel(logging.WARNING)

# Free fonts with wide Unicode coverage, first found wins: DejaVu Sans (Bitstream Vera
# licence with public-domain additions) from Debian's fonts-dejavu-core and other systems.
FONT_CANDIDATES = [
    (
        Path("/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf"),
        Path("/usr/share/fonts/truetype/dejavu/DejaVuSans-Bold.ttf"),
    ),
    (Path("/usr/share/fonts/TTF/DejaVuSans.ttf"), Path("/usr/share/fonts/TTF/DejaVuSans-Bold.ttf")),
    (
        Path("/usr/share/fonts/dejavu-sans-fonts/DejaVuSans.ttf"),
        Path("/usr/share/fonts/dejavu-sans-fonts/DejaVuSans-Bold.ttf"),
    ),
]

LETTER_COUNTRIES = frozenset(
    {"US", "CA", "MX", "PH", "CL", "CO", "VE", "CR", "GT", "PA", "DO", "PR", "SV", "NI"}
)


@dataclass(frozen=True)
class Paper:
    name: str
    width: float
    height: float
    # Top-left corner of the recipient's address, in mm, for the window envelope.
    address_x: float
    address_y: float
    envelope: tuple[float, float]
    envelope_name: str


A4 = Paper("A4", 210, 297, 25, 50, (220, 110), "DL")
LETTER = Paper("Letter", 215.9, 279.4, 25, 65, (241.3, 104.8), "#10")


def paper_for(country: str) -> Paper:
    return LETTER if (country or "").upper() in LETTER_COUNTRIES else A4


def date_in_language(day: datetime.date, language: str) -> str:
    """The date as written in the recipient's language (Django's locale formats)."""
    with translation.override(language or "en"):
        return str(formats.date_format(day, "DATE_FORMAT"))


@dataclass(frozen=True)
class LetterPage:
    recipient: Sequence[str]
    sender: Sequence[str]
    date: str
    subject: str
    body: str
    footer: str = ""
    blank_lines: int = 0  # room for handwriting (letter-writing evenings)
    signature_lines: Sequence[str] = field(default_factory=tuple)


@cache
def _font_templates() -> tuple[Any, Any] | None:
    """Parsed fonts, kept for the process: parsing DejaVu takes longer than a whole letter."""
    for regular, bold in FONT_CANDIDATES:
        if regular.exists() and bold.exists():
            base = FPDF()
            base.add_font("Letter", "", str(regular))
            base.add_font("Letter", "B", str(bold))
            return base.fonts["letter"], base.fonts["letterB"]
    log.warning(
        "no DejaVu Sans font found (Debian package fonts-dejavu-core); letters fall back to "
        "Helvetica and lose characters outside Latin-1"
    )
    return None


class _Doc:
    def __init__(self, paper: Paper, *, orientation: str = "portrait") -> None:
        size = (paper.width, paper.height) if orientation == "portrait" else paper.envelope
        # Sizes are (width, height) already: "P" keeps them as given.
        self.pdf = FPDF(orientation="P", unit="mm", format=size)
        self.pdf.set_auto_page_break(False)
        self.pdf.set_creator("Urgent")
        self.unicode = self._add_fonts()
        self.family = "Letter" if self.unicode else "Helvetica"
        self._widths: dict[tuple[str, str, float], float] = {}

    def _add_fonts(self) -> bool:
        templates = _font_templates()
        if templates is None:
            return False
        from fontTools import ttLib
        from fpdf.fonts import SubsetMap

        for key, template in zip(("letter", "letterB"), templates, strict=True):
            font = copy.copy(template)
            # Shared: widths, cmap, descriptor. Per document: the subset and the font file,
            # which fpdf2 trims in place when it writes the PDF.
            font.i = len(self.pdf.fonts) + 1
            font.ttfont = ttLib.TTFont(template.ttffile, recalcTimestamp=False, lazy=True)
            font.subset = SubsetMap(font)
            font.missing_glyphs = []
            font.biggest_size_pt = 0
            font._hbfont = None
            self.pdf.fonts[key] = font
        return True

    def text(self, value: str) -> str:
        if self.unicode:
            return value
        return value.encode("latin-1", "replace").decode("latin-1")

    def font(self, style: str = "", size: float = 11) -> None:
        self.pdf.set_font(self.family, style, size)

    def width(self, word: str) -> float:
        key = (word, self.pdf.font_style, self.pdf.font_size_pt)
        found = self._widths.get(key)
        if found is None:
            found = self._widths[key] = self.pdf.get_string_width(word)
        return found

    def wrap(self, paragraph: str, width: float) -> list[str]:
        lines: list[str] = []
        space = self.width(" ")
        current: list[str] = []
        used = 0.0
        for word in paragraph.split(" "):
            w = self.width(word)
            if current and used + space + w > width:
                lines.append(" ".join(current))
                current, used = [word], w
            else:
                used = used + space + w if current else w
                current.append(word)
            while self.width(current[-1]) > width and len(current[-1]) > 1:
                # A single word wider than the line (a long URL): cut it.
                head = current[-1]
                cut = len(head)
                while cut > 1 and self.width(head[:cut]) > width:
                    cut -= 1
                lines.extend(
                    [" ".join(current[:-1]), head[:cut]] if len(current) > 1 else [head[:cut]]
                )
                current, used = [head[cut:]], self.width(head[cut:])
        if current:
            lines.append(" ".join(current))
        return lines

    def block(self, x: float, y: float, lines: Iterable[str], leading: float) -> float:
        for line in lines:
            self.pdf.text(x, y, self.text(line))
            y += leading
        return y


def _letter(doc: _Doc, paper: Paper, page: LetterPage) -> None:
    pdf = doc.pdf
    pdf.add_page()
    left, right, top, bottom = 25.0, 20.0, 20.0, 20.0
    usable = paper.width - left - right
    # Sender, top right, as on a personal letter.
    doc.font("", 9)
    y = top
    for line in page.sender:
        pdf.text(paper.width - right - doc.width(line), y, doc.text(line))
        y += 4.2
    # Recipient in the envelope window.
    doc.font("", 11)
    doc.block(paper.address_x, paper.address_y + 4, page.recipient[:8], 5)
    # Date, right-aligned below the window.
    y = paper.address_y + 50
    pdf.text(paper.width - right - doc.width(page.date), y, doc.text(page.date))
    y += 12
    doc.font("B", 11)
    for line in doc.wrap(page.subject, usable):
        pdf.text(left, y, doc.text(line))
        y += 5.5
    y += 5
    doc.font("", 11)
    leading = 5.2
    for paragraph in page.body.split("\n"):
        lines = doc.wrap(paragraph, usable) if paragraph.strip() else [""]
        for line in lines:
            if y > paper.height - bottom - 8:
                _footer(doc, paper, page)
                pdf.add_page()
                doc.font("", 11)
                y = top + 5
            pdf.text(left, y, doc.text(line))
            y += leading
    for _ in range(page.blank_lines):
        y += 9
        if y > paper.height - bottom - 8:
            break
        pdf.line(left, y, paper.width - right, y)
    if page.signature_lines:
        y += 6
        doc.font("", 9)
        for label in page.signature_lines:
            y += 10
            if y > paper.height - bottom - 4:
                break
            pdf.text(left, y, doc.text(label))
            pdf.line(left + doc.width(label) + 2, y, paper.width - right, y)
    _footer(doc, paper, page)


def _footer(doc: _Doc, paper: Paper, page: LetterPage) -> None:
    if page.footer:
        doc.font("", 7)
        doc.pdf.text(25, paper.height - 10, doc.text(page.footer))
        doc.font("", 11)


def letters_pdf(*, pages: Sequence[LetterPage], paper: Paper) -> bytes:
    """One PDF holding one letter or a whole letter-writing evening's worth."""
    doc = _Doc(paper)
    for page in pages:
        _letter(doc, paper, page)
    return bytes(doc.pdf.output())


def envelopes_pdf(
    *, recipients: Sequence[Sequence[str]], sender: Sequence[str], paper: Paper, airmail: bool
) -> bytes:
    """One envelope per recipient (DL or #10), to print on envelopes or on paper to glue."""
    doc = _Doc(paper, orientation="envelope")
    width, height = paper.envelope
    for recipient in recipients:
        doc.pdf.add_page()
        doc.font("", 8)
        doc.block(10, 12, sender, 3.8)
        if airmail:
            doc.font("B", 9)
            label = "PRIORITY · PAR AVION · AIR MAIL"
            doc.pdf.text(10, height - 10, doc.text(label))
        doc.font("", 12)
        doc.block(width * 0.45, height * 0.45, recipient[:8], 5.5)
    return bytes(doc.pdf.output())
