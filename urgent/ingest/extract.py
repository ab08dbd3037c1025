"""Turn an uploaded file (text, PDF, DOCX, HTML, e-mail) into plain text with line structure."""

from __future__ import annotations

import email
import email.policy
import io
import re
import shutil
import subprocess
import tempfile
from dataclasses import dataclass, field
from email.message import EmailMessage
from pathlib import Path
from typing import Any

from .archives import ArchiveTooLarge, Budget, SafeArchive
from .errors import IngestError
from .opendocument import odt_text

MAX_BYTES = 20 * 1024 * 1024

_PDF_MAGIC = b"%PDF"
_ZIP_MAGIC = b"PK\x03\x04"
_OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
_IMAGE_MAGICS = (b"\x89PNG", b"\xff\xd8\xff", b"GIF8", b"II*\x00", b"MM\x00*")
_EMAIL_HEADER_RE = re.compile(
    rb"^(?:Return-Path|Received|From|To|Subject|Date|Message-ID|MIME-Version|Content-Type|"
    rb"Delivered-To|X-[\w-]+):",
    re.I | re.M,
)
_HTML_RE = re.compile(rb"<(?:!doctype\s+html|html|head|body|div|p|table|article)\b", re.I)


@dataclass
class Extracted:
    text: str
    source_format: str
    warnings: list[str] = field(default_factory=list)


def extract_text(
    data: bytes, filename: str | None = None, budget: Budget | None = None
) -> Extracted:
    """Plain text of `data`; the format is read from magic bytes first, the filename second.

    `budget` bounds what ZIP packages may unpack to; one upload shares one budget."""
    budget = budget if budget is not None else Budget()
    if len(data) > MAX_BYTES:
        raise IngestError(f"the file is {len(data) / 1024 / 1024:.1f} MB; the limit is 20 MB")
    if not data or not data.strip():
        raise IngestError("the file is empty")
    suffix = Path(filename).suffix.lower() if filename else ""
    head = data[:1024]

    if _PDF_MAGIC in head:
        return _from_pdf(data)
    if data.startswith(_ZIP_MAGIC):
        return _from_zip(data, suffix, budget)
    if data.startswith(_OLE_MAGIC):
        raise IngestError(
            "this is an old-style Word (.doc) or Office file; save it as .docx or PDF and try again"
        )
    if data.startswith(_IMAGE_MAGICS):
        return _from_image(data)
    if suffix == ".pdf":
        raise IngestError("the file is named .pdf but is not a PDF (it may be damaged)")
    if suffix in (".docx", ".odt"):
        raise IngestError(
            f"the file is named {suffix} but is not a word-processor document (it may be damaged)"
        )

    if suffix == ".eml" or _looks_like_email(data):
        return _from_email(data, budget)
    text, warnings = _decode(data)
    if suffix in (".html", ".htm", ".xhtml") or _HTML_RE.search(data[:4096]):
        result = _from_html(text)
        result.warnings[:0] = warnings
        return result
    return Extracted(_tidy(text), "text", warnings)


# ---------------------------------------------------------------------------
# Plain text


def _decode(data: bytes) -> tuple[str, list[str]]:
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        return data.decode("utf-16"), []
    if b"\x00" in data[:4096]:
        # UTF-16 without a BOM still shows as every other byte NUL; anything else is binary
        for codec in ("utf-16-le", "utf-16-be"):
            try:
                text = data.decode(codec)
            except UnicodeDecodeError:
                continue
            if _printable_ratio(text) > 0.95:
                return text, [f"decoded as {codec}"]
        raise IngestError("the file looks like binary data, not a text document")
    try:
        return data.decode("utf-8-sig"), []
    except UnicodeDecodeError:
        pass
    from charset_normalizer import from_bytes

    best = from_bytes(data).best()
    if best is None:
        raise IngestError("the file looks like binary data, not a text document")
    text = str(best)
    if _printable_ratio(text) < 0.9:
        raise IngestError("the file looks like binary data, not a text document")
    return text, [f"decoded as {best.encoding}"]


def _printable_ratio(text: str) -> float:
    sample = text[:20000]
    if not sample:
        return 0.0
    good = sum(1 for c in sample if c.isprintable() or c in "\n\r\t\f")
    return good / len(sample)


def _tidy(text: str) -> str:
    text = text.replace("\r\n", "\n").replace("\r", "\n").replace("\x00", "")
    if _printable_ratio(text) < 0.9:
        raise IngestError("the file looks like binary data, not a text document")
    text = re.sub(r"[ \t\u00a0]+\n", "\n", text)
    text = re.sub(r"\n{4,}", "\n\n\n", text)
    if not text.strip():
        raise IngestError("the file contains no text")
    return text.strip("\n") + "\n"


