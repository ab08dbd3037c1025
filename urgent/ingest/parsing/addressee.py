"""One address block read into a Target: style, name, office, address lines, contacts."""

from __future__ import annotations

import re
from dataclasses import dataclass

from ..record import Target
from .contacts import (
    EMAIL_RE,
    HANDLE_RE,
    find_emails,
    find_numbers,
    has_contact_label,
    is_bare_contact,
    split_labels,
)
from .lines import honorific_only, is_address_line, is_junk, trailing_salutation
from .names import (
    address_start_re,
    connectors,
    drop_addressed_to,
    drop_office_article,
    institution_start_re,
    is_title_line,
    leading_office_end,
    name_like,
    name_token_ok,
    office_re,
    split_honorific,
)
from .text import clean_value


@dataclass(frozen=True)
class AddressBlock:
    """Lines of one addressee, where they are in the document, and under which heading."""

    role: str
    lines: tuple[str, ...]
    line_numbers: tuple[int, ...]
    single_line: bool = False
    labelled: bool = False  # found under a heading ("Write to:") rather than by its shape


def read_block(block: AddressBlock) -> Target:
    target = Target(role="copy" if block.role == "copy" else "primary")
    rest = _read_contacts(block.lines, target)
    lines = _head_and_address(rest, target)
    # "Président de la République :" above the name: the colon is the layout's, not the title's
    lines = [line.rstrip(" :") if line.endswith(":") else line for line in lines]
    if lines and not target.salutation:
        m = trailing_salutation(lines[0])
        if m:
            target.salutation = m.group("sal").strip()
            lines[0] = lines[0][: m.start()].strip()
    lines = _merge_lone_honorific(lines)
    if block.single_line and lines:
        # the commas of "President X, Rashidov Street 43, Tashkent" separate name and address
        _read_single_line_head(", ".join(lines), target)
    else:
        _read_head(lines, target)
    return target


def _read_contacts(lines: tuple[str, ...], target: Target) -> list[str]:
    """Take labelled values into the target; return the unlabelled text."""
    rest: list[str] = []
    for line in lines:
        if line.startswith("(") and line.endswith(")") and has_contact_label(line):
            line = line[1:-1]
        for kind, raw in split_labels(line):
            value = raw.strip()
            if kind is None:
                if value:
                    rest.append(value)
            elif kind == "salutation":
                if value and not target.salutation:
                    target.salutation = value
            elif kind == "fax":
                target.faxes.extend(find_numbers(value))
            elif kind == "phone":
                target.phones.extend(find_numbers(value))
            elif kind == "email":
                found = find_emails(value)
                target.emails.extend(found or ([clean_value(value)] if value else []))
            elif kind == "social":
                handles = HANDLE_RE.findall(value)
                target.social.extend(handles or ([clean_value(value)] if value else []))
    return rest


def _head_and_address(rest: list[str], target: Target) -> list[str]:
    """Drop page furniture, split comma-run contact lines, take bare contacts."""
    head: list[str] = []
    for line in rest:
        if is_junk(line):
            continue
        if "," in line and (EMAIL_RE.search(line) or find_numbers(line)) and not head:
            head.extend(p.strip() for p in line.split(",") if p.strip())
            continue
        head.append(line)
    lines: list[str] = []
    for line in head:
        if is_bare_contact(line):
            target.emails.extend(find_emails(line))
            target.social.extend(HANDLE_RE.findall(line))
            if not EMAIL_RE.search(line) and not HANDLE_RE.search(line):
                target.phones.extend(find_numbers(line))
            continue
        lines.append(line)
    return lines


def _merge_lone_honorific(lines: list[str]) -> list[str]:
    """'Herrn' / 'Präsident X' printed on two lines read as 'Herrn Präsident X'."""
    if len(lines) > 1 and honorific_only(lines[0]):
        return [f"{lines[0]} {lines[1]}", *lines[2:]]
    return lines


def _split_name_title(text: str) -> tuple[str | None, str | None]:
    """After an honorific: "Name", "Name, Title" or "Title Name"."""
    end = leading_office_end(text)
    if end and name_like(text[end:], 1):
        return text[end:].strip(), text[:end].strip()
    if "," in text:
        head, _, tail = text.partition(",")
        if name_like(head, 1) and is_title_line(tail):
            return head.strip(), tail.strip()
    if not name_like(text, 1) and is_title_line(text):
        return None, drop_office_article(text)  # "Monsieur le Président de la République"
    return text.strip(), None


def _read_head(lines: list[str], target: Target) -> None:
    if not lines:
        return
    institution: list[str] = []
    if len(lines) > 1 and institution_start_re().match(lines[0]):
        honorific, after = split_honorific(lines[1])
        if honorific and name_like(after.split(",")[0], 1):
            # "Embassy of X" above "His Excellency Y": the institution is part of the address
            institution = [lines[0]]
            lines = lines[1:]
    lines = [drop_addressed_to(lines[0]), *lines[1:]]
    idx, spill = _read_first_line(lines, target)
    if not spill:
        idx += _name_below_office(lines[idx:], target)
    rest = spill + lines[idx:]
    if target.name and not target.title and rest and is_title_line(rest[0]):
        target.title = rest.pop(0)
    target.address_lines = institution + [line for line in rest if line.strip(" .,")]


