"""Request and response shapes of the JSON API (pydantic models through django-ninja)."""

from __future__ import annotations

import datetime
from typing import Annotated, Literal
from uuid import UUID

import pycountry
from ninja import Schema
from pydantic import AfterValidator, BeforeValidator, Field, StringConstraints, WithJsonSchema
from pydantic.json_schema import SkipJsonSchema

from urgent.cases.models import Outcome, PersonAtRisk
from urgent.core.countries import is_country_code

# Characters no text field may hold: NUL (PostgreSQL refuses it) and the other C0 controls
# except tab and line breaks, which have no business in a case and break CSV and mail.
# They are refused by a pattern, so the OpenAPI document says so too.
_CONTROL = r"\x00-\x08\x0b\x0c\x0e-\x1f\x7f"
TEXT_PATTERN = rf"^[^{_CONTROL}]*$"
FILLED_PATTERN = rf"^[^{_CONTROL}]*[^\s{_CONTROL}][^{_CONTROL}]*$"
COUNTRY_CODES = sorted(c.alpha_2 for c in pycountry.countries)


def text(max_length: int, *, required: bool = False) -> StringConstraints:
    """Text without control characters; `required` text must hold more than white space."""
    return StringConstraints(
        strip_whitespace=True,
        min_length=1 if required else 0,
        max_length=max_length,
        pattern=FILLED_PATTERN if required else TEXT_PATTERN,
    )


def _upper(value: object) -> object:
    return value.upper() if isinstance(value, str) else value


def _country(value: str) -> str:
    if not is_country_code(value):
        raise ValueError("must be an ISO 3166 two-letter country code, such as MX")
    return value


Reference = Annotated[str, text(40, required=True)]
Headline = Annotated[str, text(300, required=True)]
LongText = Annotated[str, text(50_000)]
ShortText = Annotated[str, text(200)]
SearchText = Annotated[str, text(100)]
AskText = Annotated[str, text(2_000, required=True)]
CountryCode = Annotated[
    str,
    BeforeValidator(_upper),
    AfterValidator(_country),
    WithJsonSchema({"type": "string", "enum": COUNTRY_CODES}),
]
LanguageCode = Annotated[str, StringConstraints(pattern=r"^[a-z]{2,3}(-[A-Za-z0-9]{2,4})?$")]
Slug = Annotated[str, StringConstraints(pattern=r"^[-a-zA-Z0-9_]{1,80}$")]


def _date_text(value: object) -> object:
    # Pydantic would read a number as a Unix timestamp; a date here is written YYYY-MM-DD.
    if value is not None and not isinstance(value, str | datetime.date):
        raise ValueError("must be a date written YYYY-MM-DD")
    return value


Day = Annotated[datetime.date, BeforeValidator(_date_text)]

OutcomeKind = Literal[
    "released",
    "charges_dropped",
    "whereabouts_disclosed",
    "access_granted",
    "medical_care",
    "sentence_commuted",
    "transferred",
    "sentenced",
    "executed",
    "died_in_custody",
    "no_change",
    "other",
]
assert set(OutcomeKind.__args__) == set(Outcome.Kind.values)  # type: ignore[attr-defined]
Visibility = Literal["public", "initials", "hidden"]
assert set(Visibility.__args__) == set(PersonAtRisk.Visibility.values)  # type: ignore[attr-defined]
Channel = Literal["email", "mail_app", "post", "fax", "phone", "social"]


class ErrorOut(Schema):
    """Every error: a stable code, a sentence for people, and messages per field."""

    code: str = Field(examples=["invalid"])
    message: str = Field(examples=["Some values are not valid; see fields."])
    fields: dict[str, list[str]] = Field(default_factory=dict)


# ---------------------------------------------------------------------------
# Public reads


class PersonOut(Schema):
    name: str = Field(description="As public pages may show it: full name or initials.")
    pronouns: str


class OfficialOut(Schema):
    uuid: UUID
    honorific: str
    name: str
    title: str
    organisation: str
    country: str


class ContactPointOut(Schema):
    kind: Literal["postal", "email", "fax", "phone", "social"]
    value: str
    label: str
    health: Literal["ok", "bouncing", "suspect", "dead"]


class TargetOut(Schema):
    role: Literal["primary", "copy"]
    salutation: str
    official: OfficialOut
    contact_points: list[ContactPointOut]


class UpdateOut(Schema):
    number: int
    title: str
    body: str
    issued_on: datetime.date
    published_at: datetime.datetime | None


class OutcomeOut(Schema):
    kind: OutcomeKind
    label: str
    positive: bool
    occurred_on: datetime.date
    summary: str
    update_number: int | None


class UpdateRequestOut(Schema):
    email: str
    subject: str


class EndpointOut(Schema):
    method: str
    url: str = Field(description="The endpoint's address; {braces} mark a part to fill in.")
    summary: str


class ApiIndexOut(Schema):
    name: str
    version: str
    docs: str = Field(description="A page to browse and try the API.")
    openapi: str = Field(description="The OpenAPI document describing every endpoint.")
    endpoints: list[EndpointOut] = Field(description="What anyone may read, without a token.")
    staff: str = Field(description="How staff reach drafts and the case lifecycle.")


class CaseSummaryOut(Schema):
    uuid: UUID
    reference: str
    slug: str
    headline: str
    country: str
    country_name: str
    status: Literal["draft", "active", "closed"]
    issued_on: datetime.date | None
    deadline: datetime.date | None
    language: str
    themes: list[str]
    people: list[PersonOut]
    action_count: int
    accepts_action: bool
    published_at: datetime.datetime | None
    url: str
    sheet_url: str


