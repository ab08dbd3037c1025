"""Activities this instance sends: one Activity row and one Delivery row per instance,
written in the transaction of the change that causes them; a worker is woken on commit."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from django.db import transaction
from django.utils import timezone

from urgent.cases.models import Case
from urgent.core.audit import audit_record
from urgent.core.errors import ApplicationError
from urgent.federation import activities, keys
from urgent.federation.actor import actor_document
from urgent.federation.models import Activity, Delivery, Instance
from urgent.federation.selectors import (
    case_counts,
    case_for_federation,
    instances_followers,
    instances_related,
)
from urgent.federation.serialise import urgent_action_from_case
from urgent.federation.tasks import deliveries_drain


def payload_object_id(payload: dict[str, Any]) -> str:
    obj = payload.get("object")
    value = obj.get("id", "") if isinstance(obj, dict) else obj
    return str(value or "")[:500]


def activity_send(
    payload: dict[str, Any],
    *,
    instances: Sequence[Instance],
    public: bool = False,
    case: Case | None = None,
    key_id: str = "",
) -> Activity:
    """Store an outgoing activity and one delivery per instance; wake a worker on commit."""
    activity = Activity.objects.create(
        activity_id=payload["id"],
        direction=Activity.Direction.OUT,
        kind=payload["type"],
        instance=instances[0] if len(instances) == 1 and not public else None,
        case=case,
        object_id=payload_object_id(payload),
        public=public,
        payload=payload,
    )
    now = timezone.now()
    Delivery.objects.bulk_create(
        Delivery(
            activity=activity,
            instance=instance,
            inbox_url=instance.inbox_url,
            key_id=key_id,
            next_attempt_at=now,
        )
        for instance in instances
    )
    if instances:
        transaction.on_commit(lambda: deliveries_drain.enqueue())
    return activity


@transaction.atomic
def case_activity_send(*, case: Case, kind: str) -> Activity:
    """Send a published case to every follower as Create, Update or Announce."""
    loaded = case_for_federation(case_id=case.pk)
    if loaded is None:
        raise ApplicationError("Only a published case can be sent.", code="not_published")
    urgent_action = urgent_action_from_case(loaded, counts=case_counts(case=loaded))
    payload = activities.case_activity_build(kind, urgent_action=urgent_action)
    return activity_send(payload, instances=list(instances_followers()), public=True, case=case)


@transaction.atomic
def key_rotation_announce(*, old: keys.LocalKey, new: keys.LocalKey) -> Activity:
    """Tell every related instance about the new key, signed with the key it replaces."""
    instances = list(instances_related())
    payload = activities.actor_update_build(
        actor=actor_document(), to=[instance.actor_url for instance in instances]
    )
    activity = activity_send(payload, instances=instances, key_id=old.key_id)
    audit_record(
        actor=None,
        action="federation.key_rotate",
        before={"fingerprint": old.fingerprint},
        after={"fingerprint": new.fingerprint, "instances told": len(instances)},
    )
    return activity
