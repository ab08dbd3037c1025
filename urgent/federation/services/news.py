"""What the news actor posts to the fediverse accounts following it (one delivery per
server's shared inbox), from the cases outbox's `federation` consumer.

A new case is a post; its Further Information and its outcome answer that post; a resumed
case is posted again. When action on a case stops (a family asks it, a person is at more
risk named), the case's posts not yet sent are cancelled and every post sent is withdrawn
with a `Delete`, so following servers take down what names the person.
"""

from __future__ import annotations

from typing import Any

from urgent.cases.models import Case, CaseEvent
from urgent.core.queue.models import Status
from urgent.federation.models import NewsDelivery, NewsFollower
from urgent.federation.news.actor import delete_build, news_url, note_build
from urgent.federation.news.inbox import news_deliveries_queue

K = CaseEvent.Kind


def _paragraphs(event: CaseEvent) -> list[str] | None:
    """What a post about one event says; None for an event that makes no post."""
    case = event.case
    if event.kind in (K.PUBLISHED, K.RESUMED):
        return [case.headline, case.story]
    if event.kind == K.UPDATE_POSTED and event.update is not None:
        return [f"{case.reference}: {event.update.title}", event.update.body]
    if event.kind == K.CLOSED and event.outcome is not None:
        return [f"{case.reference}: {event.outcome.get_kind_display()}", event.outcome.summary]
    return None


def _post(event: CaseEvent) -> dict[str, Any] | None:
    """The post one event makes: the case's first post, or one that answers it."""
    paragraphs = _paragraphs(event)
    if paragraphs is None:
        return None
    case = event.case
    later = None if event.kind == K.PUBLISHED else f"{news_url()}/notes/{case.uuid}/{event.pk}"
    return note_build(case=case, paragraphs=paragraphs, note_id=later, when=event.created_at)


def news_event_post(*, event: CaseEvent) -> int:
    """Queue the post one event of a public case makes; how many deliveries. (A stop makes
    none: `news_case_withdraw`.) Called in the transaction that marks the event handled,
    so each is queued once."""
    if event.kind == K.RESUMED:
        # What was held since the stop was written before it: the resume posts anew.
        _waiting_cancel(case=event.case, why="cancelled: the case was posted again on resume")
    payload = _post(event)
    inboxes = [f.delivery_inbox for f in NewsFollower.objects.all()]
    if payload is None or not inboxes:
        return 0
    return news_deliveries_queue(payload=payload, inboxes=inboxes, case_key=event.case.hold_key)


def _waiting_cancel(*, case: Case, why: str) -> None:
    NewsDelivery.objects.filter(
        case_key=case.hold_key, status__in=[Status.QUEUED, Status.HELD, Status.DEFERRED]
    ).update(status=Status.CANCELLED, next_attempt_at=None, error=why)


def news_case_withdraw(*, case: Case) -> int:
    """Cancel the case's posts still waiting, and `Delete` each post sent (or being sent)
    at every inbox it went to, followers since gone included; how many Deletes."""
    _waiting_cancel(case=case, why="cancelled: action on the case stopped")
    rows = NewsDelivery.objects.filter(case_key=case.hold_key)
    went: dict[str, list[str]] = {}
    for inbox, payload in rows.filter(status__in=[Status.SENT, Status.SENDING]).values_list(
        "inbox_url", "payload"
    ):
        went.setdefault(str(payload["object"]["id"]), []).append(inbox)
    return sum(
        news_deliveries_queue(payload=delete_build(note_id=note_id), inboxes=inboxes)
        for note_id, inboxes in went.items()
    )
