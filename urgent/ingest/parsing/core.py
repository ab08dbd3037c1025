"""parse_case_sheet: text in, CaseSheet out.  Pure: no I/O, no Django, no network."""

from __future__ import annotations

import re

from ..errors import IngestError
from ..record import SCHEMA_FIELDS, CaseSheet
from . import asks as asks_mod
from . import header, persons, signals, targets
from .doc import Doc, is_junk_line
from .text import split_sentences

# A text scoring below this on case-sheet evidence is refused (recipes, news articles).
MIN_CASE_SHEET_SCORE = 6


def parse_case_sheet(text: str) -> CaseSheet:
    if not text or not text.strip():
        raise IngestError("the document contains no text")
    doc = Doc.from_text(text)
    sheet = CaseSheet()
    uncertain: list[str] = []

    doc.background = header.find_background(doc)
    found = targets.find_targets(doc)
    sheet.language = header.detect_language(doc.text)
    sheet.ua_number = header.find_ua_number(doc.text)
    sheet.index_number = header.find_index_number(doc)
    sheet.title = header.find_title(doc, found.letter_layout_end, found.letter_line)
    sheet.date_issued = header.find_date_issued(doc)
    default_year = int(sheet.date_issued[:4]) if sheet.date_issued else None
    sheet.deadline = header.find_deadline(doc, default_year)

    bullet_asks = asks_mod.find_bullet_asks(doc)
    sheet.asks = bullet_asks
    if not sheet.asks and not asks_mod.no_further_action(doc.text):
        sentence, confident = asks_mod.find_request_sentence(doc, found.letter_line)
        if sentence:
            sheet.asks = [sentence]
            if not confident:
                uncertain.append("asks")

    target_list = found.targets
    if not target_list:
        target_list = targets.fallback_targets(sheet.asks, _sentences(doc))
        if target_list:
            uncertain.append("targets")
    sheet.targets = targets.assign_letter_salutation(target_list, found.letter_salutation)

    body_lines = [
        i
        for i in doc.nonblank()
        if i not in doc.target_lines and not doc.in_background(i) and not is_junk_line(doc.lines[i])
    ]
    sheet.country = header.find_country(doc, sheet.title, body_lines)
    sheet.kind = header.find_kind(doc, sheet.title, sheet.ua_number)
    sheet.update_request = header.find_update_request(doc)

    segments = _person_segments(doc, sheet.title, body_lines, found.letter_line)
    exclude = [t.name for t in sheet.targets if t.name]
    sheet.persons = persons.find_persons(segments, exclude, doc.text)

    sheet.themes = signals.find_themes(doc.text)
    sheet.story = _story(doc, body_lines, sheet.title)
    if doc.background:
        bg = [doc.lines[i] for i in range(*doc.background)[1:] if doc.lines[i]]
        sheet.background = "\n".join(bg) or None

    score = signals.case_sheet_score(
        doc.text,
        ua_number=sheet.ua_number,
        index_number=sheet.index_number,
        targets_with_contacts=sum(
            1
            for t in found.targets
            if t.address_lines or t.emails or t.faxes or t.phones or t.salutation
        ),
        targets_any=len(sheet.targets),
        salutation=bool(found.letter_salutation or any(t.salutation for t in found.targets)),
        bullet_asks=bool(bullet_asks),
        any_asks=bool(sheet.asks),
        deadline=bool(sheet.deadline),
        themes=sheet.themes,
    )
    if score < MIN_CASE_SHEET_SCORE:
        raise IngestError(
            "this does not look like an urgent-action case sheet: no appeal reference, "
            "addressees, salutation or list of demands was found"
        )

    if sheet.kind == "other_org":
        uncertain.append("kind")
    if sheet.country and not re.search(re.escape(sheet.country.split()[0]), doc.text, re.I):
        uncertain.append("country")
    sheet.missing = [f for f in SCHEMA_FIELDS if _is_missing(getattr(sheet, f))]
    sheet.uncertain = uncertain
    return sheet


def _is_missing(value: object) -> bool:
    return value is None or value == "" or value == []


def _sentences(doc: Doc) -> list[str]:
    out: list[str] = []
    for _start, para in doc.paragraphs(doc.target_lines):
        out.extend(split_sentences(para))
    return out


def _person_segments(
    doc: Doc, title: str | None, body_lines: list[int], letter_line: int | None
) -> list[tuple[str, str]]:
    segments: list[tuple[str, str]] = []
    if title:
        segments.append(("title", title))
    first_lines = set(doc.nonblank()[:4])
    for i in body_lines:
        line = doc.lines[i]
        if line == title:
            continue
        salutation = targets.letter_salutation(line)
        if salutation:
            line = line[len(salutation) :].strip()
            if not line:
                continue
        if i in doc.ask_lines:
            zone = "asks"
        elif i in first_lines and len(line) < 90:
            zone = "header"
        else:
            zone = "body"
        segments.append((zone, line))
    return _join_wrapped(segments)


def _join_wrapped(segments: list[tuple[str, str]]) -> list[tuple[str, str]]:
    """Re-join body lines wrapped mid-sentence so names split across lines are whole."""
    out: list[tuple[str, str]] = []
    for zone, text in segments:
        if (
            out
            and zone == "body"
            and out[-1][0] == "body"
            and not re.search(r"[.!?:;]$", out[-1][1])
            and len(out[-1][1]) > 60
        ):
            out[-1] = ("body", out[-1][1] + " " + text)
        else:
            out.append((zone, text))
    return out


def _story(doc: Doc, body_lines: list[int], title: str | None) -> str | None:
    paras: list[str] = []
    buf: list[str] = []
    last = -2
    for i in body_lines:
        line = doc.lines[i]
        if line == title or i in doc.ask_lines:
            continue
        if i != last + 1 and buf:
            paras.append(" ".join(buf))
            buf = []
        buf.append(line)
        last = i
    if buf:
        paras.append(" ".join(buf))
    story = [p for p in paras if len(p.split()) >= 12]
    return "\n\n".join(story[:6]) or None
