"""The cases outbox: lifecycle changes as rows, and consumers marking them handled.

A lifecycle service calls `case_event_record` inside its own transaction, so the change and
its event commit together or not at all. After the commit the workers are only woken;
what follows (mail to supporters, activities to other instances) is derived from the rows
by the consumers above cases, each on its own schedule (docs/architecture.md, "A lower
app is told by rows, not calls").
"""

from __future__ import annotations

from typing import Any

from django.db import IntegrityError, transaction

from urgent.cases.models import Case, CaseEvent, CaseEventHandled, Outcome, Update
from urgent.core.sweeps import sweeps_wake


def case_event_record(
    *,
    case: Case,
    kind: str,
    key: str,
    update: Update | None = None,
    outcome: Outcome | None = None,
    data: dict[str, Any] | None = None,
) -> CaseEvent:
    """Write one event; must run inside the transaction that made the change."""
    connection = transaction.get_connection()
    if not connection.in_atomic_block:
        raise RuntimeError("case_event_record must run inside the change's own transaction")
    event = CaseEvent.objects.create(
        case=case,
        kind=kind,
        key=key,
        update=update,
        outcome=outcome,
        case_version=case.version,
        data=data or {},
    )
    # Only a wake-up: if it is lost, the next sweep finds the event all the same.
    transaction.on_commit(sweeps_wake)
    return event


def case_event_handled_mark(*, event: CaseEvent, consumer: str) -> bool:
    """Claim an event for one consumer; False when it was already handled (or is being).

    Call it first in the consumer's transaction: on PostgreSQL a second worker inserting
    the same pair waits for the first to commit and is then refused, so what the consumer
    does next runs once. Rolling back the transaction un-marks the event.
    """
    try:
        with transaction.atomic():
            CaseEventHandled.objects.create(event=event, consumer=consumer)
    except IntegrityError:
        return False
    return True
