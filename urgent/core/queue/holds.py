"""Holds: keys that stop rows from being claimed, set and lifted by the app that decides."""

from __future__ import annotations

from collections.abc import Iterable

from django.db.models import Q

from urgent.core.queue.models import QueueHold


def queue_hold_set(*, key: str, reason: str = "") -> bool:
    """Hold every row under `key`; True when the hold is new.

    Call it inside the transaction that makes the decision (a case stopped): the next
    claim, in any worker, sees it as soon as that transaction commits.
    """
    _hold, created = QueueHold.objects.get_or_create(key=key, defaults={"reason": reason})
    return created


def queue_hold_lift(*, key: str) -> bool:
    """Lift a hold; True when there was one. The sweeps wake workers for what is due."""
    deleted, _rows = QueueHold.objects.filter(key=key).delete()
    return bool(deleted)


def holds_reason(keys: Iterable[str]) -> str:
    """The reason of the first hold among `keys`, "" when none is held (one query)."""
    keys = [k for k in keys if k]
    if not keys:
        return ""
    found = QueueHold.objects.filter(key__in=keys).values_list("key", "reason").first()
    if found is None:
        return ""
    return found[1] or f"held ({found[0]})"


def held_rows(*, prefix: str, lookup: str) -> Q:
    """Rows whose `lookup` value is held as `<prefix><value>` (one query; none: no row)."""
    values = [
        key.removeprefix(prefix)
        for key in QueueHold.objects.filter(key__startswith=prefix).values_list("key", flat=True)
    ]
    return Q(**{f"{lookup}__in": values}) if values else Q(pk__in=[])
