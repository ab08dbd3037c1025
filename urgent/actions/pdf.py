"""Letters and envelopes as PDF (fpdf2: pure Python, embeds a subset of a Unicode TTF font).

Paper follows the writer's country (US Letter in the Americas' Letter countries, A4
elsewhere); the recipient's address sits where window envelopes show it (DIN 5008 form B
for A4 in a DL envelope, a #10 window for US Letter). Lines are broken here, with word
widths cached, because fpdf2's general-purpose `multi_cell` is far slower on long letters.
"""

from __future__ import annotations

import datetime
from collections.abc import Sequence
from dataclasses import dataclass, field

from django.utils import formats, translation

from urgent.core.pdf import A4, ENVELOPES, LETTER, Box, Envelope, Paper, PdfDocument

LETTER_COUNTRIES = frozenset(
    {"US", "CA", "MX", "PH", "CL", "CO", "VE", "CR", "GT", "PA", "DO", "PR", "SV", "NI"}
)


def paper_for(country: str) -> Paper:
    return LETTER if (country or "").upper() in LETTER_COUNTRIES else A4


def envelope_for(*, country: str, name: str = "") -> Envelope:
    """The envelope asked for by name (DL, C5, C4, #10), else the usual one where the writer is."""
    found = ENVELOPES.get(name)
    return found if found is not None else ENVELOPES[paper_for(country).envelope_name]


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


def _letter(doc: PdfDocument, paper: Paper, page: LetterPage) -> None:
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
    # Recipient in the envelope window: wrapped, and smaller if need be, never cut.
    window = Box(paper.address_x, paper.address_y, paper.address_width, paper.address_height)
    doc.font("", 11)
    doc.fit_block(page.recipient, window, size=11)
    doc.font("", 11)
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


def _footer(doc: PdfDocument, paper: Paper, page: LetterPage) -> None:
    if page.footer:
        doc.font("", 7)
        doc.pdf.text(25, paper.height - 10, doc.text(page.footer))
        doc.font("", 11)


def letters_pdf(*, pages: Sequence[LetterPage], paper: Paper) -> bytes:
    """One PDF holding one letter or a whole letter-writing evening's worth."""
    doc = PdfDocument(paper)
    for page in pages:
        _letter(doc, paper, page)
    return bytes(doc.pdf.output())


def envelopes_pdf(
    *,
    recipients: Sequence[Sequence[str]],
    sender: Sequence[str],
    envelope: Envelope,
    airmail: bool,
) -> bytes:
    """One envelope per recipient (DL, C5, C4 or #10), to print on envelopes or paper to glue."""
    doc = PdfDocument(envelope)
    sender_box = Box(10, 8, envelope.address.x - 20, envelope.address.y - 12)
    for recipient in recipients:
        doc.pdf.add_page()
        doc.font("", 8)
        doc.fit_block(sender, sender_box, size=8)
        if airmail:
            doc.font("B", 9)
            label = "PRIORITY · PAR AVION · AIR MAIL"
            doc.pdf.text(10, envelope.height - 10, doc.text(label))
        doc.font("", 12)
        doc.fit_block(recipient, envelope.address, size=12)
    return bytes(doc.pdf.output())
