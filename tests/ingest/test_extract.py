"""extract_text on each supported format, and a clear IngestError for each bad input."""

from __future__ import annotations

import io
import os
import shutil
import zipfile
from email.message import EmailMessage

import pytest
from PIL import Image, ImageDraw, ImageFont

from urgent.ingest import extract as extract_mod
from urgent.ingest.errors import IngestError
from urgent.ingest.extract import extract_text
from urgent.ingest.parser import parse_case_sheet

from .conftest import SAMPLES
from .pdfs import make_pdf

DEJAVU = "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf"

SHEET_LINES = [
    "UA 42/24 Fear of torture 2 May 2024",
    "Write to the Minister urging him to:",
    "- Release Ana Example immediately and unconditionally;",
    "- Protect her from torture and other ill-treatment.",
    "Write to:",
    "Minister of Justice",
    "Omar Example",
    "1 Example Road",
    "Example City",
    "Email: minister@justice.example",
    "Salutation: Dear Minister",
]


def _docx_bytes(paragraphs: list[str], table: list[list[str]] | None = None) -> bytes:
    import docx

    document = docx.Document()
    for text in paragraphs:
        document.add_paragraph(text)
    if table:
        grid = document.add_table(rows=len(table), cols=len(table[0]))
        for r, row in enumerate(table):
            for c, value in enumerate(row):
                grid.cell(r, c).text = value
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


# ---------------------------------------------------------------------------
# formats


def test_plain_text_utf8():
    result = extract_text((SAMPLES / "french.txt").read_bytes(), "french.txt")
    assert result.source_format == "text"
    assert "CONDAMNÉ" in result.text


def test_plain_text_legacy_encoding():
    data = (SAMPLES / "french.txt").read_text().encode("cp1252", errors="replace")
    result = extract_text(data, None)
    assert "Président de la République" in result.text
    assert result.warnings and "decoded as" in result.warnings[0]


def test_utf16_text():
    data = (SAMPLES / "spanish.txt").read_text().encode("utf-16")
    assert "LÍDER INDÍGENA" in extract_text(data).text


def test_pdf_text_layer_in_reading_order():
    result = extract_text(make_pdf(SHEET_LINES), "sheet.pdf")
    assert result.source_format == "pdf"
    lines = [line for line in result.text.splitlines() if line.strip()]
    assert lines[0] == SHEET_LINES[0]
    assert lines[-1] == SHEET_LINES[-1]
    sheet = parse_case_sheet(result.text)
    assert sheet.ua_number == "42/24"
    assert sheet.targets[0].name == "Omar Example"


def test_pdf_detected_by_magic_not_name():
    assert extract_text(make_pdf(SHEET_LINES), "upload.bin").source_format == "pdf"


def test_docx_paragraphs_and_tables():
    data = _docx_bytes(SHEET_LINES[:4], table=[["Minister of Justice", "Email: a@b.example"]])
    result = extract_text(data, "sheet.docx")
    assert result.source_format == "docx"
    assert "Release Ana Example" in result.text
    assert "Minister of Justice" in result.text and "Email: a@b.example" in result.text


def test_html_drops_navigation_and_keeps_lines():
    result = extract_text((SAMPLES / "section_page.html").read_bytes(), "page.html")
    assert result.source_format == "html"
    assert "Donate" not in result.text
    assert "cookies" not in result.text
    assert "Privacy policy" not in result.text
    assert "Related actions" not in result.text
    assert "window.dataLayer" not in result.text
    assert "Mr Sunil Wickrama\nPolice Headquarters" in result.text
    assert "igp@police.example.lk" in result.text
    assert "• Calling for the immediate" in result.text


def test_html_sniffed_without_extension():
    data = b"<html><body><p>Line one</p><p>Line two</p></body></html>"
    assert extract_text(data).text.split() == ["Line", "one", "Line", "two"]


def test_eml_with_attached_docx():
    message = EmailMessage()
    message["From"] = "coordinator@example.org"
    message["To"] = "network@example.org"
    message["Subject"] = "New UA"
    message.set_content("Hello all, please see the attached urgent action.")
    message.add_attachment(
        _docx_bytes(SHEET_LINES),
        maintype="application",
        subtype="vnd.openxmlformats-officedocument.wordprocessingml.document",
        filename="ua.docx",
    )
    result = extract_text(message.as_bytes(), "message.eml")
    assert result.source_format == "eml"
    assert result.text.startswith("UA 42/24")
    assert "please see the attached" in result.text
    assert parse_case_sheet(result.text).targets[0].title == "Minister of Justice"


