"""The typed record a parsed case sheet becomes.

`CaseSheet.to_json_dict()` emits exactly the keys of the corpus schema
(shared/corpus/README.md) followed by the parser's own extras (`headline`, `story`,
`background`, `themes`, `confidence`, `missing`, `uncertain`, and each target's `dial`: the
E.164 form of every printed phone and fax number); the scorer reads only the schema keys, so
the extras travel alongside without affecting it.

`title` is the headline as printed; `headline` is the same cleaned for a case page (no
leading "COUNTRY:", sentence case). `confidence` gives each schema field found a number
between 0 and 1; the fields below `UNSURE_BELOW` are listed in `uncertain`, those not found
in `missing`. `themes` are always suggestions: the parser guesses them from words, and
`suggested` says so.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Literal

from urgent.cases.themes import THEME_NAMES

Kind = Literal["initial", "update", "other_org"]
Gender = Literal["m", "f", "x"]
Role = Literal["primary", "copy"]

UNSURE_BELOW = 0.6

SCHEMA_FIELDS: tuple[str, ...] = (
    "kind",
    "language",
    "ua_number",
    "index_number",
    "title",
    "country",
    "date_issued",
    "deadline",
    "persons",
    "asks",
    "targets",
    "update_request",
)

# The themes a sheet can be tagged with: the one theme table, in cases.
THEMES: tuple[str, ...] = tuple(THEME_NAMES)


@dataclass
class Person:
    name: str
    gender: Gender | None = None

    def to_json_dict(self) -> dict[str, Any]:
        return {"name": self.name, "gender": self.gender}


@dataclass
class Target:
    role: Role = "primary"
    honorific: str | None = None
    name: str | None = None
    title: str | None = None
    address_lines: list[str] = field(default_factory=list)
    emails: list[str] = field(default_factory=list)
    faxes: list[str] = field(default_factory=list)
    phones: list[str] = field(default_factory=list)
    social: list[str] = field(default_factory=list)
    salutation: str | None = None
    # printed number -> E.164 ("1-202-588-1500" -> "+12025881500"), for tel: and fax links
    # that work from any country; the printed form stays what is shown
    dial: dict[str, str] = field(default_factory=dict)

    def is_empty(self) -> bool:
        return not (
            self.name
            or self.title
            or self.address_lines
            or self.emails
            or self.faxes
            or self.phones
            or self.social
            or self.salutation
        )

    def to_json_dict(self) -> dict[str, Any]:
        return {
            "role": self.role,
            "honorific": self.honorific,
            "name": self.name,
            "title": self.title,
            "address_lines": list(self.address_lines),
            "emails": list(self.emails),
            "faxes": list(self.faxes),
            "phones": list(self.phones),
            "social": list(self.social),
            "salutation": self.salutation,
            "dial": dict(self.dial),
        }


@dataclass
class UpdateRequest:
    email: str | None = None
    subject: str | None = None

    def to_json_dict(self) -> dict[str, Any]:
        return {"email": self.email, "subject": self.subject}


@dataclass
class CaseSheet:
    kind: Kind = "initial"
    language: str | None = None
    ua_number: str | None = None
    index_number: str | None = None
    title: str | None = None
    country: str | None = None
    date_issued: str | None = None
    deadline: str | None = None
    persons: list[Person] = field(default_factory=list)
    asks: list[str] = field(default_factory=list)
    targets: list[Target] = field(default_factory=list)
    update_request: UpdateRequest | None = None
    headline: str | None = None
    story: str | None = None
    background: str | None = None
    themes: list[str] = field(default_factory=list)
    confidence: dict[str, float] = field(default_factory=dict)
    missing: list[str] = field(default_factory=list)
    uncertain: list[str] = field(default_factory=list)

    def to_json_dict(self) -> dict[str, Any]:
        return {
            "kind": self.kind,
            "language": self.language,
            "ua_number": self.ua_number,
            "index_number": self.index_number,
            "title": self.title,
            "country": self.country,
            "date_issued": self.date_issued,
            "deadline": self.deadline,
            "persons": [p.to_json_dict() for p in self.persons],
            "asks": list(self.asks),
            "targets": [t.to_json_dict() for t in self.targets],
            "update_request": self.update_request.to_json_dict() if self.update_request else None,
            "headline": self.headline,
            "story": self.story,
            "background": self.background,
            "themes": list(self.themes),
            # fields whose values are guesses from the words of the text, to be confirmed
            "suggested": ["themes"] if self.themes else [],
            "confidence": dict(self.confidence),
            "missing": list(self.missing),
            "uncertain": list(self.uncertain),
        }
