"""Asks: the recommended actions, as a bullet list or the model letter's request."""

from __future__ import annotations

import re

from .doc import Doc
from .targets import EMAIL_RE, END_RE, PRIMARY_LABEL_RE, letter_salutation
from .text import split_sentences

BULLET_RE = re.compile(r"^(?:[•·●○◦▪■◼◾►▶➢➤✓✔\-–—*]|o(?=\s)|\(?[a-h]\)|\(?\d{1,2}[.)])\s*")
_NUMBERED_RE = re.compile(r"^(?:\(?[a-h]\)|\(?\d{1,2}[.)])\s")

# A line that introduces the list of demands.
LEAD_RE = re.compile(
    r"""(?ix)(?:urging|calling\s+(?:on|for)|asking|demanding|requesting|to\s*:|
    recommended\s+action|please\s+write|please\s+send|write\s+(?:a\s+letter|to|an\s+email)|
    in\s+your\s+own\s+words|own\s+language|tweet|call\s+on|
    écrivez|demandant|exhortant|appelant|demandez|lettres?\s+.*\b(?:pour|afin)|
    escriban|pidiendo|instando|exigiendo|soliciten|pidan|
    schreiben\s+sie|fordern\s+sie|bitten\s+sie|fordert|forderungen|
    amnesty\s+fordert|amnesty\s+international\s+(?:calls|urges|demands)|demands?|
    revendications|exigencias|peticiones|we\s+(?:call|urge|ask))"""
)

# First-person request sentences of a model letter.
FIRST_PERSON_RE = re.compile(
    r"""(?ix)\b(?:
    i\s+(?:therefore\s+|respectfully\s+|urgently\s+|strongly\s+)?(?:urge|call\s+(?:on|upon)|ask|request|implore|appeal)
  | we\s+(?:therefore\s+|respectfully\s+)?(?:urge|call\s+(?:on|upon)|ask|request|demand)
  | i\s+am\s+writing\s+to\s+(?:urge|ask|call)
  | je\s+vous\s+(?:demande|prie|exhorte|appelle|engage|invite)
  | nous\s+vous\s+(?:demandons|prions|exhortons|appelons)
  | (?:le|les|la)\s+(?:insto|instamos|pido|pedimos|solicito|solicitamos|exhorto|exhortamos)
  | (?:insto|instamos|exijo|exigimos)\b
  | (?:ich|wir)\s+(?:fordere|fordern|bitte|bitten|appelliere|appellieren)\s+sie
  | fordere\s+sie | bitte\s+ich\s+sie | fordern\s+wir\s+sie
    )"""
)

# Third-person or collective calls, used when no letter request is printed.
CALL_RE = re.compile(
    r"""(?ix)\b(?:
    (?:authorities|government|state|police|president|minister)\s+(?:must|should)
  | autorités\s+doivent | gouvernement\s+doit
  | autoridades\s+deben | gobierno\s+debe
  | behörden\s+müssen | regierung\s+muss
  | mobilisons-nous | agissons | actuemos | handeln\s+sie
  | (?:demander|exiger|réclamer)\s+(?:la\s+libération|que|l['’])
  | (?:exigir|pedir|reclamar)\s+(?:la\s+libertad|que)
  | (?:call|calling)\s+for\s+(?:the\s+)?(?:release|immediate)
  | urge\s+the\s+authorities
    )"""
)

_NO_ACTION_RE = re.compile(
    r"(?i)no\s+further\s+action\s+is\s+(?:requested|needed|required)|"
    r"aucune\s+action\s+(?:complémentaire\s+)?n['’]est\s+requise|"
    r"no\s+se\s+requieren\s+más\s+acciones|keine\s+weiteren\s+appelle"
)


def _is_bullet(line: str) -> bool:
    return bool(BULLET_RE.match(line)) and len(BULLET_RE.sub("", line, count=1)) > 3


def _strip_bullet(line: str) -> str:
    return BULLET_RE.sub("", line, count=1).strip()


def _lead_ok(line: str) -> bool:
    return line.rstrip().endswith(":") and bool(LEAD_RE.search(line))


def find_bullet_asks(doc: Doc) -> list[str]:
    lines = doc.lines
    for i, line in enumerate(lines):
        if not line or i in doc.target_lines or doc.in_background(i):
            continue
        if PRIMARY_LABEL_RE.match(line):
            continue
        inline = _inline_asks(line)
        if inline:
            doc.ask_lines.add(i)
            return inline
        if not _lead_ok(line):
            continue
        asks = _collect_bullets(doc, i + 1)
        if asks:
            return asks
    return []


def _inline_asks(line: str) -> list[str]:
    """'RECOMMENDED ACTION: ...: - stating ...; - urging ...' printed on one line."""
    if ":" not in line or not re.search(r"\s[-–•]\s", line) or not LEAD_RE.search(line):
        return []
    colon = line.find(":")
    if colon < 0:
        return []
    parts = re.split(r"(?:^|\s)[-–•]\s+(?=\w)", line[colon + 1 :])
    items = [p.strip() for p in parts[1:] if len(p.strip()) > 10]
    return items if len(items) >= 2 else []


def _collect_bullets(doc: Doc, start: int) -> list[str]:
    lines = doc.lines
    asks: list[str] = []
    current: list[str] = []
    numbered_list: bool | None = None
    i = start
    while i < len(lines):
        line = lines[i]
        if not line:
            nxt = next((j for j in range(i + 1, min(len(lines), i + 4)) if lines[j]), None)
            if nxt is None or not _is_bullet(lines[nxt]):
                break
            i = nxt
            continue
        if i in doc.target_lines or END_RE.match(line) or PRIMARY_LABEL_RE.match(line):
            break
        if _is_bullet(line):
            is_num = bool(_NUMBERED_RE.match(line))
            if numbered_list is None:
                numbered_list = is_num
            elif numbered_list != is_num and current:
                break
            if current:
                asks.append(" ".join(current))
            current = [_strip_bullet(line)]
            doc.ask_lines.add(i)
        elif (
            current
            and (not re.search(r"[.;:!?]$", current[-1]) or line[:1].islower())
            and not line.isupper()
        ):
            current.append(line)
            doc.ask_lines.add(i)
        else:
            break
        i += 1
    if current:
        asks.append(" ".join(current))
    return [a for a in asks if len(a) > 3]


def no_further_action(text: str) -> bool:
    return bool(_NO_ACTION_RE.search(text))


def find_request_sentence(doc: Doc, letter_line: int | None) -> tuple[str | None, bool]:
    """The model letter's request sentence, else a call in the summary.

    Returns (sentence, confident)."""
    skip = set(doc.target_lines)
    if doc.background:
        skip.update(range(*doc.background))
    paragraphs = doc.paragraphs(skip)
    letter_first: list[tuple[int, str]] = []
    if letter_line is not None:
        letter_first = [p for p in paragraphs if p[0] >= letter_line]
    for _start, para in letter_first + paragraphs:
        for sentence in split_sentences(para):
            if letter_salutation(sentence) == sentence:
                continue
            if FIRST_PERSON_RE.search(sentence) and not EMAIL_RE.search(sentence):
                return _drop_salutation(sentence), True
    for _start, para in paragraphs:
        for sentence in split_sentences(para):
            if CALL_RE.search(sentence) and not EMAIL_RE.search(sentence) and len(sentence) < 400:
                return _drop_salutation(sentence), False
    return None, False


def _drop_salutation(sentence: str) -> str:
    sal = letter_salutation(sentence)
    if sal and sentence.startswith(sal) and len(sentence) > len(sal) + 10:
        return sentence[len(sal) :].strip()
    return sentence
