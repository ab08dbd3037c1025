"""The PDF document helper shared by letters, envelopes and case sheets (fpdf2).

fpdf2 is pure Python and embeds a subset of a Unicode TTF font. Parsing the font takes
longer than drawing a whole letter, so the parsed font is kept for the process and each
document gets a shallow copy with its own subset. Lines are broken here, with word widths
cached, because fpdf2's general-purpose `multi_cell` is far slower on long texts.
"""

from __future__ import annotations

import copy
import logging
from collections.abc import Iterable
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

from fpdf import FPDF

log = logging.getLogger(__name__)
# fontTools logs every table it trims at INFO: noise in a server log, once per document.
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


@dataclass(frozen=True)
class Box:
    """A rectangle on the page, in mm from the top-left corner."""

    x: float
    y: float
    width: float
    height: float


@dataclass(frozen=True)
class Envelope:
    """An envelope printed on directly; `address` is where the recipient's lines go."""

    name: str
    width: float
    height: float
    address: Box


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
    # The part of the address field that a window envelope shows: DIN 5008 form B in a DL
    # window (85 x 40 mm below the return line), a #10 window (4.5 x 1.125 in) for Letter.
    address_width: float = 80
    address_height: float = 40


A4 = Paper("A4", 210, 297, 25, 50, (220, 110), "DL")
LETTER = Paper("Letter", 215.9, 279.4, 25, 65, (241.3, 104.8), "#10", 95, 28)

# Envelopes offered for printing. The address sits in the lower right part, clear of the
# sender's lines, the stamp corner and the postal bar-code strip along the bottom edge.
ENVELOPES = {
    "DL": Envelope("DL", 220, 110, Box(100, 45, 110, 50)),
    "C5": Envelope("C5", 229, 162, Box(105, 70, 114, 70)),
    "C4": Envelope("C4", 324, 229, Box(150, 100, 160, 100)),
    "#10": Envelope("#10", 241.3, 104.8, Box(105, 42, 126, 48)),
}


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


class PdfDocument:
    def __init__(self, paper: Paper | Envelope, *, orientation: str = "portrait") -> None:
        if isinstance(paper, Envelope):
            size = (paper.width, paper.height)
        else:
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

    def fit(
        self, lines: Iterable[str], box: Box, *, size: float, smallest: float = 7
    ) -> tuple[list[str], float]:
        """The lines wrapped to the box's width, at the largest size that fits its height.

        A long line ("Permanent Mission of ... to the United Nations") wraps onto a second
        line first; the text shrinks only when the wrapped lines are too tall for the box.
        Below `smallest` nothing shrinks further and nothing is dropped: an address printed
        a little low still arrives, a cut one does not. Returns the lines and the font size
        (the font is left set at that size).
        """
        given = [line for line in lines if line.strip()]
        wrapped: list[str] = []
        while True:
            self.pdf.set_font_size(size)
            wrapped = [part for line in given for part in self.wrap(line, box.width)]
            if len(wrapped) * self.leading(size) <= box.height or size <= smallest:
                return wrapped, size
            size = max(smallest, size - 0.5)

    @staticmethod
    def leading(size: float) -> float:
        """Line distance in mm for a font size in points (1.2 times the size)."""
        return size * 1.2 * 25.4 / 72

    def fit_block(self, lines: Iterable[str], box: Box, *, size: float) -> float:
        """Draw the lines fitted into the box, first baseline one ascent below its top."""
        wrapped, size = self.fit(lines, box, size=size)
        leading = self.leading(size)
        return self.block(box.x, box.y + size * 25.4 / 72, wrapped, leading)
