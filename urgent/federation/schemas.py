"""The strict parser of what other instances send: JSON in, typed activity out, or a refusal.

Closed vocabularies (kinds of contact point, roles, outcomes, channels) are the models' own
choices, so the protocol and the database cannot disagree.

Our own vocabulary (an urgent action and everything in it) admits no unknown field; the
ActivityStreams envelope ignores properties it does not use (`cc`, `published`, ...). Lengths
are bounded so a valid activity can always be stored.
"""

from __future__ import annotations

import datetime
import json
import re
from typing import Annotated, Any, Literal
from urllib.parse import urlsplit

from pydantic import (
    AfterValidator,
    AwareDatetime,
    BaseModel,
    ConfigDict,
    Field,
    StringConstraints,
    TypeAdapter,
    ValidationError,
    model_validator,
)

from urgent.actions.models import Action
from urgent.cases.models import CaseTarget, Outcome
from urgent.federation import vocab
from urgent.federation.errors import Refusal
from urgent.officials.models import ContactPoint


def _http_url(value: str) -> str:
    parts = urlsplit(value)
    if parts.scheme not in {"http", "https"} or not parts.netloc or parts.username:
        raise ValueError("must be an absolute http(s) URL")
    return value


Url = Annotated[str, StringConstraints(max_length=500), AfterValidator(_http_url)]
Text = Annotated[str, StringConstraints(max_length=100_000)]
Line = Annotated[str, StringConstraints(max_length=300)]
Count = Annotated[int, Field(ge=0)]
Country = Annotated[str, StringConstraints(pattern=r"^[A-Z]{2}$")]
Language = Annotated[str, StringConstraints(pattern=r"^[a-z]{2,3}(-[A-Za-z0-9]{1,8}){0,2}$")]
Slug = Annotated[str, StringConstraints(pattern=r"^[-a-z0-9_]{1,60}$")]


def origin(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}".lower()


def _context(value: Any) -> Any:
    """The ActivityStreams context, then only our own context or the security context."""
    items = value if isinstance(value, list) else [value]
    if not items or items[0] != vocab.AS_CONTEXT:
        raise ValueError(f"must begin with {vocab.AS_CONTEXT}")
    for item in items[1:]:
        if item == vocab.SECURITY_CONTEXT:
            continue
        if not isinstance(item, str) or not item.endswith(vocab.CONTEXT_PATH):
            raise ValueError(
                f"may only add {vocab.SECURITY_CONTEXT} or the sender's {vocab.CONTEXT_PATH}"
            )
        _http_url(item)
    return value


Context = Annotated[str | list[str], AfterValidator(_context)]


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Envelope(BaseModel):
    model_config = ConfigDict(extra="ignore", frozen=True, populate_by_name=True)


class ContactPointIn(Strict):
    type: Literal["ContactPoint"]
    kind: ContactPoint.Kind
    value: Annotated[str, StringConstraints(min_length=1, max_length=1000)]
    label: Annotated[str, StringConstraints(max_length=100)] = ""
    health: ContactPoint.Health = ContactPoint.Health.OK


class OfficialIn(Strict):
    type: Literal["Official"]
    id: Url
    honorific: Annotated[str, StringConstraints(max_length=100)] = ""
    name: Annotated[str, StringConstraints(max_length=200)] = ""
    title: Line = ""
    organisation: Line = ""
    country: Country | Literal[""] = ""
    language: Language | Literal[""] = ""

    @model_validator(mode="after")
    def _named(self) -> OfficialIn:
        if not self.name and not self.title:
            raise ValueError("an official needs a name or a title")
        return self


class TargetIn(Strict):
    type: Literal["Target"]
    role: CaseTarget.Role
    salutation: Annotated[str, StringConstraints(max_length=200)] = ""
    official: OfficialIn
    contactPoints: Annotated[list[ContactPointIn], Field(max_length=50)] = []


class PersonIn(Strict):
    type: Literal["PersonAtRisk"]
    name: Annotated[str, StringConstraints(min_length=1, max_length=200)]
    pronouns: Annotated[str, StringConstraints(max_length=40)] = ""
    visibility: Literal["public", "initials"]


class OutcomeIn(Strict):
    type: Literal["Outcome"]
    kind: Outcome.Kind
    date: datetime.date
    summary: Text = ""


