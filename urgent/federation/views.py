"""Public endpoints: actor, discovery, context, outbox, objects, and the inbox (POST)."""

from __future__ import annotations

import json
import math
import uuid
from typing import Any

from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET

from urgent.core.client import client_address
from urgent.core.ratelimit import ratelimit_hit, ratelimit_key
from urgent.federation import actor, selectors, services, vocab
from urgent.federation.errors import Refusal
from urgent.federation.inbox import Claims, inbox_read
from urgent.federation.news.actor import news_document, news_url, news_webfinger
from urgent.federation.news.inbox import news_activity_receive, news_inbox_read
from urgent.federation.serialise import urgent_action_from_case

# Requests to the inbox per sending address per minute.
INBOX_PER_MINUTE = 600


def _json(data: Any, *, status: int = 200, content_type: str = vocab.ACTIVITY_JSON) -> HttpResponse:
    body = json.dumps(data, ensure_ascii=False, separators=(",", ":"))
    return HttpResponse(body, status=status, content_type=f"{content_type}; charset=utf-8")


def _error(status: int, code: str, message: str) -> HttpResponse:
    return _json({"code": code, "message": message}, status=status, content_type="application/json")


@require_GET
def actor_view(request: HttpRequest) -> HttpResponse:
    return _json(actor.actor_document())


@require_GET
def context_view(request: HttpRequest) -> HttpResponse:
    response = _json(vocab.CONTEXT, content_type="application/ld+json")
    response["Cache-Control"] = "public, max-age=86400"
    response["Access-Control-Allow-Origin"] = "*"
    return response


@require_GET
def webfinger_view(request: HttpRequest) -> HttpResponse:
    resource = request.GET.get("resource", "")
    if not resource:
        return _error(400, "resource_required", "Ask for ?resource=acct:urgent@<host>.")
    document = actor.webfinger(resource) or news_webfinger(resource)
    if document is None:
        return _error(404, "not_found", f"No such resource here: {resource[:200]}")
    response = _json(document, content_type="application/jrd+json")
    response["Access-Control-Allow-Origin"] = "*"
    return response


@require_GET
def well_known_view(request: HttpRequest) -> HttpResponse:
    return _json(actor.well_known(), content_type="application/json")


@require_GET
def nodeinfo_index_view(request: HttpRequest) -> HttpResponse:
    href = f"{vocab.base_url()}/nodeinfo/2.1"
    schema = "http://nodeinfo.diaspora.software/ns/schema/2.1"
    return _json({"links": [{"rel": schema, "href": href}]}, content_type="application/json")


@require_GET
def nodeinfo_view(request: HttpRequest) -> HttpResponse:
    return _json(actor.nodeinfo(), content_type="application/json")


@require_GET
def outbox_view(request: HttpRequest) -> HttpResponse:
    """An OrderedCollection of public activities, newest first, in pages of 20."""
    base = actor.outbox_url()
    activities = selectors.outbox_activities()
    raw = request.GET.get("page")
    if raw is None:
        total = activities.count()
        pages = max(1, math.ceil(total / selectors.OUTBOX_PAGE_SIZE))
        collection = {
            "@context": vocab.contexts(),
            "id": base,
            "type": "OrderedCollection",
            "totalItems": total,
            "first": f"{base}?page=1",
            "last": f"{base}?page={pages}",
        }
        return _json(collection)
    paginator = Paginator(activities.only("payload"), selectors.OUTBOX_PAGE_SIZE)
    if not raw.isdigit() or not 1 <= int(raw) <= paginator.num_pages:
        return _error(404, "not_found", f"No page {raw[:20]!r}; pages run from 1.")
    page = paginator.page(int(raw))
    items = [{k: v for k, v in a.payload.items() if k != "@context"} for a in page]
    body: dict[str, Any] = {
        "@context": vocab.contexts(),
        "id": f"{base}?page={page.number}",
        "type": "OrderedCollectionPage",
        "partOf": base,
        "orderedItems": items,
    }
    if page.has_next():
        body["next"] = f"{base}?page={page.next_page_number()}"
    if page.has_previous():
        body["prev"] = f"{base}?page={page.previous_page_number()}"
    return _json(body)


@require_GET
def activity_view(request: HttpRequest, activity_uuid: uuid.UUID) -> HttpResponse:
    activity_id = f"{vocab.base_url()}/federation/activities/{activity_uuid}"
    activity = selectors.activity_public_get(activity_id=activity_id)
    if activity is None:
        return _error(404, "not_found", "No such public activity.")
    return _json(activity.payload)


@require_GET
def case_object_view(request: HttpRequest, case_uuid: uuid.UUID) -> HttpResponse:
    case_id = selectors.case_published_id(uuid=str(case_uuid))
    case = selectors.case_for_federation(case_id=case_id) if case_id else None
    if case is None:
        return _error(404, "not_found", "No such published case.")
    document = urgent_action_from_case(case, counts=selectors.case_counts(case=case))
    return _json({"@context": vocab.contexts(), **document})


@csrf_exempt
def inbox_view(request: HttpRequest) -> HttpResponse:
    """POST an activity here, signed (docs/federation.md); 202 when taken."""
    if request.method != "POST":
        response = _error(405, "method_not_allowed", "The inbox only takes POST.")
        response["Allow"] = "POST"
        return response
    claims = Claims()
    address = client_address(request)
    try:
        if not ratelimit_hit(
            key=ratelimit_key("fed-inbox", address), limit=INBOX_PER_MINUTE, window_seconds=60
        ):
            raise Refusal(429, "rate_limited", "Too many requests; wait a minute.")
        received = inbox_read(request, claims)
        services.activity_receive(received=received)
    except Refusal as refusal:
        services.refusal_record(
            refusal=refusal,
            claims=claims,
            remote_addr=address,
            content_type=request.headers.get("Content-Type", ""),
            length=str(request.META.get("CONTENT_LENGTH") or ""),
        )
        return _error(refusal.status, refusal.code, refusal.message)
    return _json(
        {"status": "accepted", "id": received.activity.id},
        status=202,
        content_type="application/json",
    )


@require_GET
def news_actor_view(request: HttpRequest) -> HttpResponse:
    """The news actor, followable from the fediverse as acct:cases@<host>."""
    return _json(news_document())


@require_GET
def news_collection_view(request: HttpRequest, name: str) -> HttpResponse:
    """Its outbox and followers: counted, not listed (who follows is nobody's business)."""
    return _json(
        {
            "@context": vocab.AS_CONTEXT,
            "id": f"{news_url()}/{name}",
            "type": "OrderedCollection",
            "totalItems": 0,
            "orderedItems": [],
        }
    )


@csrf_exempt
def news_inbox_view(request: HttpRequest) -> HttpResponse:
    """A Follow or its Undo from a fediverse account, signed draft-cavage; 202 when taken."""
    if request.method != "POST":
        response = _error(405, "method_not_allowed", "The inbox only takes POST.")
        response["Allow"] = "POST"
        return response
    address = client_address(request)
    try:
        if not ratelimit_hit(
            key=ratelimit_key("fed-news", address), limit=INBOX_PER_MINUTE, window_seconds=60
        ):
            raise Refusal(429, "rate_limited", "Too many requests; wait a minute.")
        done = news_activity_receive(received=news_inbox_read(request))
    except Refusal as refusal:
        return _error(refusal.status, refusal.code, refusal.message)
    return _json({"status": done}, status=202, content_type="application/json")