def test_eml_html_body_sniffed():
    message = EmailMessage()
    message["From"] = "a@example.org"
    message["To"] = "b@example.org"
    message["Subject"] = "UA"
    message.set_content(
        "<html><body><nav>Menu</nav><p>Body text here</p></body></html>", subtype="html"
    )
    result = extract_text(message.as_bytes())
    assert result.source_format == "eml"
    assert "Body text here" in result.text and "Menu" not in result.text


# ---------------------------------------------------------------------------
# bad input


def test_empty_file():
    with pytest.raises(IngestError, match="the file is empty"):
        extract_text(b"", "x.txt")


def test_binary_junk():
    junk = bytes(range(256)) * 64
    with pytest.raises(IngestError, match="binary data"):
        extract_text(junk, "x.txt")


def test_too_large():
    data = b"a" * int(23.4 * 1024 * 1024)
    with pytest.raises(IngestError, match=r"the file is 23\.4 MB; the limit is 20 MB"):
        extract_text(data, "big.txt")


def test_encrypted_pdf():
    pypdf = pytest.importorskip("pypdf")
    writer = pypdf.PdfWriter(clone_from=io.BytesIO(make_pdf(SHEET_LINES)))
    writer.encrypt(user_password="secret", owner_password="owner")
    buffer = io.BytesIO()
    writer.write(buffer)
    with pytest.raises(IngestError, match="encrypted"):
        extract_text(buffer.getvalue(), "locked.pdf")


def test_corrupt_pdf():
    with pytest.raises(IngestError, match="damaged or not a valid PDF"):
        extract_text(b"%PDF-1.4\n garbage garbage garbage", "broken.pdf")


def test_named_pdf_that_is_not_a_pdf():
    with pytest.raises(IngestError, match="not a PDF"):
        extract_text(b"\x00\x01\x02\x03" * 10, "fake.pdf")


def test_scanned_pdf_without_tesseract(monkeypatch):
    monkeypatch.setattr(extract_mod.shutil, "which", lambda name: None)
    with pytest.raises(IngestError, match="no text layer"):
        extract_text(make_pdf(None), "scan.pdf")


def _scanned_page(lines: list[str], fmt: str) -> bytes:
    """An invented sheet as a scanner makes it: text drawn into pixels at 200 dpi, with
    no text layer (Pillow's PDF holds only the image)."""
    width, height = 1654, 2339  # A4 at 200 dpi
    image = Image.new("L", (width, height), 255)
    draw = ImageDraw.Draw(image)
    font = ImageFont.truetype(DEJAVU, 36)
    for number, line in enumerate(lines):
        draw.text((120, 150 + number * 60), line, fill=0, font=font)
    buffer = io.BytesIO()
    image.save(buffer, fmt, resolution=200.0)
    return buffer.getvalue()


needs_tesseract = pytest.mark.skipif(
    shutil.which("tesseract") is None and os.environ.get("CI") != "true",
    reason="tesseract is not installed (Debian: tesseract-ocr tesseract-ocr-eng; .ci/run)",
)


@needs_tesseract
def test_scanned_pdf_is_read_by_the_real_tesseract():
    scan = _scanned_page(SHEET_LINES, "PDF")
    result = extract_text(scan, "scan.pdf")
    assert result.source_format == "pdf"
    assert result.warnings == ["the PDF has no text layer; the text was read by OCR"]
    for expected in ("UA 42/24", "Release Ana Example immediately", "minister@justice.example"):
        assert expected in result.text, result.text
    sheet = parse_case_sheet(result.text)
    assert sheet.ua_number == "42/24"
    assert sheet.targets[0].name == "Omar Example"


@needs_tesseract
def test_scanned_image_is_read_by_the_real_tesseract():
    result = extract_text(_scanned_page(SHEET_LINES, "PNG"), "photo.png")
    assert (result.source_format, result.warnings) == ("image", ["the text was read by OCR"])
    assert "Write to the Minister urging him to:" in result.text, result.text


@needs_tesseract
def test_a_blank_scan_says_ocr_found_no_text():
    with pytest.raises(IngestError, match="the PDF has no text layer and OCR found no text"):
        extract_text(_scanned_page([], "PDF"), "blank.pdf")


def test_docx_that_is_a_zip_of_something_else():
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("notes.txt", "hello")
    with pytest.raises(IngestError, match="not a Word document"):
        extract_text(buffer.getvalue(), "letter.docx")


def test_xlsx_renamed_docx():
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("xl/workbook.xml", "<workbook/>")
    with pytest.raises(IngestError, match="Excel workbook"):
        extract_text(buffer.getvalue(), "letter.docx")


def test_damaged_docx():
    with pytest.raises(IngestError, match="damaged"):
        extract_text(b"PK\x03\x04 not really a zip", "letter.docx")


def test_legacy_doc():
    with pytest.raises(IngestError, match=r"\.doc"):
        extract_text(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 100, "old.doc")
