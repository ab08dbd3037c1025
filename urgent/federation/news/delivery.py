"""Sending the news actor's activities (Accept, Create of a Note) on the queue engine: one
POST per inbox, signed draft-cavage with the news actor's RSA key, on the one retry
schedule. A fediverse server that never answers is given up on with its row."""

from __future__ import annotations

import datetime
import json
from collections.abc import Sequence

from urgent.core.queue import (
    Outcome,
    Queue,
    Report,
    RowHold,
    queue_due_exist,
    queue_reclaim,
    queue_work,
)
from urgent.federation import net, vocab
from urgent.federation.errors import RemoteError
from urgent.federation.models import NewsDelivery
from urgent.federation.news.actor import news_key_id
from urgent.federation.news.cavage import request_sign

# A post about a case waits while the case's stop switch holds it (`case_key` is the hold key).
QUEUE = Queue(
    model=NewsDelivery,
    lease=datetime.timedelta(seconds=60),
    row_hold=RowHold(prefix="", lookup="case_key"),
)
PERMANENT = frozenset({400, 401, 403, 404, 410, 413, 415, 422})


def news_deliver(delivery: NewsDelivery) -> tuple[Outcome, int | None]:
    body = json.dumps(delivery.payload, ensure_ascii=False, separators=(",", ":")).encode()
    headers = request_sign(
        method="POST",
        url=delivery.inbox_url,
        headers={
            "Content-Type": vocab.ACTIVITY_JSON,
            "Accept": "application/json",
            "User-Agent": net.USER_AGENT,
        },
        body=body,
        key_id=news_key_id(),
    )
    try:
        response = net.http_request(
            method="POST", url=delivery.inbox_url, body=body, headers=headers, max_bytes=16 * 1024
        )
    except RemoteError as exc:
        return Outcome.temporary(exc.message[:500]), None
    if 200 <= response.status < 300:
        return Outcome.sent(), response.status
    error = f"status {response.status}: {response.body[:300].decode('utf-8', 'replace')}"
    if response.status in PERMANENT:
        return Outcome.failed(error[:500]), response.status
    return Outcome.temporary(error[:500]), response.status


def _load(ids: list[int]) -> Sequence[NewsDelivery]:
    return list(NewsDelivery.objects.filter(pk__in=ids))


def _send(delivery: NewsDelivery) -> Outcome:
    outcome, status = news_deliver(delivery)
    NewsDelivery.objects.filter(pk=delivery.pk).update(last_status=status)
    return outcome


def news_deliveries_run(*, limit: int = 50) -> int:
    report: Report = queue_work(QUEUE, load=_load, send=_send, limit=limit)
    return report.handled


def news_deliveries_reclaim(*, now: datetime.datetime | None = None) -> int:
    return queue_reclaim(QUEUE, now=now)


def news_deliveries_due() -> bool:
    return queue_due_exist(QUEUE)
