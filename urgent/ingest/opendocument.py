"""Text of an OpenDocument text file (.odt): paragraphs, headings, list items and tables."""

from __future__ import annotations

import io

# expat refuses external entities and caps entity expansion (no billion laughs)
import xml.etree.ElementTree as ET

from .errors import IngestError

_TEXT = "urn:oasis:names:tc:opendocument:xmlns:text:1.0"
_TABLE = "urn:oasis:names:tc:opendocument:xmlns:table:1.0"
_BLOCKS = {f"{{{_TEXT}}}p", f"{{{_TEXT}}}h"}
_SPACE = f"{{{_TEXT}}}s"
_TAB = f"{{{_TEXT}}}tab"
_BREAK = f"{{{_TEXT}}}line-break"
_LIST_ITEM = f"{{{_TEXT}}}list-item"
_CELL = f"{{{_TABLE}}}table-cell"
_SKIP = {f"{{{_TEXT}}}note", f"{{{_TEXT}}}tracked-changes"}


def odt_text(content_xml: bytes) -> str:
    """Lines of `content.xml`, one per paragraph; list items start with a bullet."""
    try:
        root = ET.parse(io.BytesIO(content_xml)).getroot()  # noqa: S314 - see import
    except ET.ParseError as exc:
        raise IngestError("the OpenDocument file is damaged and cannot be read") from exc
    lines: list[str] = []
    _walk(root, lines, in_list=False)
    return "\n".join(lines)


def _walk(node: ET.Element, lines: list[str], *, in_list: bool) -> None:
    for child in node:
        if child.tag in _SKIP:
            continue
        if child.tag in _BLOCKS:
            text = _inline(child).strip()
            lines.append(("• " + text) if in_list and text else text)
        elif child.tag == _LIST_ITEM:
            _walk(child, lines, in_list=True)
        elif child.tag == _CELL:
            _walk(child, lines, in_list=in_list)
            lines.append("")
        else:
            _walk(child, lines, in_list=in_list)


def _inline(node: ET.Element) -> str:
    parts = [node.text or ""]
    for child in node:
        if child.tag == _SPACE:
            parts.append(" " * _count(child.get(f"{{{_TEXT}}}c")))
        elif child.tag == _TAB:
            parts.append("\t")
        elif child.tag == _BREAK:
            parts.append("\n")
        elif child.tag not in _SKIP:
            parts.append(_inline(child))
        parts.append(child.tail or "")
    return "".join(parts)


def _count(value: str | None) -> int:
    """`<text:s text:c="3"/>` is three spaces; a silly count is not honoured."""
    try:
        return max(1, min(int(value or "1"), 20))
    except ValueError:
        return 1
