"""Publishing to followers, driven by the cases outbox (the `federation` consumer).

Each lifecycle event of a case (published, Further Information, closed with an outcome,
stopped, resumed) becomes one activity with one delivery per accepted follower, written in
the transaction that marks the event handled: an event is sent once, and a worker that dies
between the two loses nothing (docs/architecture.md, "A lower app is told by rows").
"""

from __future__ import annotations

import logging

from django.db import transaction

from urgent.cases.models import CaseEvent
from urgent.cases.selectors import case_events_pending
from urgent.cases.services import case_event_handled_mark
from urgent.federation.models import Activity
from urgent.federation.selectors import case_for_federation, cases_health_changed
from urgent.federation.services.adopting import copy_resumed_lift
from urgent.federation.services.news import news_case_withdraw, news_event_post
from urgent.federation.services.outbox import case_activity_send

logger = logging.getLogger(__name__)

CONSUMER = "federation"


@transaction.atomic
def case_event_publish(*, event: CaseEvent) -> Activity | None:
    """Send one event's case to every follower; None when handled already or not public."""
    if not case_event_handled_mark(event=event, consumer=CONSUMER):
        return None
    if event.kind == CaseEvent.Kind.RESUMED:
        # A copy stopped by its origin: resuming it lets its held letters leave again.
        copy_resumed_lift(case=event.case)
    if event.kind == CaseEvent.Kind.STOPPED:
        news_case_withdraw(case=event.case)  # whatever became of the case since
    if case_for_federation(case_id=event.case_id) is None:
        return None  # withdrawn to a draft since: drafts never leave
    news_event_post(event=event)
    kind = "Create" if event.kind == CaseEvent.Kind.PUBLISHED else "Update"
    return case_activity_send(case=event.case, kind=kind)


def case_events_publish(*, limit: int = 100) -> int:
    """Handle the events federation has not handled, oldest first; each its own transaction,
    so one that fails is logged, left for the next round, and holds back no other."""
    handled = 0
    for event in case_events_pending(consumer=CONSUMER, limit=limit):
        try:
            activity = case_event_publish(event=event)
        except Exception:
            logger.exception("case event %s not published; tried again next round", event.key)
        else:
            handled += activity is not None
    return handled


def cases_health_publish() -> int:
    """A contact point of a published case found dead (or working again) since followers
    were last sent the case: send it again, so their staff see the warning."""
    sent = 0
    for case in cases_health_changed():
        try:
            case_activity_send(case=case, kind="Update")
        except Exception:
            logger.exception("case %s not sent after a contact point changed", case.pk)
        else:
            sent += 1
    return sent
