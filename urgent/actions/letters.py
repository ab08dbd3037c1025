"""The model letter: the target's salutation, the case's asks and a closing, in a language.

Pure functions over already-loaded case data, so the case page, the PDF renderer and the
benchmarks share one composer and none of them runs a query here.
"""

from __future__ import annotations

import html
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

import nh3

from urgent.core.countries import country_name

# The letter's frame in each language we write letters in. Officials read these, so they are
# written for the official's eyes, in each language's formal register.
FRAMES: dict[str, dict[str, str]] = {
    "en": {
        "salutation": "Dear Sir or Madam,",
        "subject": "Concerning {names}",
        "subject_anon": "Concerning the case {reference}",
        "intro": "I am writing to you about {names}.",
        "anon": "the person at the centre of this case",
        "asks": "I respectfully urge you to:",
        "closing": "Yours sincerely,",
    },
    "fr": {
        "salutation": "Madame, Monsieur,",
        "subject": "Au sujet de {names}",
        "subject_anon": "Au sujet du cas {reference}",
        "intro": "Je vous écris au sujet de {names}.",
        "anon": "la personne au cœur de cette affaire",
        "asks": "Je vous prie respectueusement de :",
        "closing": (
            "Je vous prie d’agréer, Madame, Monsieur, l’expression de ma haute considération."
        ),
    },
    "es": {
        "salutation": "Estimado/a señor/a:",
        "subject": "En relación con {names}",
        "subject_anon": "En relación con el caso {reference}",
        "intro": "Le escribo en relación con {names}.",
        "anon": "la persona en el centro de este caso",
        "asks": "Le pido respetuosamente que:",
        "closing": "Atentamente,",
    },
    "de": {
        "salutation": "Sehr geehrte Damen und Herren,",
        "subject": "Betreff: {names}",
        "subject_anon": "Betreff: Fall {reference}",
        "intro": "ich wende mich an Sie wegen {names}.",
        "anon": "der Person, um die es in diesem Fall geht",
        "asks": "Ich bitte Sie eindringlich:",
        "closing": "Mit freundlichen Grüßen",
    },
}

LANGUAGE_NAMES = {"en": "English", "fr": "Français", "es": "Español", "de": "Deutsch"}

_LIST_JOIN = {"en": " and ", "fr": " et ", "es": " y ", "de": " und "}
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


@dataclass(frozen=True)
class Signature:
    name: str = ""
    city: str = ""
    country: str = ""
    initials_only: bool = False

    def lines(self, language: str) -> list[str]:
        name = initials(self.name) if self.initials_only else self.name.strip()
        place = ", ".join(p for p in (self.city.strip(), country_name(self.country, language)) if p)
        return [line for line in (name, place) if line]

    @property
    def signed_as(self) -> str:
        return initials(self.name) if self.initials_only else self.name.strip()


@dataclass(frozen=True)
class LetterSource:
    """What the composer needs from a case, in one language."""

    reference: str
    headline: str
    names: Sequence[str]
    asks: Sequence[str]
    salutations: Sequence[str] = field(default_factory=tuple)


@dataclass(frozen=True)
class Letter:
    subject: str
    body: str
    language: str


def signers_mask(text: str, signers: Iterable[str], *, mask: str) -> str:
    """`text` with every name, place and signature in `signers` replaced by `mask`.

    Longest first, so "Ana Writer" is hidden whole rather than leaving "Writer" behind;
    single letters are left, they name nobody and would shred the text.
    """
    words = sorted({s.strip() for s in signers if len(s.strip()) >= 2}, key=len, reverse=True)
    if not words:
        return text
    return re.sub("|".join(re.escape(w) for w in words), mask, text, flags=re.IGNORECASE)


def initials(name: str) -> str:
    return " ".join(f"{part[0].upper()}." for part in name.split() if part and part[0].isalpha())


def frame_language(language: str) -> str:
    short = (language or "en").split("-")[0].lower()
    return short if short in FRAMES else "en"


def _names(names: Sequence[str], language: str) -> str:
    names = [n for n in names if n]
    if not names:
        return FRAMES[language]["anon"]
    if len(names) == 1:
        return names[0]
    return ", ".join(names[:-1]) + _LIST_JOIN[language] + names[-1]


def letter_compose(
    *, source: LetterSource, language: str, personal: str = "", signature: Signature | None = None
) -> Letter:
    """The model letter. `personal` (one sentence about the writer) follows the first line."""
    lang = frame_language(language)
    frame = FRAMES[lang]
    names = [n for n in source.names if n]
    subject = (
        frame["subject"].format(names=_names(names, lang))
        if names
        else frame["subject_anon"].format(reference=source.reference)
    )
    salutation = next((s for s in source.salutations if s), frame["salutation"])
    parts = [salutation, frame["intro"].format(names=_names(names, lang))]
    if personal.strip():
        parts.append(personal.strip())
    if source.asks:
        parts.append(frame["asks"] + "\n" + "\n".join(f"– {ask}" for ask in source.asks))
    parts.append(frame["closing"])
    body = "\n\n".join(parts)
    if signature is not None:
        body = letter_sign(body=body, signature=signature, language=lang)
    return Letter(subject=subject[:200], body=body, language=lang)


def letter_sign(*, body: str, signature: Signature, language: str) -> str:
    lines = signature.lines(language)
    return body.rstrip() + ("\n" + "\n".join(lines) if lines else "")


def letter_for_official(*, body: str, default_salutation: str, salutation: str) -> str:
    """The same letter opened with another official's salutation, when it opens with ours."""
    if salutation and default_salutation and body.startswith(default_salutation):
        return salutation + body[len(default_salutation) :]
    return body


def text_clean(value: str, *, multiline: bool = True) -> str:
    """Plain text from what a person typed or pasted: no HTML, no control characters.

    Line breaks survive only where `multiline` allows them; a name or subject never carries
    CR or LF, so it can never start a new mail header.
    """
    cleaned = html.unescape(nh3.clean(value, tags=set(), attributes={}))
    cleaned = cleaned.replace("\r\n", "\n").replace("\r", "\n")
    cleaned = _CONTROL.sub("", cleaned)
    if not multiline:
        return " ".join(cleaned.split())
    lines = [line.rstrip() for line in cleaned.split("\n")]
    return re.sub(r"\n{3,}", "\n\n", "\n".join(lines)).strip()
