"""The news actor's inbox: a Follow (or its Undo) from a fediverse account, signed the way
Mastodon signs (draft-cavage, RSA). Anything else is answered 202 and dropped: this actor
reads nothing but who follows it."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any
from urllib.parse import urldefrag

from django.db import transaction
from django.http import HttpRequest
from django.utils import timezone
from django.utils.http import parse_header_parameters
from pydantic import BaseModel, ConfigDict, ValidationError

from urgent.federation import net, vocab
from urgent.federation.errors import Refusal, RemoteError
from urgent.federation.models import NewsDelivery, NewsFollower
from urgent.federation.news.actor import accept_build, news_key_id, news_url
from urgent.federation.news.cavage import (
    SignatureError,
    request_sign,
    request_verify,
    signature_claim,
)
from urgent.federation.schemas import Url, json_load, origin
from urgent.federation.tasks import deliveries_drain

MAX_BYTES = 256 * 1024
ACTOR_MAX_BYTES = 64 * 1024


class _Loose(BaseModel):
    model_config = ConfigDict(extra="ignore", frozen=True)


class _Key(_Loose):
    id: Url
    owner: Url
    publicKeyPem: str


class _Endpoints(_Loose):
    sharedInbox: Url | None = None


class FediverseActor(_Loose):
    """What the news actor needs of a follower: where to post, and the key it signs with."""

    id: Url
    inbox: Url
    endpoints: _Endpoints = _Endpoints()
    publicKey: _Key


def _media_type(request: HttpRequest) -> None:
    media, params = parse_header_parameters(request.headers.get("Content-Type", ""))
    if media == vocab.ACTIVITY_JSON or (
        media == "application/ld+json" and vocab.AS_CONTEXT in params.get("profile", "")
    ):
        return
    raise Refusal(
        415, "unsupported_media_type", f"Send activities as {vocab.ACTIVITY_JSON}, not {media}."
    )


def _body(request: HttpRequest) -> bytes:
    raw = request.META.get("CONTENT_LENGTH") or ""
    if not raw.isdigit():
        raise Refusal(411, "length_required", "Send a Content-Length header with the activity.")
    if int(raw) > MAX_BYTES:
        raise Refusal(413, "too_large", f"An activity here may be at most {MAX_BYTES} bytes.")
    return request.read(MAX_BYTES + 1)[:MAX_BYTES]


def actor_fetch(url: str) -> FediverseActor:
    """Fetch a fediverse actor (signed, for servers that require it) and check its key."""
    headers = request_sign(
        method="GET",
        url=url,
        headers={"Accept": vocab.ACTIVITY_JSON, "User-Agent": net.USER_AGENT},
        body=None,
        key_id=news_key_id(),
    )
    response = net.http_request(
        method="GET", url=url, body=None, headers=headers, max_bytes=ACTOR_MAX_BYTES
    )
    if response.status != 200:
        raise RemoteError(f"{url} answered with status {response.status}.", code="bad_answer")
    try:
        found = FediverseActor.model_validate_json(response.body)
    except ValidationError as exc:
        raise RemoteError(f"{url} is not an actor document.", code="bad_answer") from exc
    if found.id != url or found.publicKey.owner != url or origin(found.inbox) != origin(url):
        raise RemoteError(f"{url} does not describe itself and its key.", code="bad_answer")
    return found


@dataclass(frozen=True)
class NewsReceived:
    activity: dict[str, Any]
    actor: FediverseActor


def news_inbox_read(request: HttpRequest) -> NewsReceived:
    """The verified activity in this request, or the Refusal that says why not."""
    _media_type(request)
    body = _body(request)
    try:
        claim = signature_claim(request.headers)
    except SignatureError as exc:
        raise Refusal(401, "unsigned", str(exc)) from exc
    actor_url = urldefrag(claim.key_id).url
    try:
        actor = actor_fetch(net.url_check(actor_url))
    except RemoteError as exc:
        raise Refusal(401, "unknown_actor", f"The signer cannot be used: {exc.message}") from exc
    if actor.publicKey.id != claim.key_id:
        raise Refusal(401, "unknown_actor", f"{actor_url} does not publish {claim.key_id}.")
    try:
        request_verify(
            claim=claim,
            method=request.method or "POST",
            path=request.get_full_path(),
            headers={**request.headers, "Host": request.get_host()},
            body=body,
            public_pem=actor.publicKey.publicKeyPem,
        )
    except SignatureError as exc:
        raise Refusal(401, "bad_signature", str(exc)) from exc
    data = json_load(body)
    if not isinstance(data, dict) or data.get("actor") != actor.id:
        raise Refusal(403, "actor_mismatch", "The activity's actor must be the signer.")
    return NewsReceived(activity=data, actor=actor)


def _follow_ref(activity: dict[str, Any], actor: FediverseActor) -> dict[str, Any]:
    follow_id = activity.get("id")
    if not isinstance(follow_id, str) or origin(follow_id) != origin(actor.id):
        raise Refusal(422, "invalid_activity", "A Follow needs an id on its actor's site.")
    if activity.get("object") != news_url():
        raise Refusal(422, "not_for_us", f"This inbox takes Follows of {news_url()} only.")
    return {"id": follow_id, "type": "Follow", "actor": actor.id, "object": news_url()}


def _shared_inbox(actor: FediverseActor) -> str:
    """The server's shared inbox, when it is on the actor's own server."""
    shared = actor.endpoints.sharedInbox or ""
    return shared if shared and origin(shared) == origin(actor.id) else ""


@transaction.atomic
def news_activity_receive(*, received: NewsReceived) -> str:
    """Follow: kept and accepted at once (a public, read-only actor). Undo of a Follow: gone.
    Anything else: dropped. Returns what was done."""
    activity, actor = received.activity, received.actor
    kind = activity.get("type")
    inner = activity.get("object")
    if kind == "Follow":
        follow = _follow_ref(activity, actor)
        NewsFollower.objects.update_or_create(
            actor_url=actor.id,
            defaults={
                "inbox_url": actor.inbox,
                "shared_inbox_url": _shared_inbox(actor),
                "follow_id": follow["id"],
            },
        )
        news_deliveries_queue(payload=accept_build(follow=follow), inboxes=[actor.inbox])
        return "followed"
    if kind == "Undo" and isinstance(inner, dict) and inner.get("type") == "Follow":
        NewsFollower.objects.filter(actor_url=actor.id).delete()
        return "unfollowed"
    return "ignored"


def news_deliveries_queue(
    *, payload: dict[str, Any], inboxes: list[str], case_key: str = ""
) -> int:
    """One delivery row per inbox, in the caller's transaction; a worker is woken on commit.
    `case_key` names the case a post is about, so that a stop can withdraw it."""
    now = timezone.now()
    rows = NewsDelivery.objects.bulk_create(
        NewsDelivery(inbox_url=inbox, payload=payload, next_attempt_at=now, case_key=case_key)
        for inbox in dict.fromkeys(inboxes)
    )
    if rows:
        transaction.on_commit(lambda: deliveries_drain.enqueue())
    return len(rows)