# ---------------------------------------------------------------------------
# PDF


def _from_pdf(data: bytes) -> Extracted:
    import pypdfium2 as pdfium

    try:
        pdf = pdfium.PdfDocument(data)
    except pdfium.PdfiumError as exc:
        if "password" in str(exc).lower():
            raise IngestError(
                "the PDF is encrypted (password-protected); remove the password and try again"
            ) from exc
        raise IngestError("the PDF is damaged or not a valid PDF") from exc
    warnings: list[str] = []
    pages: list[str] = []
    try:
        for index in range(len(pdf)):
            page = pdf[index]
            textpage = page.get_textpage()
            pages.append(textpage.get_text_range())
            textpage.close()
            page.close()
        text = "\n\n".join(p.strip("\r\n") for p in pages)
        if not text.strip():
            if shutil.which("tesseract"):
                text = _ocr_pdf(pdf)
                warnings.append("the PDF has no text layer; the text was read by OCR")
                if not text.strip():
                    raise IngestError("the PDF has no text layer and OCR found no text in it")
                return Extracted(_tidy(text), "pdf", warnings)
            raise IngestError(
                "the PDF has no text layer (it is a scan); install tesseract to read scans, "
                "or upload the original document"
            )
        empty = [str(i + 1) for i, p in enumerate(pages) if not p.strip()]
        if empty:
            warnings.append(f"PDF page(s) {', '.join(empty)} have no text layer")
    finally:
        pdf.close()
    return Extracted(_tidy(text), "pdf", warnings)