class CaseDetailOut(CaseSummaryOut):
    index_number: str
    story: str
    background: str
    asks: list[str]
    targets: list[TargetOut]
    updates: list[UpdateOut]
    outcomes: list[OutcomeOut]
    update_request: UpdateRequestOut


class CasePageOut(Schema):
    count: int
    limit: int
    offset: int
    next: str | None
    previous: str | None
    items: list[CaseSummaryOut]


class GroupRowOut(Schema):
    key: str
    label: str
    cases: int
    actions: int
    with_outcome: int
    positive: int
    positive_share: float | None = Field(description="Percent of cases with a positive outcome.")


class CountRowOut(Schema):
    key: str
    label: str
    count: int
    confirmed: int | None = None
    positive: bool | None = None


class ImpactOut(Schema):
    year: int | None
    country: str | None
    totals: GroupRowOut
    by_year: list[GroupRowOut]
    by_country: list[GroupRowOut]
    actions_by_channel: list[CountRowOut]
    outcomes_by_kind: list[CountRowOut]


# ---------------------------------------------------------------------------
# Staff


class StaffPersonOut(Schema):
    name: str
    pronouns: str
    visibility: Visibility


class StaffCaseOut(CaseDetailOut):
    version: int = Field(description="Send it back as expected_version when you change the case.")
    actions_stopped: bool
    hide_names: bool
    all_people: list[StaffPersonOut] = Field(description="Everyone, with their real names.")
    created_at: datetime.datetime
    updated_at: datetime.datetime


class StaffOfficialOut(OfficialOut):
    salutation: str
    preferred_language: str
    contact_points: list[ContactPointOut]


class OfficialPageOut(Schema):
    count: int
    limit: int
    offset: int
    next: str | None
    previous: str | None
    items: list[StaffOfficialOut]


class StaffCasePageOut(Schema):
    count: int
    limit: int
    offset: int
    next: str | None
    previous: str | None
    items: list[CaseSummaryOut]


class PersonIn(Schema):
    name: Annotated[str, text(200, required=True)]
    pronouns: Annotated[str, text(40)] = ""
    visibility: Visibility = "public"


class TargetIn(Schema):
    official: UUID = Field(description="An official's id (GET /staff/officials).")
    role: Literal["primary", "copy"] = "primary"
    salutation: Annotated[str, text(200)] = Field(
        "", description="Leave empty to use the official's own salutation."
    )


class CaseIn(Schema):
    reference: Reference = Field(examples=["UA 118/26"])
    headline: Headline
    country: CountryCode = Field(examples=["MX"])
    story: LongText = ""
    background: LongText = ""
    index_number: Annotated[str, text(60)] = ""
    issued_on: Day | None = None
    deadline: Day | None = None
    language: LanguageCode = "en"
    update_request_subject: ShortText = ""
    people: list[PersonIn] = Field(default_factory=list, max_length=50)
    asks: list[AskText] = Field(default_factory=list, max_length=30)
    themes: list[Slug] = Field(default_factory=list, max_length=20)
    targets: list[TargetIn] = Field(default_factory=list, max_length=30)


class CasePatchIn(Schema):
    """Send only the fields to change. A text field cannot be null: send "" to empty it."""

    expected_version: int = Field(
        ge=1, le=2**31 - 1, description="The version you read; a newer one means a conflict."
    )
    reference: Reference | SkipJsonSchema[None] = None
    headline: Headline | SkipJsonSchema[None] = None
    country: CountryCode | SkipJsonSchema[None] = None
    story: LongText | SkipJsonSchema[None] = None
    background: LongText | SkipJsonSchema[None] = None
    index_number: Annotated[str, text(60)] | SkipJsonSchema[None] = None
    issued_on: Day | None = None
    deadline: Day | None = None
    language: LanguageCode | SkipJsonSchema[None] = None
    update_request_subject: ShortText | SkipJsonSchema[None] = None
    people: Annotated[list[PersonIn], Field(max_length=50)] | SkipJsonSchema[None] = Field(
        None, description="Replaces the people."
    )
    asks: Annotated[list[AskText], Field(max_length=30)] | SkipJsonSchema[None] = Field(
        None, description="Replaces the asks."
    )


class UpdateIn(Schema):
    title: Annotated[str, text(300)] = Field(
        "", description="Defaults to “Further information on …”."
    )
    body: Annotated[str, text(50_000, required=True)]
    issued_on: Day | None = None
    asks: Annotated[list[AskText], Field(max_length=30)] | None = Field(
        None, description="Replaces the asks when given."
    )
    status: Literal["active"] | None = Field(
        None,
        description="“active” reopens a closed case (needs the publish permission). "
        "To close a case, use /close: closing needs an outcome.",
    )


class CloseIn(Schema):
    kind: OutcomeKind
    occurred_on: Day
    summary: Annotated[str, text(5_000)] = ""
    update_number: int | None = Field(
        None, ge=1, le=32767, description="The Further Information that told the outcome."
    )


class ActionOut(Schema):
    uuid: UUID
    channel: Channel
    confirmed: bool
    language: str
    created_at: datetime.datetime
    officials: list[UUID]


class ActionPageOut(Schema):
    count: int
    limit: int
    offset: int
    next: str | None
    previous: str | None
    items: list[ActionOut]


class DayCountOut(Schema):
    day: datetime.date
    count: int


class CaseStatsOut(Schema):
    case: UUID
    actions: int
    actions_by_channel: list[CountRowOut]
    actions_by_day: list[DayCountOut]
    deliveries_by_status: list[CountRowOut]
    official_replies: int


class StatsOut(ImpactOut):
    drafts: int
    deliveries_by_status: list[CountRowOut]
