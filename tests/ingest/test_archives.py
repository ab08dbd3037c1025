"""ZIP packages are checked before they are unpacked: bombs are refused fast, in little memory."""

from __future__ import annotations

import io
import tracemalloc
import zipfile
from email.message import EmailMessage

import pytest

from urgent.ingest.archives import MAX_UNPACKED_BYTES, Budget, SafeArchive
from urgent.ingest.errors import IngestError
from urgent.ingest.extract import extract_text
from urgent.ingest.parser import parse_case_sheet
from urgent.ingest.services import document_read

from .zips import zip_bytes

GB = 1024**3
LIMIT_MESSAGE = "unpacks to more than 50 MB"

ODT_CONTENT = """<?xml version="1.0" encoding="UTF-8"?>
<office:document-content
  xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0"
  xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0"
  xmlns:table="urn:oasis:names:tc:opendocument:xmlns:table:1.0">
<office:body><office:text>
<text:h>UA 42/24 Fear of torture</text:h>
<text:p>Write to the Minister urging him to:</text:p>
<text:list><text:list-item><text:p>Release Ana Example<text:s text:c="2"/>now;</text:p>
</text:list-item><text:list-item><text:p>Protect her from torture.</text:p></text:list-item>
</text:list>
<text:p>Write to:</text:p>
<table:table><table:table-row><table:table-cell><text:p>Minister of Justice</text:p>
<text:p>Omar Example</text:p><text:p>1 Example Road<text:line-break/>Example City</text:p>
<text:p>Email: minister@justice.example</text:p><text:p>Salutation: Dear Minister</text:p>
</table:table-cell></table:table-row></table:table>
</office:text></office:body></office:document-content>
"""


def _odt(content: str = ODT_CONTENT) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("mimetype", "application/vnd.oasis.opendocument.text")
        archive.writestr("content.xml", content, compress_type=zipfile.ZIP_DEFLATED)
    return buffer.getvalue()


def _refused_in_little_memory(data: bytes, filename: str) -> str:
    # Memory is the measure: a bomb that were expanded would claim 1.5 GB. Speed is for
    # benchmarks, not for a test on a shared machine.
    tracemalloc.start()
    with pytest.raises(IngestError) as refused:
        extract_text(data, filename)
    _current, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    assert peak < 64 * 1024 * 1024  # the bombs claim 1.5 GB
    return refused.value.message


def test_docx_bomb_declared_1_5_gb_is_refused_before_unpacking():
    bomb = zip_bytes(
        [
            ("[Content_Types].xml", b"<Types/>", None),
            ("word/document.xml", int(1.5 * GB), None),
        ]
    )
    assert len(bomb) < 3 * 1024 * 1024
    message = _refused_in_little_memory(bomb, "appeal.docx")
    assert LIMIT_MESSAGE in message


def test_member_that_unpacks_past_what_it_declares_is_refused():
    liar = zip_bytes([("word/document.xml", 60 * 1024 * 1024, 1000)])
    message = _refused_in_little_memory(liar, "appeal.docx")
    assert "damaged" in message or LIMIT_MESSAGE in message


@pytest.mark.parametrize("name", ["sheet.odt", "sheet.xlsx", "bundle.zip"])
def test_every_zip_package_is_checked(name):
    members = {
        "sheet.odt": [("mimetype", b"application/vnd.oasis.opendocument.text", None)],
        "sheet.xlsx": [("xl/workbook.xml", b"<workbook/>", None)],
        "bundle.zip": [],
    }[name]
    bomb = zip_bytes([*members, ("content.xml", int(1.5 * GB), None)])
    assert LIMIT_MESSAGE in _refused_in_little_memory(bomb, name)


def test_many_small_members_add_up():
    members = [(f"word/part{i}.xml", 6 * 1024 * 1024, None) for i in range(9)]
    assert LIMIT_MESSAGE in _refused_in_little_memory(zip_bytes(members), "a.docx")