def _ocr_pdf(pdf: Any) -> str:
    """Render each page to a greyscale PGM and read it with the tesseract binary."""
    tesseract = shutil.which("tesseract")
    assert tesseract
    out: list[str] = []
    with tempfile.TemporaryDirectory() as tmp:
        for index in range(len(pdf)):
            page = pdf[index]
            bitmap = page.render(scale=300 / 72, grayscale=True)
            width, height, stride = bitmap.width, bitmap.height, bitmap.stride
            raw = bytes(bitmap.buffer)
            channels = max(1, stride // max(1, width))
            rows = []
            for y in range(height):
                row = raw[y * stride : y * stride + width * channels]
                rows.append(row[::channels] if channels > 1 else row)
            image = Path(tmp) / f"page{index}.pgm"
            image.write_bytes(b"P5\n%d %d\n255\n" % (width, height) + b"".join(rows))
            out.append(_run_tesseract(tesseract, image))
            page.close()
    return "\n\n".join(out)


def _run_tesseract(tesseract: str, image: Path) -> str:
    try:
        done = subprocess.run(
            [tesseract, str(image), "stdout"], capture_output=True, timeout=120, check=False
        )
    except (OSError, subprocess.TimeoutExpired) as exc:
        raise IngestError("OCR failed: tesseract could not be run") from exc
    if done.returncode != 0:
        raise IngestError("OCR failed: tesseract could not read the page image")
    return done.stdout.decode("utf-8", "replace")


def _from_image(data: bytes) -> Extracted:
    tesseract = shutil.which("tesseract")
    if not tesseract:
        raise IngestError(
            "this is an image; scans can only be read when tesseract (OCR) is installed"
        )
    with tempfile.TemporaryDirectory() as tmp:
        image = Path(tmp) / "upload.img"
        image.write_bytes(data)
        text = _run_tesseract(tesseract, image)
    if not text.strip():
        raise IngestError("OCR found no text in the image")
    return Extracted(_tidy(text), "image", ["the text was read by OCR"])


# ---------------------------------------------------------------------------
# DOCX


_ODT_MIMETYPE = b"application/vnd.oasis.opendocument.text"


def _from_zip(data: bytes, suffix: str, budget: Budget) -> Extracted:
    damaged = (
        f"the {suffix} file is damaged (not a readable ZIP package)"
        if suffix in (".docx", ".odt")
        else "the file is a damaged ZIP archive"
    )
    with SafeArchive(data, budget, damaged=damaged) as archive:
        names = archive.names
        if "word/document.xml" in names:
            archive.verify()
            return _from_docx(data)
        if "content.xml" in names and (
            suffix == ".odt"
            or ("mimetype" in names and archive.read("mimetype").strip() == _ODT_MIMETYPE)
        ):
            return _from_odt(archive)
    what = "a ZIP archive"
    if "xl/workbook.xml" in names:
        what = "an Excel workbook"
    elif "ppt/presentation.xml" in names:
        what = "a PowerPoint presentation"
    elif "content.xml" in names:
        what = "an OpenDocument spreadsheet or presentation"
    raise IngestError(
        f"the file is {what}, not a Word document (.docx) or OpenDocument text (.odt)"
    )


def _from_odt(archive: SafeArchive) -> Extracted:
    text = odt_text(archive.read("content.xml"))
    if not text.strip():
        raise IngestError("the OpenDocument file contains no text")
    return Extracted(_tidy(text), "odt", [])


def _from_docx(data: bytes) -> Extracted:
    import docx
    from docx.table import Table
    from docx.text.paragraph import Paragraph

    try:
        document = docx.Document(io.BytesIO(data))
    except Exception as exc:  # python-docx raises several unrelated types for bad packages
        raise IngestError("the .docx file is damaged and cannot be read") from exc
    lines: list[str] = []
    body = document.element.body
    for child in body.iterchildren():
        tag = child.tag.rsplit("}", 1)[-1]
        if tag == "p":
            lines.append(_docx_paragraph(Paragraph(child, document)))
        elif tag == "tbl":
            lines.extend(_docx_table(Table(child, document)))
    text = "\n".join(lines)
    if not text.strip():
        raise IngestError("the Word document contains no text")
    return Extracted(_tidy(text), "docx", [])


def _docx_paragraph(paragraph: Any) -> str:
    text = paragraph.text
    style = (paragraph.style.name or "").lower() if paragraph.style is not None else ""
    numbered = paragraph._p.pPr is not None and paragraph._p.pPr.numPr is not None
    if text.strip() and ("list" in style or numbered):
        return "• " + text.strip()
    return text


def _docx_table(table: Any) -> list[str]:
    lines: list[str] = []
    seen: set[int] = set()
    for row in table.rows:
        for cell in row.cells:
            # merged cells come back once per grid column
            if id(cell._tc) in seen:
                continue
            seen.add(id(cell._tc))
            for paragraph in cell.paragraphs:
                lines.append(_docx_paragraph(paragraph))
            lines.append("")
    return lines


# ---------------------------------------------------------------------------
# HTML

_DROP_TAGS = {
    "script",
    "style",
    "noscript",
    "nav",
    "header",
    "footer",
    "aside",
    "form",
    "iframe",
    "svg",
    "button",
    "template",
    "select",
    "dialog",
    "menu",
    "head",
}
_BLOCK_TAGS = {
    "p",
    "div",
    "section",
    "article",
    "main",
    "li",
    "ul",
    "ol",
    "h1",
    "h2",
    "h3",
    "h4",
    "h5",
    "h6",
    "tr",
    "table",
    "blockquote",
    "pre",
    "dd",
    "dt",
    "dl",
    "address",
    "figure",
    "figcaption",
    "hr",
    "body",
    "center",
}
_DROP_ROLES = {"navigation", "banner", "contentinfo", "search", "complementary", "dialog"}
_DROP_CLASS_RE = re.compile(
    r"(?i)(?:^|[\s_-])(?:cookie|breadcrumbs?|skip-link|navbar|site-header|site-footer|"
    r"sidebar|social-share|share-buttons|newsletter-signup|menu)(?:$|[\s_-])"
)


def _from_html(html: str) -> Extracted:
    from selectolax.lexbor import LexborHTMLParser

    tree = LexborHTMLParser(html)
    for node in tree.css("[data-cfemail]"):
        decoded = _decode_cfemail(node.attributes.get("data-cfemail") or "")
        if decoded:
            node.replace_with(decoded)
    root = tree.css_first("main") or tree.css_first("[role=main]") or tree.css_first("article")
    if root is None or len(root.text(strip=True)) < 200:
        root = tree.body
    if root is None:
        raise IngestError("the HTML page has no body text")
    out: list[str] = []
    try:
        _walk(root, out, in_pre=False)
    except RecursionError:
        out = [root.text(separator="\n")]
    text = "".join(out)
    lines = [re.sub(r"[ \t\u00a0]+", " ", line).strip() for line in text.split("\n")]
    text = re.sub(r"\n{3,}", "\n\n", "\n".join(lines)).strip()
    if not text:
        raise IngestError("the HTML page contains no text")
    return Extracted(text + "\n", "html", [])


def _walk(node: Any, out: list[str], in_pre: bool) -> None:
    for child in node.iter(include_text=True):
        tag = child.tag
        if tag == "-text":
            value = child.text_content or ""
            out.append(value if in_pre else re.sub(r"\s+", " ", value))
            continue
        if tag in _DROP_TAGS or tag.startswith("-"):
            continue
        attrs = child.attributes
        if (attrs.get("role") or "") in _DROP_ROLES or "hidden" in attrs:
            continue
        if _DROP_CLASS_RE.search(f"{attrs.get('class') or ''} {attrs.get('id') or ''}"):
            continue
        if tag == "br":
            out.append("\n")
            continue
        block = tag in _BLOCK_TAGS
        if block:
            out.append("\n")
        if tag == "li":
            out.append("• ")
        if tag in ("td", "th"):
            out.append(" ")
        _walk(child, out, in_pre or tag == "pre")
        if block:
            out.append("\n")
        if tag in ("h1", "h2", "h3", "p"):
            out.append("\n")


def _decode_cfemail(hexed: str) -> str | None:
    """Undo the Cloudflare e-mail obfuscation that section web pages carry."""
    try:
        raw = bytes.fromhex(hexed)
    except ValueError:
        return None
    if len(raw) < 2:
        return None
    key = raw[0]
    try:
        return bytes(b ^ key for b in raw[1:]).decode("utf-8")
    except UnicodeDecodeError:
        return None


# ---------------------------------------------------------------------------
# E-mail


def _looks_like_email(data: bytes) -> bool:
    head = data[:4096]
    return len(_EMAIL_HEADER_RE.findall(head)) >= 3 and bool(
        re.search(rb"^(?:From|Subject):", head, re.I | re.M)
    )


_DOCUMENT_SUFFIXES = (".pdf", ".docx", ".odt", ".html", ".htm", ".txt")
_DOCUMENT_TYPES = ("application/pdf", "text/html", "text/plain")


def _from_email(data: bytes, budget: Budget) -> Extracted:
    message = email.message_from_bytes(data, policy=email.policy.default)
    if not isinstance(message, EmailMessage):
        raise IngestError("the e-mail could not be read")
    warnings: list[str] = []
    body_text = ""
    body = message.get_body(preferencelist=("plain", "html"))
    if body is not None:
        content = _part_text(body)
        is_html = body.get_content_subtype() == "html"
        body_text = _from_html(content).text if is_html else content
    attachments: list[str] = []
    for part in message.iter_attachments():
        name = part.get_filename() or ""
        payload = part.get_payload(decode=True)
        if isinstance(payload, bytes) and payload:
            attachments.extend(_attachment_texts(part, name, payload, budget, warnings))
    subject = str(message.get("Subject") or "").strip()
    # A forwarding note ("please see the attached UA") is noise in front of the case sheet;
    # a substantial body is the case sheet itself.
    parts = [body_text, *attachments]
    if attachments and len(body_text.split()) < 40:
        parts = [*attachments, body_text]
    text = "\n\n".join(p.strip() for p in parts if p and p.strip())
    if not text.strip():
        text = subject
    if not text.strip():
        raise IngestError("the e-mail has no readable text body or attachment")
    return Extracted(_tidy(text), "eml", warnings)


def _attachment_texts(
    part: Any, name: str, payload: bytes, budget: Budget, warnings: list[str]
) -> list[str]:
    """Text of one attachment: a document, or the documents inside a .zip."""
    ctype = part.get_content_type()
    suffix = Path(name).suffix.lower()
    is_zip = suffix == ".zip" or ctype in ("application/zip", "application/x-zip-compressed")
    if not (
        is_zip
        or ctype in _DOCUMENT_TYPES
        or "wordprocessingml" in ctype
        or "opendocument.text" in ctype
        or suffix in _DOCUMENT_SUFFIXES
    ):
        warnings.append(f"attachment {name or ctype} skipped (unsupported type)")
        return []
    try:
        if is_zip:
            return _zip_attachment_texts(name, payload, budget, warnings)
        return [extract_text(payload, name, budget).text]
    except ArchiveTooLarge:
        raise
    except IngestError as exc:
        warnings.append(f"attachment {name or ctype} skipped: {exc}")
        return []


def _zip_attachment_texts(
    name: str, payload: bytes, budget: Budget, warnings: list[str]
) -> list[str]:
    texts: list[str] = []
    with SafeArchive(payload, budget, damaged="the ZIP archive is damaged") as archive:
        for member in sorted(archive.names):
            if Path(member).suffix.lower() not in _DOCUMENT_SUFFIXES:
                continue
            try:
                texts.append(extract_text(archive.read(member), member, budget).text)
            except ArchiveTooLarge:
                raise
            except IngestError as exc:
                warnings.append(f"{member} in {name} skipped: {exc}")
    if not texts:
        warnings.append(f"attachment {name} holds no readable document")
    return texts


def _part_text(part: Any) -> str:
    try:
        content = part.get_content()
    except (LookupError, UnicodeDecodeError):
        payload = part.get_payload(decode=True) or b""
        content = _decode(payload)[0] if payload else ""
    return content if isinstance(content, str) else ""
