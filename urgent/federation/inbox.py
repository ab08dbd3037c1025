"""Reading a request to the inbox: every check, in order, before anything is stored.

Media type (415), length (411/413, refused from the header before the body is read),
signature present (401), created within the window (401), signer known and key pinned
(401; a Follow from a new instance fetches its actor document), signature valid (401),
body matching its digest (400), JSON (400), activity valid (422), actor is the signer
(403), ids on the signer's site (422), id not seen before (409).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urldefrag, urlsplit

from django.http import HttpRequest
from django.utils.http import parse_header_parameters

from urgent.federation import remote, vocab
from urgent.federation.errors import Refusal, RemoteError
from urgent.federation.models import Instance
from urgent.federation.remote import RemoteActor, public_key_load
from urgent.federation.schemas import ActivityIn, activity_parse, ids_on_actor_site, json_load
from urgent.federation.selectors import activity_seen, instance_key_valid
from urgent.federation.signing import signature_claim, signature_fresh, signature_verify

MAX_BYTES = 1024 * 1024


@dataclass
class Claims:
    """What a request said about itself, kept for the refusal log (never its body)."""

    key_id: str = ""
    activity_id: str = ""
    activity_type: str = ""
    body: bytes = field(default=b"", repr=False)

    def peek(self) -> None:
        """Best effort: the id and type the body claims, unverified, for the log."""
        try:
            data = json_load(self.body) if self.body else None
        except Refusal:
            return
        if isinstance(data, dict):
            self.activity_id = str(data.get("id", ""))[:500]
            self.activity_type = str(data.get("type", ""))[:40]


@dataclass(frozen=True)
class Received:
    activity: ActivityIn
    payload: dict[str, Any]
    actor_url: str
    instance: Instance | None
    first_contact: RemoteActor | None


def _media_type(request: HttpRequest) -> None:
    media, params = parse_header_parameters(request.headers.get("Content-Type", ""))
    if media == vocab.ACTIVITY_JSON:
        return
    if media == "application/ld+json" and vocab.AS_CONTEXT in params.get("profile", "").split():
        return
    raise Refusal(
        415,
        "unsupported_media_type",
        f"Send activities as {vocab.ACTIVITY_JSON} (or {vocab.LD_JSON_PROFILE}), "
        f"not {media or 'no type'}.",
    )


def _body(request: HttpRequest) -> bytes:
    raw = request.META.get("CONTENT_LENGTH") or ""
    if not raw.isdigit():
        raise Refusal(411, "length_required", "Send a Content-Length header with the activity.")
    if int(raw) > MAX_BYTES:
        raise Refusal(
            413, "too_large", f"An activity may be at most {MAX_BYTES} bytes; this one is {raw}."
        )
    data = request.read(MAX_BYTES + 1)
    if len(data) > MAX_BYTES:
        raise Refusal(413, "too_large", f"An activity may be at most {MAX_BYTES} bytes.")
    return data


def target_uri(request: HttpRequest) -> str:
    """The URL the sender signed: this instance's public address, not the proxy's view."""
    parts = urlsplit(vocab.base_url())
    return f"{parts.scheme}://{parts.netloc}{request.get_full_path()}"


def _first_contact(actor_url: str, key_id: str, claims: Claims) -> RemoteActor:
    claims.peek()
    if claims.activity_type != "Follow":
        raise Refusal(
            401,
            "unknown_actor",
            f"{actor_url} is not an instance this one knows; a new instance may only send "
            "a Follow.",
        )
    try:
        actor = remote.actor_fetch(actor_url)
    except RemoteError as exc:
        raise Refusal(
            401, "unknown_actor", f"The actor document of {actor_url} cannot be used: {exc}"
        ) from exc
    if actor.key.key_id != key_id:
        raise Refusal(
            401,
            "unknown_actor",
            f"The request is signed with {key_id}, but {actor_url} publishes {actor.key.key_id}.",
        )
    return actor


def inbox_read(request: HttpRequest, claims: Claims) -> Received:
    """The verified activity in this request, or the Refusal that says why not."""
    _media_type(request)
    body = claims.body = _body(request)
    claim = signature_claim(request.headers)
    claims.key_id = claim.key_id[:500]
    signature_fresh(claim)
    actor_url = urldefrag(claim.key_id).url
    instance, pinned = instance_key_valid(actor_url=actor_url, key_id=claim.key_id)
    first_contact = None
    if instance is None:
        first_contact = _first_contact(actor_url, claim.key_id, claims)
        public_key = first_contact.key.public_key
    elif pinned is None:
        raise Refusal(
            401,
            "key_changed",
            f"{claim.key_id} is not the key pinned here for {instance}. A new key is accepted "
            "when announced in an Update signed with the old key, or when staff here accept "
            "its fingerprint.",
        )
    else:
        public_key = public_key_load(pinned.public_key_pem)
    signature_verify(
        method=request.method or "POST",
        url=target_uri(request),
        headers=request.headers,
        body=body,
        key_id=claim.key_id,
        public_key=public_key,
    )
    activity, payload = activity_parse(body)
    claims.activity_id, claims.activity_type = activity.id, activity.type
    if activity.actor != actor_url:
        raise Refusal(
            403, "actor_mismatch", f"The activity's actor is {activity.actor}, not the signer."
        )
    if not ids_on_actor_site(activity):
        raise Refusal(
            422, "foreign_id", "The activity's id and its object's id must be on its actor's site."
        )
    if activity_seen(activity_id=activity.id):
        raise Refusal(409, "replayed", f"The activity {activity.id} was received before.")
    return Received(activity, payload, actor_url, instance, first_contact)
