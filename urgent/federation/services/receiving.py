"""Acting on a verified activity from the inbox, and logging the ones refused.

The activity has passed every check of `inbox.inbox_read`; a Refusal raised here rolls the
whole transaction back, so a refused activity leaves nothing but its line in the log.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

from django.db import IntegrityError, transaction
from django.utils import timezone

from urgent.core.audit import audit_record
from urgent.core.ratelimit import ratelimit_hit, ratelimit_key
from urgent.federation import activities, keys
from urgent.federation.errors import Refusal
from urgent.federation.inbox import Claims, Received
from urgent.federation.models import Activity, Instance, RefusedActivity
from urgent.federation.remote import actor_from_parsed
from urgent.federation.schemas import (
    AcceptIn,
    ActivityIn,
    ActorIn,
    AddIn,
    DeleteIn,
    FlagIn,
    FollowIn,
    RejectIn,
    UndoIn,
    UpdateIn,
)
from urgent.federation.services.adopting import incoming_case_receive, incoming_case_withdraw
from urgent.federation.services.counts import counts_receive
from urgent.federation.services.health import contact_flag_receive
from urgent.federation.services.outbox import activity_send, payload_object_id
from urgent.federation.services.pinning import fingerprint_pinned, instance_upsert, key_pin

logger = logging.getLogger(__name__)

# Refusals written to the log per sending address per hour; past that they are only counted
# in the server log, so a flood of bad requests cannot fill the database.
REFUSALS_LOGGED_PER_HOUR = 120


def _on_follow(instance: Instance, activity: FollowIn, payload: dict[str, Any]) -> None:
    if activity.object != keys.actor_url():
        raise Refusal(
            422, "not_for_us", f"This Follow is for {activity.object}, not {keys.actor_url()}."
        )
    instance.follow_in_id = activity.id
    if instance.follower_state == Instance.Follow.ACCEPTED:
        # Asked again (our answer was lost on their side): answer again, without staff.
        instance.save(update_fields=["follow_in_id", "updated_at"])
        activity_send(activities.accept_build(follow=payload), instances=[instance])
        return
    instance.follower_state = Instance.Follow.PENDING
    instance.save(update_fields=["follow_in_id", "follower_state", "updated_at"])
    audit_record(
        actor=None,
        action="federation.follow_request",
        obj=instance,
        after={"actor": instance.actor_url, "fingerprint": fingerprint_pinned(instance)},
    )


def _on_answer(instance: Instance, activity: AcceptIn | RejectIn, payload: dict[str, Any]) -> None:
    if instance.following_state == Instance.Follow.NONE or (
        activity.object.id != instance.follow_out_id
    ):
        raise Refusal(
            422, "unexpected", f"This instance did not ask {instance} to follow it with that id."
        )
    state = Instance.Follow.ACCEPTED if activity.type == "Accept" else Instance.Follow.REJECTED
    if instance.following_state == state:
        return
    instance.following_state = state
    instance.following_since = timezone.now() if state == Instance.Follow.ACCEPTED else None
    instance.save(update_fields=["following_state", "following_since", "updated_at"])
    audit_record(
        actor=None,
        action=f"federation.follow_{activity.type.lower()}ed",
        obj=instance,
        after={"following_state": state, "fingerprint": fingerprint_pinned(instance)},
    )


def _on_undo(instance: Instance, activity: UndoIn, payload: dict[str, Any]) -> None:
    if activity.object.id != instance.follow_in_id:
        raise Refusal(422, "unexpected", "This Undo is for a Follow this instance does not have.")
    instance.follower_state = Instance.Follow.NONE
    instance.follower_since = None
    instance.save(update_fields=["follower_state", "follower_since", "updated_at"])
    audit_record(actor=None, action="federation.unfollowed", obj=instance)


def _on_actor_update(instance: Instance, actor: ActorIn) -> None:
    if actor.id != instance.actor_url:
        raise Refusal(403, "actor_mismatch", "An instance may only update its own actor.")
    try:
        remote = actor_from_parsed(actor)
    except ValueError as exc:
        raise Refusal(422, "invalid_activity", f"The actor is not valid: {exc}") from exc
    before = fingerprint_pinned(instance)
    instance_upsert(remote)
    # Signed with the key pinned now, so the new key is trusted; the old one keeps its grace.
    key_pin(instance, remote.key, grace=keys.KEY_GRACE)
    if before != remote.key.fingerprint:
        audit_record(
            actor=None,
            action="federation.key_rotated",
            obj=instance,
            before={"fingerprint": before},
            after={"fingerprint": remote.key.fingerprint},
        )


def _on_case(instance: Instance, activity: ActivityIn, payload: dict[str, Any]) -> None:
    if instance.following_state != Instance.Follow.ACCEPTED:
        raise Refusal(
            403,
            "not_following",
            f"This instance does not follow {instance}; it takes urgent actions only from "
            "instances it follows.",
        )
    if isinstance(activity, DeleteIn):
        incoming_case_withdraw(instance=instance, object_id=activity.object.id)
    else:
        incoming_case_receive(instance=instance, action=payload["object"])


def _on_update(instance: Instance, activity: UpdateIn, payload: dict[str, Any]) -> None:
    if isinstance(activity.object, ActorIn):
        _on_actor_update(instance, activity.object)
    else:
        _on_case(instance, activity, payload)


def _on_add(instance: Instance, activity: AddIn, payload: dict[str, Any]) -> None:
    counts_receive(instance=instance, activity=activity)


def _on_flag(instance: Instance, activity: FlagIn, payload: dict[str, Any]) -> None:
    contact_flag_receive(instance=instance, activity=activity)


_HANDLERS: dict[str, Callable[[Instance, Any, dict[str, Any]], None]] = {
    "Follow": _on_follow,
    "Accept": _on_answer,
    "Reject": _on_answer,
    "Undo": _on_undo,
    "Update": _on_update,
    "Create": _on_case,
    "Announce": _on_case,
    "Delete": _on_case,
    "Add": _on_add,
    "Flag": _on_flag,
}


@transaction.atomic
def activity_receive(*, received: Received) -> Activity:
    """Record and act on a verified activity; a Refusal rolls everything back."""
    instance = received.instance
    if instance is None:
        assert received.first_contact is not None
        instance = instance_upsert(received.first_contact)
        key_pin(instance, received.first_contact.key)
    activity = received.activity
    try:
        with transaction.atomic():
            row = Activity.objects.create(
                activity_id=activity.id,
                direction=Activity.Direction.IN,
                kind=activity.type,
                instance=instance,
                object_id=payload_object_id(received.payload),
                payload=received.payload,
            )
    except IntegrityError as exc:
        raise Refusal(409, "replayed", f"The activity {activity.id} was received before.") from exc
    _HANDLERS[activity.type](instance, activity, received.payload)
    return row


def refusal_record(
    *, refusal: Refusal, claims: Claims, remote_addr: str, content_type: str, length: str
) -> RefusedActivity | None:
    """One line in the refusal log for staff (what was claimed, never the body)."""
    logger.info(
        "federation: refused %s %s from %s: %s",
        refusal.status,
        refusal.code,
        remote_addr,
        refusal.message,
    )
    within = ratelimit_hit(
        key=ratelimit_key("fed-refusal", remote_addr),
        limit=REFUSALS_LOGGED_PER_HOUR,
        window_seconds=3600,
    )
    if not within:
        return None
    if not claims.activity_id:
        claims.peek()
    return RefusedActivity.objects.create(
        status=refusal.status,
        code=refusal.code[:40],
        message=refusal.message[:300],
        remote_addr=remote_addr or None,
        key_id=claims.key_id[:500],
        activity_id=claims.activity_id[:500],
        activity_type=claims.activity_type[:40],
        content_type=content_type[:200],
        content_length=int(length) if length.isdigit() and len(length) < 18 else None,
    )
