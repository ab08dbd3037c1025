"""The news actor posts each newly published case to the fediverse accounts following it
(one delivery per server's shared inbox), from the cases outbox's `federation` consumer."""

from __future__ import annotations

from urgent.cases.models import Case
from urgent.federation.models import NewsFollower
from urgent.federation.news.actor import note_build
from urgent.federation.news.inbox import news_deliveries_queue


def news_case_post(*, case: Case) -> int:
    """Queue the case's Note for every following server; how many deliveries."""
    inboxes = [f.delivery_inbox for f in NewsFollower.objects.all()]
    if not inboxes:
        return 0
    return news_deliveries_queue(payload=note_build(case=case), inboxes=inboxes)