def test_budget_counts_what_really_comes_out():
    archive = SafeArchive(zip_bytes([("a.txt", b"x" * 1000, None)]), Budget(10_000), damaged="x")
    assert archive.read("a.txt") == b"x" * 1000
    with pytest.raises(IngestError, match=LIMIT_MESSAGE):
        SafeArchive(zip_bytes([("a.txt", b"x" * 1000, None)]), Budget(999), damaged="x")
    small = Budget(1500)
    archive = SafeArchive(zip_bytes([("a.txt", b"x" * 1000, None)]), small, damaged="x")
    archive.read("a.txt")
    with pytest.raises(IngestError, match=LIMIT_MESSAGE):
        archive.read("a.txt")


def test_bomb_zipped_inside_an_email_refuses_the_email():
    message = EmailMessage()
    message["From"] = "coordinator@example.org"
    message["To"] = "network@example.org"
    message["Subject"] = "New UA"
    message.set_content("See the attached urgent action.")
    bomb = zip_bytes([("ua.docx", int(1.5 * GB), None)])
    message.add_attachment(bomb, maintype="application", subtype="zip", filename="ua.zip")
    data = message.as_bytes()
    assert LIMIT_MESSAGE in _refused_in_little_memory(data, "forwarded.eml")


def test_documents_zipped_inside_an_email_are_read():
    message = EmailMessage()
    message["From"] = "coordinator@example.org"
    message["To"] = "network@example.org"
    message["Subject"] = "New UA"
    message.set_content("See attached.")
    bundle = io.BytesIO()
    with zipfile.ZipFile(bundle, "w") as archive:
        archive.writestr("ua/sheet.odt", _odt())
        archive.writestr("ua/photo.jpg", b"\xff\xd8\xff")
    message.add_attachment(
        bundle.getvalue(), maintype="application", subtype="zip", filename="ua.zip"
    )
    result = extract_text(message.as_bytes(), "forwarded.eml")
    assert "Release Ana Example" in result.text


def test_odt_text_is_read_with_lists_and_tables():
    result = extract_text(_odt(), "sheet.odt")
    assert result.source_format == "odt"
    lines = [line for line in result.text.splitlines() if line.strip()]
    assert lines[0] == "UA 42/24 Fear of torture"
    assert "• Release Ana Example  now;" in lines
    assert "1 Example Road" in lines and "Example City" in lines
    sheet = parse_case_sheet(result.text)
    assert sheet.ua_number == "42/24"
    assert sheet.targets[0].name == "Omar Example"


def test_odt_detected_by_mimetype_without_its_name():
    assert extract_text(_odt(), "upload.bin").source_format == "odt"


@pytest.mark.parametrize(
    ("data", "name", "message"),
    [
        (b"PK\x03\x04 not really a zip", "a.odt", "damaged"),
        (b"plain words, no zip at all", "a.odt", "not a word-processor document"),
    ],
)
def test_bad_odt_is_refused(data, name, message):
    with pytest.raises(IngestError, match=message):
        extract_text(data, name)


def test_damaged_odt_xml_is_refused():
    with pytest.raises(IngestError, match="OpenDocument file is damaged"):
        extract_text(_odt("<office:document-content"), "sheet.odt")


def test_limit_is_fifty_megabytes():
    assert MAX_UNPACKED_BYTES == 50 * 1024 * 1024


def test_a_member_declaring_1_kb_that_holds_1_5_gb_is_refused_in_little_memory():
    """The headers lie small: reading is capped by what comes out, not what is declared."""
    liar = zip_bytes([("word/document.xml", int(1.5 * GB), 1024)])
    assert len(liar) < 3 * 1024 * 1024
    message = _refused_in_little_memory(liar, "appeal.docx")
    assert "damaged" in message or LIMIT_MESSAGE in message


def test_a_bomb_given_to_the_import_service_names_the_limit():
    bomb = zip_bytes([("word/document.xml", int(1.5 * GB), None)])
    with pytest.raises(IngestError, match="50 MB"):
        document_read(data=bomb, filename="appeal.docx")