class FurtherInformationIn(Strict):
    type: Literal["FurtherInformation"]
    number: Annotated[int, Field(ge=1, le=999)]
    title: Line
    body: Text
    issued: datetime.date


class CountsIn(Strict):
    type: Literal["Counts"]
    actions: Count
    byChannel: dict[Action.Channel, Count] = {}
    lettersDelivered: Count = 0
    repliesReceived: Count = 0
    supportersReached: Count | None = None


class CountsReportIn(Strict):
    """A follower's daily aggregates for one case it adopted: numbers only."""

    type: Literal["Counts"]
    date: datetime.date
    actions: Count
    byChannel: dict[Action.Channel, Count] = {}
    lettersDelivered: Count = 0
    repliesReceived: Count = 0
    supportersReached: Count = 0


class UrgentActionIn(Strict):
    type: Literal["UrgentAction"]
    id: Url
    url: Url
    attributedTo: Url
    reference: Annotated[str, StringConstraints(min_length=1, max_length=40)]
    headline: Annotated[str, StringConstraints(min_length=1, max_length=300)]
    story: Text = ""
    background: Text = ""
    country: Country
    language: Language
    themes: Annotated[list[Slug], Field(max_length=30)] = []
    persons: Annotated[list[PersonIn], Field(max_length=50)] = []
    asks: Annotated[list[Text], Field(max_length=30)] = []
    targets: Annotated[list[TargetIn], Field(max_length=50)] = []
    issued: datetime.date | None = None
    deadline: datetime.date | None = None
    published: AwareDatetime
    updated: AwareDatetime
    version: Annotated[int, Field(ge=1)]
    status: Literal["active", "closed"]
    stopped: bool
    namesHidden: bool
    outcome: OutcomeIn | None = None
    furtherInformation: Annotated[list[FurtherInformationIn], Field(max_length=200)] = []
    counts: CountsIn

    @model_validator(mode="after")
    def _hidden_means_none(self) -> UrgentActionIn:
        if self.namesHidden and self.persons:
            raise ValueError("a case with its names hidden must not name any person")
        return self


class TombstoneIn(Strict):
    id: Url
    type: Literal["Tombstone"]
    formerType: Literal["UrgentAction"]
    deleted: AwareDatetime | None = None


class PublicKeyIn(Envelope):
    id: Url
    owner: Url
    publicKeyPem: Annotated[str, StringConstraints(max_length=2000)]
    validUntil: AwareDatetime | None = None


class ActorIn(Envelope):
    context: Context | None = Field(default=None, alias="@context")
    id: Url
    type: Literal["Organization", "Service"]
    name: Annotated[str, StringConstraints(max_length=200)] = ""
    inbox: Url
    outbox: Url | None = None
    publicKey: PublicKeyIn
    retiredKeys: Annotated[list[PublicKeyIn], Field(max_length=10)] = []

    @model_validator(mode="after")
    def _one_origin(self) -> ActorIn:
        urls = [self.inbox, self.outbox or self.id, self.publicKey.id, self.publicKey.owner]
        if any(origin(url) != origin(self.id) for url in urls):
            raise ValueError("the inbox, outbox and key must be on the actor's own site")
        if self.publicKey.owner != self.id:
            raise ValueError("publicKey.owner must be the actor")
        return self


class FollowRef(Envelope):
    id: Url
    type: Literal["Follow"]
    actor: Url
    object: Url


class _Activity(Envelope):
    context: Context = Field(alias="@context")
    id: Url
    actor: Url


class FollowIn(_Activity):
    type: Literal["Follow"]
    object: Url


class AcceptIn(_Activity):
    type: Literal["Accept"]
    object: FollowRef


class RejectIn(_Activity):
    type: Literal["Reject"]
    object: FollowRef


class UndoIn(_Activity):
    type: Literal["Undo"]
    object: FollowRef


class CreateIn(_Activity):
    type: Literal["Create"]
    object: UrgentActionIn


class UpdateIn(_Activity):
    type: Literal["Update"]
    object: Annotated[UrgentActionIn | ActorIn, Field(discriminator="type")]


class AnnounceIn(_Activity):
    type: Literal["Announce"]
    object: UrgentActionIn


class DeleteIn(_Activity):
    type: Literal["Delete"]
    object: TombstoneIn


