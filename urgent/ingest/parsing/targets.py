"""Appeal targets: who to write to, with address, numbers, emails and salutation."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from email_validator import EmailNotValidError, validate_email

from ..record import Target
from .countries import alias_table
from .doc import Doc, is_junk_line
from .text import clean_value, decamel, fold, is_date_line
from .vocab import (
    ADDRESS_START_RE,
    EMAIL_LABEL,
    FAX_LABEL,
    HONORIFIC_PATTERNS,
    IGNORED_LABEL,
    INSTITUTION_START_RE,
    LEADING_OFFICE_RE,
    NAME_PARTICLES,
    NON_NAME_WORDS,
    NOUN_SUFFIX_RE,
    OFFICE_RE,
    PHONE_LABEL,
    SALUTATION_LABEL,
    SOCIAL_LABEL,
)

# ---------------------------------------------------------------------------
# Labels that open and close the address section

PRIMARY_LABEL_RE = re.compile(
    r"""(?ix)^(?:\d\)\s*)?(?:
        (?:please\s+)?write\s+(?:to|a\s+letter\s+to)
      | (?:please\s+)?(?:send\s+)?appeals?\s+to
      | (?:please\s+)?send\s+(?:your\s+)?(?:appeals?|letters?|faxes|emails)\b.*\bto
      | (?:please\s+)?contact\s+(?:the\s+)?(?:below\s+|following\s+)?officials?\b.*
      | targets?(?:['’]s)?\s+contact\s+details.*
      | (?:mailing\s+)?addresses(?:\s+for\s+appeals)?
      | (?:écrivez|écrire|ecrivez)\s+(?:à|a|au|aux)
      | (?:envoyez|adressez)\s+vos\s+(?:appels|lettres|courriers).*\b(?:à|a|au|aux)
      | adresses?\s+(?:des\s+destinataires|pour\s+les\s+appels)
      | escrib(?:an|e|ir)\s+(?:a|al)
      | env[íi]en\s+(?:sus\s+)?(?:llamamientos|cartas).*\b(?:a|al)
      | direcciones(?:\s+para\s+los\s+llamamientos)?
      | schreiben\s+sie\s+.*\ban
      | (?:appelle?|briefe|schreiben)\s+an
      | adressen
    )\s*[:.]?\s*$"""
)

COPY_LABEL_RE = re.compile(
    r"""(?ix)^(?:
        (?:et\s+)?(?:envoyez\s+(?:une\s+)?)?copies?\s+(?:à|a|aux)(?:\s+la\s+représentation[^.:]*)?
      | (?:y\s+)?(?:env[íi]en\s+)?copias?\s+(?:a|al)(?:\s+la\s+representación[^.:]*)?
      | (?:und\s+)?(?:sende\s+eine\s+)?kopien?\s+an(?:\s+die\s+botschaft[^.:]*)?
      | (?:and\s+|also\s+|please\s+)*(?:send\s+)?(?:a\s+)?cop(?:y|ies)
            (?:\s+of\s+(?:your\s+)?(?:appeals?|letters?))?(?:\s+to)?
            (?P<diplo>\s+(?:the\s+)?diplomatic\s+representatives?[^.:]*)?
      | cc
    )(?![^\W\d_])\s*(?P<sep>[.:])?\s*"""
)

# A letter's addressee line: "To: Mr X", "À : Monsieur Y", "An: Herrn Z"
_TO_LABEL_RE = re.compile(r"(?i)^(?:to|à|a|an|para|destinataire|destinatario)\s*:\s*(\S.{2,})$")

END_RE = re.compile(
    r"""(?ix)^(?:\d\)\s*)?(?:
        additional\s+(?:information|resources)|background(?:\s+information)?\b|
        further\s+information\s*:|preferred\s+language|please\s+check\s+with|
        please\s+insert|please\s+note|please\s+take\s+action|if\s+you\s+want\s+updates|
        let\s+us\s+know|link\s+to\s+previous|take\s+action|download|thank|
        in\s+solidarity|yours\s+(?:sincerely|faithfully|truly)|sincerely|kind\s+regards|
        hintergrund|weitere\s+informationen|informations?\s+compl[ée]mentaires?|
        compl[ée]ment\s+d['’]information|contexte|informaci[óo]n\s+(?:adicional|complementaria)|
        antecedentes|name\s+and\s+pronoun|please\s+send\s+appeals\s+immediately|check\s+with|urgent\s+action\s+(?:network|appeal)\b
    )"""
)

LETTER_SALUTATION_RE = re.compile(
    r"""^(?P<sal>(?:Dear|DEAR|My\s+dear|Your\s+(?:Excellency|Majesty|Highness|Hono(?:u)?r)|
        Excellency|Excellence|Monsieur|Madame|Mesdames|Messieurs|Señor(?:a)?|Señores|
        Estimad[oa]s?|Excelent[íi]sim[oa]|Distinguid[oa]s?|Sehr\s+geehrte[r]?|Exzellenz|
        Hochverehrte[r]?|Hono(?:u)?rable)\b[^,\n]{0,60}?(?:,|!|$|(?=\s{2,})))""",
    re.X,
)
_GENERIC_GREETING_RE = re.compile(
    r"(?i)^dear\s+(?:friends?|supporters?|all|colleagues?|members?|activists?|"
    r"network|urgent|coordinators?|readers?|ua)\b"
)

# ---------------------------------------------------------------------------
# Contact labels inside a block

_LABELS = (
    ("salutation", SALUTATION_LABEL),
    ("fax", FAX_LABEL),
    ("email", EMAIL_LABEL),
    ("phone", PHONE_LABEL),
    ("social", SOCIAL_LABEL),
    ("ignored", IGNORED_LABEL),
)
_LABEL_ALT = "|".join(f"(?P<{name}>{pattern})" for name, pattern in _LABELS)
INLINE_LABEL_RE = re.compile(
    rf"(?i)(?:^|(?<=[\s,;(]))(?:{_LABEL_ALT})\s*(?:no\.?|number|nr\.?)?\s*(?:\([^)]{{0,30}}\))?\s*[:：]\s*"
)
# "Fax +1 555 0100" or "Tel. 555 0100" without a colon, only at the start of a line
LEADING_LABEL_RE = re.compile(
    rf"(?i)^(?:(?P<fax>{FAX_LABEL})|(?P<phone>{PHONE_LABEL}))\.?\s*(?:no\.?|number|nr\.?)?\s*(?=[+(]?\d)"
)

EMAIL_RE = re.compile(r"[\w.+'-]+@[\w-]+(?:\.[\w-]+)+|\[email(?:\s|&#160;)*protected\]")
PHONE_RE = re.compile(r"(?:\+\s?)?\(?\d[\d\s().\-/]{4,}\d")
HANDLE_RE = re.compile(r"(?<![\w@])@\w{1,30}")
URL_RE = re.compile(r"(?i)\b(?:https?://|www\.)\S+")


def find_emails(text: str) -> list[str]:
    out: list[str] = []
    for m in EMAIL_RE.finditer(text):
        value = m.group().rstrip(".")
        if "@" in value:
            try:
                validate_email(value, check_deliverability=False)
            except EmailNotValidError:
                continue
        out.append(value)
    return out


def find_numbers(text: str) -> list[str]:
    text = URL_RE.sub(" ", text)
    out: list[str] = []
    for m in PHONE_RE.finditer(text):
        value = m.group().strip()
        digits = re.sub(r"\D", "", value)
        if len(digits) < 6:
            continue
        if len(digits) > 15:
            parts = [p.strip() for p in re.split(r"\s+/\s+|\s*;\s*|,\s+|\s+or\s+", value)]
            out.extend(p for p in parts if len(re.sub(r"\D", "", p)) >= 6)
            continue
        out.append(value)
    return out


def split_labels(line: str) -> list[tuple[str | None, str]]:
    """Cut a line into (label kind, value) pieces; text before any label has kind None."""
    lead = LEADING_LABEL_RE.match(line)
    if lead and not INLINE_LABEL_RE.match(line):
        return [("fax" if lead.group("fax") else "phone", line[lead.end() :])]
    pieces: list[tuple[str | None, str]] = []
    pos = 0
    kind: str | None = None
    for m in INLINE_LABEL_RE.finditer(line):
        text = line[pos : m.start()].strip()
        if text or kind:
            pieces.append((kind, text))
        kind = m.lastgroup
        pos = m.end()
    tail = line[pos:].strip()
    if tail or kind:
        pieces.append((kind, tail))
    return pieces


def has_contact_label(line: str) -> bool:
    return bool(INLINE_LABEL_RE.search(line) or LEADING_LABEL_RE.match(line))


# ---------------------------------------------------------------------------
# Names, honorifics and titles

_HONORIFIC_RE = re.compile(
    r"^(?:(?i:" + "|".join(HONORIFIC_PATTERNS) + r"))(?:\s+|(?<=\.)(?=\S)|(?<=[nN])(?=[A-Z]))"
)
_GIVEN_NAME_COUNTRIES = {"jordan", "chad", "israel", "georgia", "india"}


def split_honorific(text: str) -> tuple[str | None, str]:
    """Peel courtesy styles off the front.

    "HIS EXCELLENCY MR LIU" -> ("HIS EXCELLENCY MR", "LIU")."""
    rest = text.strip()
    end = 0
    while True:
        m = _HONORIFIC_RE.match(rest[end:])
        if not m:
            break
        end += m.end()
    if not end:
        return None, rest
    honorific = rest[:end].strip()
    remainder = rest[end:].strip()
    if not remainder:
        return None, rest
    return honorific, remainder


def name_token_ok(token: str, allow_country: bool = False) -> bool:
    word = token.strip(",.;:()\"'“”")
    if not word:
        return True
    if word.casefold() in NAME_PARTICLES:
        return True
    if not word[0].isupper():
        return False
    key = fold(word)
    if key in NON_NAME_WORDS or (len(word) > 6 and NOUN_SUFFIX_RE.search(word)):
        return False
    return not (key in alias_table() and not (allow_country and key in _GIVEN_NAME_COUNTRIES))


def name_like(text: str, min_tokens: int = 2) -> bool:
    """Looks like a personal name: a few capitalised words, no office or institution words."""
    text = decamel(text).strip(" ,.;:")
    if not text or any(c.isdigit() for c in text) or "@" in text or len(text) > 60:
        return False
    if OFFICE_RE.search(text):
        return False
    tokens = text.split()
    if not 1 <= len(tokens) <= 6:
        return False
    core = 0
    for i, token in enumerate(tokens):
        if not name_token_ok(token, allow_country=i == 0 and len(tokens) > 1):
            return False
        if token.strip(",.").casefold() not in NAME_PARTICLES:
            core += 1
    return core >= min_tokens


def is_title_line(text: str) -> bool:
    plain = decamel(text)
    if INSTITUTION_START_RE.match(plain) or any(c.isdigit() for c in plain):
        return False
    return bool(OFFICE_RE.search(plain))


def _split_name_title(text: str) -> tuple[str | None, str | None]:
    """After an honorific: "Name", "Name, Title" or "Title Name"."""
    m = LEADING_OFFICE_RE.match(text)
    if m and name_like(text[m.end() :], 1):
        return text[m.end() :].strip(), text[: m.end()].strip()
    if "," in text:
        head, _, tail = text.partition(",")
        if name_like(head, 1) and is_title_line(tail):
            return head.strip(), tail.strip()
    return text.strip(), None


def _title_phrase(text: str) -> tuple[str, str]:
    """Split "Minister of Interior Calle Abraham 48" into ("Minister of Interior", rest)."""
    tokens = text.split()
    taken: list[str] = []
    for i, token in enumerate(tokens):
        rest = " ".join(tokens[i:])
        if taken and (ADDRESS_START_RE.match(rest) or any(c.isdigit() for c in token)):
            break
        if (
            taken
            and token[0].islower()
            and token.casefold()
            not in {
                "of",
                "for",
                "the",
                "de",
                "del",
                "la",
                "du",
                "des",
                "and",
                "y",
                "et",
                "für",
                "der",
            }
        ):
            break
        taken.append(token)
    while taken and taken[-1].casefold() in {"of", "for", "the", "de", "del", "and", "y", "et"}:
        taken.pop()
    title = " ".join(taken)
    return title, text[len(title) :].strip(" ,")


def _name_phrase(text: str) -> tuple[str, str]:
    tokens = text.split()
    taken: list[str] = []
    for i, token in enumerate(tokens):
        rest = " ".join(tokens[i:])
        if ADDRESS_START_RE.match(rest) or INSTITUTION_START_RE.match(rest):
            break
        if not name_token_ok(token) or OFFICE_RE.fullmatch(token.strip(",")):
            break
        taken.append(token)
        if token.endswith(","):
            break
    name = " ".join(taken)
    return name.strip(" ,"), text[len(name) :].strip(" ,")


# ---------------------------------------------------------------------------
# Blocks


@dataclass
class Block:
    role: str
    lines: list[str] = field(default_factory=list)
    line_numbers: list[int] = field(default_factory=list)
    single_line: bool = False
    closed: bool = False
    has_contact: bool = False

    def add(self, line: str, index: int) -> None:
        self.lines.append(line)
        self.line_numbers.append(index)
        if has_contact_label(line) or _is_bare_contact(line):
            self.has_contact = True
        if split_labels(line) and any(k == "salutation" for k, _ in split_labels(line)):
            self.closed = True


def _is_bare_contact(line: str) -> bool:
    stripped = EMAIL_RE.sub("", line)
    stripped = HANDLE_RE.sub("", stripped)
    stripped = PHONE_RE.sub("", stripped) if find_numbers(stripped) else stripped
    return stripped.strip(" ,;/()") == "" and line.strip() != ""


_TYPEWRITER_DEAR_RE = re.compile(r"\s+(?P<sal>Dear\s.+)$")


def parse_block(block: Block) -> Target:
    target = Target(role="copy" if block.role == "copy" else "primary")
    rest: list[str] = []
    for line in block.lines:
        if line.startswith("(") and line.endswith(")") and has_contact_label(line):
            line = line[1:-1]
        for kind, value in split_labels(line):
            value = value.strip()
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
    head: list[str] = []
    for line in rest:
        if is_junk_line(line):
            continue
        if "," in line and (EMAIL_RE.search(line) or find_numbers(line)) and not head:
            head.extend(p.strip() for p in line.split(",") if p.strip())
            continue
        head.append(line)
    lines: list[str] = []
    for line in head:
        if _is_bare_contact(line):
            target.emails.extend(find_emails(line))
            target.social.extend(HANDLE_RE.findall(line))
            if not EMAIL_RE.search(line) and not HANDLE_RE.search(line):
                target.phones.extend(find_numbers(line))
            continue
        lines.append(line)
    if lines and not target.salutation:
        m = _TYPEWRITER_DEAR_RE.search(lines[0])
        if m:
            target.salutation = m.group("sal").strip()
            lines[0] = lines[0][: m.start()].strip()
    if block.single_line and lines:
        _parse_single_line_head(" ".join(lines), target)
    else:
        _parse_head(lines, target)
    return target


def _parse_head(lines: list[str], target: Target) -> None:
    if not lines:
        return
    institution: list[str] = []
    if len(lines) > 1 and INSTITUTION_START_RE.match(lines[0]):
        honorific, after = split_honorific(lines[1])
        if honorific and name_like(after.split(",")[0], 1):
            # "Embassy of X" above "His Excellency Y": the institution is part of the address
            institution = [lines[0]]
            lines = lines[1:]
    first = lines[0]
    idx = 1
    honorific, after = split_honorific(first)
    if honorific and (name_like(after.split(",")[0], 1) or LEADING_OFFICE_RE.match(after)):
        target.honorific = honorific
        target.name, target.title = _split_name_title(after)
    else:
        m = LEADING_OFFICE_RE.match(first)
        if m and name_like(first[m.end() :]):
            target.title = first[: m.end()].strip()
            target.name = first[m.end() :].strip()
        elif name_like(first) and not is_title_line(first):
            target.name = first
        else:
            target.title = first
            if idx < len(lines):
                nxt = lines[idx]
                honorific, after = split_honorific(nxt)
                if honorific and name_like(after, 1):
                    target.honorific, target.name = honorific, after
                    idx += 1
                elif name_like(nxt) and not INSTITUTION_START_RE.match(nxt):
                    target.name = nxt
                    idx += 1
    if target.name and not target.title and idx < len(lines) and is_title_line(lines[idx]):
        target.title = lines[idx]
        idx += 1
    target.address_lines = institution + [line for line in lines[idx:] if line.strip(" .,")]


def _parse_single_line_head(text: str, target: Target) -> None:
    """A whole target flattened onto one line, as section web pages print them."""
    honorific, text = split_honorific(text)
    target.honorific = honorific
    m = LEADING_OFFICE_RE.match(text)
    if m:
        target.title = text[: m.end()].strip()
        name, rest = _name_phrase(text[m.end() :])
        target.name = name or None
    else:
        om = OFFICE_RE.search(text)
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


# ---------------------------------------------------------------------------
# Finding the address section


def letter_salutation(line: str) -> str | None:
    m = LETTER_SALUTATION_RE.match(line)
    if not m or _GENERIC_GREETING_RE.match(line):
        return None
    sal = m.group("sal").strip()
    if not sal.endswith((",", "!")) and (len(line) > 40 or not sal.casefold().startswith("dear")):
        return None
    return sal


def _is_prose(line: str) -> bool:
    words_ = line.split()
    if len(words_) < 12 or has_contact_label(line):
        return False
    lower = sum(1 for w in words_ if w[:1].islower())
    return lower >= len(words_) / 3


def _single_line_target(line: str) -> bool:
    """A head followed by contact labels on the same line ("Name Title Address Email: ...")."""
    if ":" not in line:
        return False
    m = INLINE_LABEL_RE.search(line)
    if not m or m.start() == 0:
        return False
    head = line[: m.start()].strip()
    words_ = head.split()
    if not 3 <= len(words_) <= 40:
        return False
    if sum(1 for w in words_ if w[:1].islower()) > len(words_) / 3:
        return False
    first = " ".join(words_[:4])
    return bool(
        split_honorific(first)[0]
        or LEADING_OFFICE_RE.match(head)
        or name_like(" ".join(words_[:2]))
    )


def _head_like(line: str) -> bool:
    if split_honorific(line)[0]:
        return True
    if LEADING_OFFICE_RE.match(line) or is_title_line(line):
        return True
    return name_like(line.split(",")[0])


def _block_ahead(doc: Doc, i: int) -> bool:
    """Does an address block (head, a few lines, a contact label) start at line i?"""
    seen = 0
    for j in range(i + 1, min(len(doc.lines), i + 12)):
        line = doc.lines[j]
        if not line:
            continue
        if has_contact_label(line):
            return True
        if _is_prose(line):
            return False
        seen += 1
        if seen > 8:
            return False
    return False


@dataclass
class TargetResult:
    targets: list[Target]
    letter_salutation: str | None
    letter_line: int | None
    letter_layout_end: int | None


def find_targets(doc: Doc) -> TargetResult:
    blocks: list[Block] = []
    in_region = False
    role = "primary"
    cur: Block | None = None
    blank_seen = False
    letter_sal: str | None = None
    letter_line: int | None = None
    letter_layout_end: int | None = None
    first_nonblank = next((i for i, line in enumerate(doc.lines) if line), None)

    def close() -> None:
        nonlocal cur
        if cur is not None and cur.lines:
            blocks.append(cur)
        cur = None

    for i, line in enumerate(doc.lines):
        if not line:
            blank_seen = True
            continue
        sal = letter_salutation(line)
        if sal and not in_region and letter_sal is None:
            letter_sal, letter_line = sal, i
        if in_region:
            cm = COPY_LABEL_RE.match(line)
            copy_label = bool(cm and _copy_label_ok(line, cm))
            if not copy_label and (
                END_RE.match(line)
                or sal
                or _is_prose(line)
                or (is_date_line(line) and not has_contact_label(line))
            ):
                close()
                in_region = False
                if (
                    letter_layout_end is None
                    and i > 0
                    and blocks
                    and blocks[0].line_numbers[0] == first_nonblank
                ):
                    letter_layout_end = i
                if sal and letter_sal is None:
                    letter_sal, letter_line = sal, i
                continue
            if PRIMARY_LABEL_RE.match(line):
                close()
                role = "primary"
                doc.target_lines.add(i)
                blank_seen = False
                continue
            if cm and copy_label:
                close()
                role = "copy"
                doc.target_lines.add(i)
                _start_inline(line[cm.end() :], i, role, blocks)
                blank_seen = False
                if blocks and blocks[-1].line_numbers == [i]:
                    cur = blocks.pop()
                continue
            if is_junk_line(line):
                doc.target_lines.add(i)
                continue
            numbered = re.match(r"^\(?\d{1,2}[).]\s+", line)
            text = line[numbered.end() :] if numbered else line
            if _single_line_target(text):
                close()
                b = Block(role, single_line=True)
                b.add(text, i)
                blocks.append(b)
                doc.target_lines.add(i)
                blank_seen = False
                continue
            if cur is None and text[:1].islower():
                in_region = False
                continue
            if cur is None:
                cur = Block(role)
            elif numbered or (
                cur.closed
                or (cur.has_contact and not has_contact_label(text) and not _is_bare_contact(text))
                or (blank_seen and len(cur.lines) >= 3 and split_honorific(text)[0])
            ):
                if numbered or _head_like(text):
                    close()
                    cur = Block(role)
                else:
                    close()
                    in_region = False
                    continue
            cur.add(text, i)
            doc.target_lines.add(i)
            blank_seen = False
            continue

        # outside any address section
        to = _TO_LABEL_RE.match(line)
        if to and _head_like(to.group(1)):
            in_region, role, blank_seen = True, "primary", False
            cur = Block(role)
            cur.add(to.group(1), i)
            doc.target_lines.add(i)
            continue
        if PRIMARY_LABEL_RE.match(line):
            in_region, role, cur, blank_seen = True, "primary", None, False
            doc.target_lines.add(i)
            continue
        cm = COPY_LABEL_RE.match(line)
        if cm and _copy_label_ok(line, cm):
            in_region, role, cur, blank_seen = True, "copy", None, False
            doc.target_lines.add(i)
            _start_inline(line[cm.end() :], i, role, blocks)
            if blocks and blocks[-1].line_numbers == [i]:
                cur = blocks.pop()
            continue
        if _single_line_target(line):
            b = Block("primary", single_line=True)
            b.add(line, i)
            blocks.append(b)
            doc.target_lines.add(i)
            continue
        numbered = re.match(r"^\(?\d{1,2}[).]\s+", line)
        text = line[numbered.end() :] if numbered else line
        starts_letter = i == first_nonblank and split_honorific(text)[0] is not None
        if (
            (
                numbered
                and len(text.split()) <= 12
                and (_block_ahead(doc, i) or _TYPEWRITER_DEAR_RE.search(text))
            )
            or (starts_letter and _head_like(text))
            or (split_honorific(text)[0] and _head_like(text) and _block_ahead(doc, i))
        ):
            in_region, role, blank_seen = True, "primary", False
            cur = Block(role)
            cur.add(text, i)
            doc.target_lines.add(i)
            continue
    close()

    targets: list[Target] = []
    for block in blocks:
        target = parse_block(block)
        if not target.is_empty():
            targets.append(target)
    return TargetResult(targets, letter_sal, letter_line, letter_layout_end)


def _copy_label_ok(line: str, m: re.Match[str]) -> bool:
    remainder = line[m.end() :].strip()
    label = m.group(0).strip().casefold()
    if label.startswith("cc"):
        return bool(re.match(r"(?i)^cc\s*[.:]?\s*", line)) and (
            not remainder or remainder[0].isupper()
        )
    if not remainder:
        return len(line) < 120
    return bool(m.group("sep"))


def _start_inline(remainder: str, i: int, role: str, blocks: list[Block]) -> None:
    """Content printed on the same line as a copies label.

    ("Cc. The Hon X", "... accredited to your country. HE Y, Embassy of Z, ...")."""
    remainder = remainder.strip()
    if not remainder or remainder.casefold().startswith(
        ("please", "veuillez", "bitte", "por favor")
    ):
        return
    block = Block(role)
    if remainder.count(",") >= 2 and (EMAIL_RE.search(remainder) or find_numbers(remainder)):
        for part in remainder.split(","):
            if part.strip():
                block.add(part.strip(), i)
        block.closed = True
    else:
        block.add(remainder, i)
    blocks.append(block)


# ---------------------------------------------------------------------------
# Fallbacks when no address section is printed

_ASK_OFFICIAL_RE = re.compile(
    r"\b(?P<title>President|Governor|Prime Minister|King|Emir|Sultan|Attorney General|"
    r"Président|Presidente|Präsident(?:in)?|Gouverneur|Gobernador(?:a)?)\s+"
    r"(?P<name>[A-ZÀ-Þ][\w'’-]+(?:\s+[A-ZÀ-Þ][\w'’-]+){0,2})"
)
_SENTENCE_TARGET_RE = re.compile(
    r"(?i)\b(?:to|à|au|a|al|an)\s+(?:the\s+|l['’]|la\s+|le\s+|el\s+|den\s+|die\s+|der\s+)?"
    r"(?P<title>(?:ambassad|minist|pr[ée]sident|gouvern|gobern|governor|procureur|fiscal|"
    r"botschafter|bundeskanzl|premier|prime\s+minister|attorney)[^.!?;,()\n]{0,80})"
)


def fallback_targets(asks: list[str], text_sentences: list[str]) -> list[Target]:
    out: list[Target] = []
    seen: set[str] = set()
    for ask in asks:
        for m in _ASK_OFFICIAL_RE.finditer(ask):
            name = m.group("name")
            if not name_like(name, 1):
                continue
            key = fold(name)
            if key not in seen:
                seen.add(key)
                out.append(Target(title=m.group("title"), name=name))
    if out:
        return out
    for sentence in text_sentences:
        if not re.search(
            r"(?i)lett|brief|carta|courrier|appeal|appel|write|écri|escrib|schreib", sentence
        ):
            continue
        hit = _SENTENCE_TARGET_RE.search(sentence)
        if hit:
            title = hit.group("title").strip()
            title = re.split(r"\s+(?:urging|asking|calling|pour|para|und|and)\b", title)[0]
            return [Target(title=title)]
    return out


def assign_letter_salutation(targets: list[Target], salutation: str | None) -> list[Target]:
    if not salutation:
        return targets
    lacking = [t for t in targets if t.role == "primary" and not t.salutation]
    if not targets:
        return [Target(salutation=salutation)]
    words_ = {fold(w) for w in re.findall(r"\w+", decamel(salutation)) if len(w) > 3}
    for target in lacking:
        label = fold(" ".join(filter(None, [target.title, target.name])))
        if any(w in label for w in words_):
            target.salutation = salutation
            return targets
    if len(lacking) == 1 and len([t for t in targets if t.role == "primary"]) == 1:
        lacking[0].salutation = salutation
    return targets
