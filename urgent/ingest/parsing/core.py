"""parse_case_sheet: text in, CaseSheet out.  Pure: no I/O, no Django, no network.

The steps, each a pure function (or a scanner whose state is its own) over the same
immutable `Doc`:

1. address blocks anywhere, with their roles (blocks.py), read into targets (addressee.py);
2. letter salutations, given to the block they answer (salutations.py);
3. the background section and the publisher's own instructions (sections.py);
4. asks from a list or the letter's request sentence (asks.py);
5. references, title, dates, kind, country, language (header.py, dates.py);
6. people at risk (persons.py), themes, story, background, update request;
7. a confidence for every field found, and the refusal of a text with no appeal in it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from ..errors import IngestError
from ..record import SCHEMA_FIELDS, UNSURE_BELOW, CaseSheet, Target
from . import dates, header, persons, sections, signals, titles
from .addressee import AddressBlock, read_block
from .asks import Asks, find_list_asks, find_request_sentence, no_further_action
from .blocks import find_address_section
from .contacts import dial_form, find_emails, find_numbers
from .countries import alias_key, find_countries
from .doc import Doc
from .fallback import targets_named_in
from .lines import is_junk
from .salutations import attach_salutations, find_letter_salutations, salutation_on_line
from .text import split_sentences

REFUSAL = (
    "this does not look like an urgent-action case sheet: no appeal reference, "
    "addressees, salutation or list of demands was found"
)


@dataclass(frozen=True)
class _Addressees:
    targets: list[Target]
    blocks: list[AddressBlock]
    used: frozenset[int]
    headings: frozenset[int]
    layout_end: int | None
    letter_line: int | None
    salutation_found: bool
    confidence: float


def parse_case_sheet(text: str) -> CaseSheet:
    if not text or not text.strip():
        raise IngestError("the document contains no text")
    doc = Doc.from_text(text)
    found = _addressees(doc)
    span = sections.find_background(doc)
    background_lines = frozenset(range(*span)) if span else frozenset()
    instructions = sections.instruction_lines(doc)
    asks = _asks(doc, found, background_lines, instructions)
    sheet = CaseSheet()
    confidence: dict[str, float] = {}
    targets, confidence["targets"] = found.targets, found.confidence
    if not targets and asks.items:
        targets = targets_named_in(asks.items, _sentences(doc, found.used))
        confidence["targets"] = 0.4
    sheet.targets = targets
    sheet.asks, confidence["asks"] = list(asks.items), asks.confidence
    _header_fields(doc, sheet, found, confidence)
    taken = found.used | found.headings | background_lines | instructions | asks.lines
    body = [i for i in doc.nonblank() if i not in taken and not is_junk(doc.lines[i])]
    # where the primary addressees sit says where the case is; copies go to embassies abroad
    target_text = [
        line for t in targets if t.role == "primary" for line in (t.title or "", *t.address_lines)
    ]
    sheet.country, confidence["country"] = header.find_country(doc, sheet.title, body, target_text)
    _contacts_in_prose(doc, found.used, targets)
    _dial_forms(sheet)
    sheet.update_request = sections.find_update_request(doc)
    sheet.persons = persons.find_persons(
        _person_segments(doc, sheet.title, body, asks),
        [t.name for t in targets if t.name],
        doc.text,
    )
    confidence["persons"] = 0.7
    sheet.headline = titles.clean_headline(sheet.title, [p.name for p in sheet.persons])
    sheet.themes = signals.find_themes(doc.text)
    sheet.story = sections.story(doc, body, sheet.title)
    sheet.background = sections.background(doc, span, instructions)
    _refuse_without_appeal(doc, sheet, found, asks)
    _finish(sheet, confidence)
    return sheet


def _contacts_in_prose(doc: Doc, used: frozenset[int], targets: list[Target]) -> None:
    """'Call Governor Kay Benford at 334–555–0172', 'Email the Governor: x@example.org': a
    number or address in a sentence that names one addressee (by name, else by office)
    belongs to that addressee, as an action alert prints them above the postal address."""
    for i in doc.nonblank():
        line = doc.lines[i]
        if i in used or len(line.split()) < 3:
            continue
        emails, numbers = find_emails(line), find_numbers(line)
        if not (emails or numbers):
            continue
        target = _the_one_named(line, targets)
        if target is None:
            continue
        target.emails.extend(e for e in emails if e not in target.emails)
        bucket = target.faxes if re.search(r"(?i)\bfax", line) else target.phones
        bucket.extend(n for n in numbers if n not in target.phones + target.faxes)


def _the_one_named(line: str, targets: list[Target]) -> Target | None:
    folded_line = line.casefold()
    for key in ("name", "title"):
        named = [
            t for t in targets if getattr(t, key) and getattr(t, key).casefold() in folded_line
        ]
        if len(named) == 1:
            return named[0]
        if named:
            return None
    return None


def _dial_forms(sheet: CaseSheet) -> None:
    """The E.164 form of each printed number, read in the country of the target's address
    (or of the case) when it is printed without its country prefix."""
    case_code = alias_key(sheet.country) if sheet.country else None
    for target in sheet.targets:
        found = find_countries(" ".join(target.address_lines))
        region = found[-1][1] if found else case_code
        for printed in (*target.phones, *target.faxes):
            e164 = dial_form(printed, region)
            if e164:
                target.dial[printed] = e164


def _addressees(doc: Doc) -> _Addressees:
    section = find_address_section(doc)
    pairs = [(block, read_block(block)) for block in section.blocks]
    pairs = [(block, target) for block, target in pairs if not target.is_empty()]
    blocks = [block for block, _ in pairs]
    salutations = find_letter_salutations(doc, section.used_lines)
    targets = attach_salutations([t for _, t in pairs], blocks, salutations)
    labelled = any(b.labelled for b in blocks)
    with_contacts = any(t.address_lines or t.emails or t.faxes or t.phones for t in targets)
    confidence = 0.9 if labelled and with_contacts else 0.7 if with_contacts else 0.5
    return _Addressees(
        targets=targets,
        blocks=blocks,
        used=section.used_lines,
        headings=section.heading_lines,
        layout_end=section.layout_end,
        letter_line=salutations[0].line if salutations else None,
        salutation_found=bool(salutations),
        confidence=confidence,
    )


def _asks(
    doc: Doc, found: _Addressees, background: frozenset[int], instructions: frozenset[int]
) -> Asks:
    skip = found.used | background
    listed = find_list_asks(doc, skip)
    if listed.items or no_further_action(doc.text):
        return listed
    return find_request_sentence(doc, skip | instructions, found.letter_line)


def _header_fields(
    doc: Doc, sheet: CaseSheet, found: _Addressees, confidence: dict[str, float]
) -> None:
    sheet.language, confidence["language"] = header.detect_language(doc.text)
    sheet.ua_number, confidence["ua_number"] = header.find_ua_number_scored(doc.text)
    sheet.index_number = header.find_index_number(doc)
    sheet.title, confidence["title"] = titles.find_title(
        doc, found.used, found.layout_end, found.letter_line
    )
    sheet.date_issued, confidence["date_issued"] = dates.find_date_issued(doc, found.used)
    year = int(sheet.date_issued[:4]) if sheet.date_issued else None
    sheet.deadline, confidence["deadline"] = dates.find_deadline(doc, year)
    bare_letter = found.layout_end is not None and not header.names_organisation(doc.text)
    sheet.kind, confidence["kind"] = header.find_kind(
        doc, sheet.title, sheet.ua_number, bare_letter=bare_letter
    )


def _refuse_without_appeal(doc: Doc, sheet: CaseSheet, found: _Addressees, asks: Asks) -> None:
    addressee = any(b.labelled for b in found.blocks) or any(
        t.emails or t.faxes or t.phones or t.salutation or len(t.address_lines) >= 2
        for t in found.targets
    )
    appeal = signals.AppealSignals(
        reference=bool(sheet.ua_number or sheet.index_number),
        addressee=addressee,
        salutation=found.salutation_found,
        demands=asks.confidence >= 0.7,
    )
    # the phrase search reads every line: only needed when nothing else says "appeal"
    if not appeal.any() and not signals.has_appeal_phrase(doc.text):
        raise IngestError(REFUSAL)


def _finish(sheet: CaseSheet, confidence: dict[str, float]) -> None:
    sheet.missing = [f for f in SCHEMA_FIELDS if _is_missing(getattr(sheet, f))]
    if sheet.index_number:
        confidence["index_number"] = 0.95
    if sheet.update_request:
        confidence["update_request"] = 0.9
    sheet.confidence = {
        f: round(confidence.get(f, 0.8), 2) for f in SCHEMA_FIELDS if f not in sheet.missing
    }
    sheet.uncertain = [f for f, c in sheet.confidence.items() if c < UNSURE_BELOW]


def _is_missing(value: object) -> bool:
    return value is None or value == "" or value == []


def _sentences(doc: Doc, skip: frozenset[int]) -> list[str]:
    out: list[str] = []
    for _start, para in doc.paragraphs(skip):
        out.extend(split_sentences(para))
    return out


def _person_segments(
    doc: Doc, title: str | None, body_lines: list[int], asks: Asks
) -> list[tuple[str, str]]:
    segments: list[tuple[str, str]] = []
    if title:
        segments.append(("title", title))
    first_lines = set(doc.nonblank()[:4])
    for i in sorted(set(body_lines) | asks.lines):
        line = doc.lines[i]
        if line == title:
            continue
        salutation = salutation_on_line(line)
        if salutation:
            line = line[line.find(salutation) + len(salutation) :].strip()
            if not line:
                continue
        if i in asks.lines:
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