def _read_first_line(lines: list[str], target: Target) -> tuple[int, list[str]]:
    """Honorific, name and title from the first line (and maybe the second).

    Returns how many lines were used, and what was left of the last one ("Sr. X, Carrera 8,
    Bogotá": the address after the name)."""
    first = lines[0]
    honorific, after = split_honorific(first)
    if honorific and (
        name_like(after.split(",")[0], 1) or leading_office_end(after) or is_title_line(after)
    ):
        target.honorific = honorific
        target.name, target.title = _split_name_title(after)
        return 1, []
    end = leading_office_end(first)
    if end and name_like(first[end:]):
        target.title = first[:end].strip()
        target.name = first[end:].strip()
        return 1, []
    if name_like(first) and not is_title_line(first):
        target.name = first
        return 1, []
    target.title, spill = _institution_and_address(first)
    if spill or len(lines) < 2:
        return 1, spill
    nxt = lines[1]
    honorific, after = split_honorific(nxt)
    name, _, rest = after.partition(",")
    if honorific and name_like(name, 1):
        # "Sr. X, Carrera 8 No. 7-26, Bogotá": the rest of the line is the address
        target.honorific, target.name = honorific, name.strip()
        return 2, [rest.strip()] if rest.strip() else []
    if name_like(nxt) and not institution_start_re().match(nxt):
        target.name = nxt
        return 2, []
    return 1, []


def _name_below_office(lines: list[str], target: Target) -> int:
    """An office with no one named ("Monsieur le Ministre de la Justice", "Ministro do
    Interior"), then the person on the next line, maybe with a style of their own ("Dr. X").
    Returns 1 when the next line was the name."""
    if target.name or not target.title or not lines:
        return 0
    honorific, after = split_honorific(lines[0])
    if institution_start_re().match(after) or is_title_line(after) or not name_like(after):
        return 0
    target.name = after.strip()
    # the person's own style ("Dr.") says more than the office's ("Sr. Presidente")
    target.honorific = honorific or target.honorific
    return 1


def _institution_and_address(line: str) -> tuple[str, list[str]]:
    """'Embassy of X, Via Gaeta 5, 00185 Roma': the institution, then its address."""
    head, _, rest = line.partition(",")
    if rest.strip() and is_address_line(rest.strip()) and not is_address_line(head):
        return head.strip(), [rest.strip()]
    return line, []


def _title_phrase(text: str) -> tuple[str, str]:
    """Split "Minister of Interior Calle Abraham 48" into ("Minister of Interior", rest)."""
    tokens = text.split()
    taken: list[str] = []
    joiners = connectors()
    for i, token in enumerate(tokens):
        rest = " ".join(tokens[i:])
        if taken and (address_start_re().match(rest) or any(c.isdigit() for c in token)):
            break
        if taken and token[0].islower() and token.casefold() not in joiners:
            break
        taken.append(token)
    while taken and taken[-1].casefold() in joiners:
        taken.pop()
    title = " ".join(taken)
    return title, text[len(title) :].strip(" ,")


def _name_phrase(text: str) -> tuple[str, str]:
    tokens = text.split()
    taken: list[str] = []
    for i, token in enumerate(tokens):
        rest = " ".join(tokens[i:])
        if address_start_re().match(rest) or institution_start_re().match(rest):
            break
        if not name_token_ok(token) or office_re().fullmatch(token.strip(",")):
            break
        taken.append(token)
        if token.endswith(","):
            break
    name = " ".join(taken)
    return name.strip(" ,"), text[len(name) :].strip(" ,")


def _read_single_line_head(text: str, target: Target) -> None:
    """A whole target flattened onto one line, as section web pages print them."""
    if text.count(",") >= 1 and _read_comma_head(text, target):
        return
    honorific, text = split_honorific(text)
    target.honorific = honorific
    end = leading_office_end(text)
    if end:
        target.title = text[:end].strip()
        name, rest = _name_phrase(text[end:])
        target.name = name or None
    else:
        om = office_re().search(text)
        if om and om.start() > 0 and name_like(text[: om.start()]):
            target.name = text[: om.start()].strip()
            target.title, rest = _title_phrase(text[om.start() :])
        else:
            name, rest = _name_phrase(text)
            if name and name_like(name):
                target.name = name
            else:
                rest = text
    if rest:
        target.address_lines = [rest]


def _read_comma_head(text: str, target: Target) -> bool:
    """'H.E. X, King of Y, Palace Z': name, office and address as comma-separated parts."""
    parts = [p.strip() for p in text.split(",") if p.strip()]
    honorific, first = split_honorific(parts[0])
    if not (name_like(first, 1) or is_title_line(first)):
        return False
    target.honorific = honorific
    end = leading_office_end(first)
    if end and name_like(first[end:]):
        # "President Islam Abdurakhmanov": the office, then a name of two words or more
        target.title, target.name = first[:end].strip(), first[end:].strip()
    elif name_like(first, 1):
        target.name = first
    else:
        target.title = first
    rest = parts[1:]
    if rest and not target.title and is_title_line(rest[0]):
        target.title = rest.pop(0)
    elif rest and target.title and not target.name:
        # "Presidente de la República, Sr. X, Carrera 8": the office, then the person
        honorific, name = split_honorific(rest[0])
        if name_like(name, 1):
            target.honorific = target.honorific or honorific
            target.name = name
            rest.pop(0)
    if rest:
        target.address_lines = [", ".join(rest)]
    return True


def strip_numbering(line: str) -> tuple[bool, str]:
    m = re.match(r"^\(?\d{1,2}[).]\s+", line)
    return (True, line[m.end() :]) if m else (False, line)