class AddIn(_Activity):
    """Counts for one of the receiver's cases (`target`, the urgent action's id)."""

    type: Literal["Add"]
    object: CountsReportIn
    target: Url


class ContactPointFlagIn(Strict):
    """A contact point said to be dead (or working again): the origin's official, the kind
    and the address. `reports` only in the origin's warning to its other followers."""

    type: Literal["ContactPoint"]
    official: Url
    kind: Literal["email", "fax"]
    value: Annotated[str, StringConstraints(min_length=1, max_length=1000)]
    health: Literal["dead", "ok"]
    reports: Annotated[int, Field(ge=0, le=10_000)] | None = None


class FlagIn(_Activity):
    """A section reports a contact point of the origin's case (`target`) dead, or the origin
    warns its other followers that sections did."""

    type: Literal["Flag"]
    object: ContactPointFlagIn
    target: Url | None = None


ActivityIn = Annotated[
    FollowIn
    | AcceptIn
    | RejectIn
    | UndoIn
    | CreateIn
    | UpdateIn
    | AnnounceIn
    | DeleteIn
    | AddIn
    | FlagIn,
    Field(discriminator="type"),
]
ACTIVITY_TYPES = (
    "Follow",
    "Accept",
    "Reject",
    "Undo",
    "Create",
    "Update",
    "Announce",
    "Delete",
    "Add",
    "Flag",
)
_ACTIVITY = TypeAdapter(ActivityIn)
_ACTOR = TypeAdapter(ActorIn)


def _no_duplicates(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    keys = [k for k, _ in pairs]
    if len(keys) != len(set(keys)):
        raise ValueError("a key appears twice in one object")
    return dict(pairs)


def _no_constant(name: str) -> Any:
    raise ValueError(f"{name} is not JSON")


def json_load(body: bytes) -> Any:
    """Plain JSON: UTF-8, no duplicate keys, no NaN; a Refusal (400) otherwise."""
    try:
        return json.loads(
            body.decode("utf-8"),
            object_pairs_hook=_no_duplicates,
            parse_constant=_no_constant,
        )
    except (UnicodeDecodeError, ValueError, RecursionError) as exc:
        raise Refusal(400, "malformed_json", f"The body is not valid JSON: {exc}") from exc


def _errors(exc: ValidationError) -> str:
    lines = []
    for error in exc.errors()[:5]:
        where = ".".join(str(part) for part in error["loc"]) or "(top)"
        lines.append(f"{where}: {error['msg']}")
    more = len(exc.errors()) - len(lines)
    return "; ".join(lines) + (f"; and {more} more" if more > 0 else "")


def activity_parse(body: bytes) -> tuple[ActivityIn, dict[str, Any]]:
    """The activity in `body` and its JSON, validated; Refusal 400 or 422 otherwise."""
    data = json_load(body)
    if not isinstance(data, dict):
        raise Refusal(422, "invalid_activity", "The body must be a JSON object.")
    if data.get("type") not in ACTIVITY_TYPES:
        raise Refusal(
            422,
            "unsupported_type",
            f"This inbox takes {', '.join(ACTIVITY_TYPES)} activities, "
            f"not {str(data.get('type'))[:40]!r}.",
        )
    try:
        activity = _ACTIVITY.validate_json(body, strict=True)
    except ValidationError as exc:
        raise Refusal(
            422, "invalid_activity", f"The activity is not valid: {_errors(exc)}"
        ) from exc
    return activity, data


def actor_parse(body: bytes) -> ActorIn:
    data = json_load(body)
    if not isinstance(data, dict):
        raise ValueError("an actor document must be a JSON object")
    try:
        return _ACTOR.validate_json(body, strict=True)
    except ValidationError as exc:
        raise ValueError(_errors(exc)) from exc


def ids_on_actor_site(activity: ActivityIn) -> bool:
    """The activity's id (and a created object's id) are on the sender's own site."""
    site = origin(activity.actor)
    ids = [activity.id]
    # An Announce passes on another instance's urgent action: its object may be from elsewhere.
    if isinstance(activity, CreateIn | UpdateIn | DeleteIn):
        ids.append(activity.object.id)
    return all(origin(i) == site for i in ids) and bool(re.match(r"^https?://", site))
