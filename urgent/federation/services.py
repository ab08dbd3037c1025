"""Writes of federation: following and answering follows, receiving activities, pinning keys.

Staff operations check the role themselves (coordinators only) and are audited. Every
activity that leaves is an Activity row with one Delivery row per instance, written in the
same transaction as the change that causes it; a worker is woken on commit to send them.
"""

from __future__ import annotations

import datetime
import logging
from collections.abc import Callable, Sequence
from typing import Any

from django.contrib.auth.models import AbstractBaseUser, AnonymousUser
from django.db import IntegrityError, transaction
from django.utils import timezone

from urgent.cases.models import Case
from urgent.core.audit import audit_record
from urgent.core.errors import ApplicationError, Forbidden
from urgent.core.ratelimit import ratelimit_hit, ratelimit_key
from urgent.core.roles import PUBLISH, role_can
from urgent.federation import activities, keys
from urgent.federation.actor import actor_document
from urgent.federation.errors import Refusal
from urgent.federation.inbox import Claims, Received
from urgent.federation.keys import fingerprint_display
from urgent.federation.models import Activity, Delivery, Instance, InstanceKey, RefusedActivity
from urgent.federation.remote import RemoteActor, RemoteKey, actor_fetch, actor_from_parsed
from urgent.federation.schemas import (
    AcceptIn,
    ActivityIn,
    ActorIn,
    FollowIn,
    RejectIn,
    UndoIn,
    UpdateIn,
)
from urgent.federation.selectors import (
    case_counts,
    case_for_federation,
    instance_current_key,
    instances_followers,
    instances_related,
)
from urgent.federation.serialise import urgent_action_from_case
from urgent.federation.tasks import deliveries_drain

logger = logging.getLogger(__name__)

User = AbstractBaseUser | AnonymousUser | None

# Refusals written to the log per sending address per hour; past that they are only counted
# in the server log, so a flood of bad requests cannot fill the database.
REFUSALS_LOGGED_PER_HOUR = 120


def _require(user: User) -> None:
    if user is None or not role_can(user, PUBLISH):
        raise Forbidden("Only a coordinator may follow instances or answer their requests.")


def _object_id(payload: dict[str, Any]) -> str:
    obj = payload.get("object")
    value = obj.get("id", "") if isinstance(obj, dict) else obj
    return str(value or "")[:500]


def _send(
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
        object_id=_object_id(payload),
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


def _instance_upsert(actor: RemoteActor) -> Instance:
    instance, created = Instance.objects.select_for_update().get_or_create(
        actor_url=actor.actor_url,
        defaults={"inbox_url": actor.inbox_url, "outbox_url": actor.outbox_url, "name": actor.name},
    )
    if not created and (instance.inbox_url, instance.outbox_url, instance.name) != (
        actor.inbox_url,
        actor.outbox_url,
        actor.name,
    ):
        instance.inbox_url, instance.outbox_url = actor.inbox_url, actor.outbox_url
        instance.name = actor.name
        instance.save(update_fields=["inbox_url", "outbox_url", "name", "updated_at"])
    return instance


def _pin(
    instance: Instance, key: RemoteKey, *, grace: datetime.timedelta | None = None
) -> InstanceKey:
    """Make `key` the instance's current key; the one it replaces stays valid for `grace`."""
    current = instance_current_key(instance=instance)
    if current is not None and (current.key_id, current.fingerprint) == (
        key.key_id,
        key.fingerprint,
    ):
        return current
    if current is not None:
        current.valid_until = timezone.now() + (grace or datetime.timedelta(0))
        current.save(update_fields=["valid_until"])
    pinned, _ = InstanceKey.objects.update_or_create(
        instance=instance,
        key_id=key.key_id,
        defaults={"public_key_pem": key.pem, "fingerprint": key.fingerprint, "valid_until": None},
    )
    return pinned


def _fingerprint(instance: Instance) -> str:
    current = instance_current_key(instance=instance)
    return current.fingerprint if current else ""


# Following another instance, and answering instances that follow this one (staff).


def instance_follow(*, actor_url: str, fingerprint: str, user: User) -> Instance:
    """Follow the instance at `actor_url`, pinning the key staff saw (`fingerprint`)."""
    _require(user)
    if actor_url == keys.actor_url():
        raise ApplicationError("That is this instance's own address.", code="self")
    remote = actor_fetch(actor_url)
    if remote.key.fingerprint != fingerprint:
        raise ApplicationError(
            f"The key of {remote.name} changed since you looked it up; it is now "
            f"{fingerprint_display(remote.key.fingerprint)}. Check it with them, then look "
            "the instance up again.",
            code="key_changed",
        )
    return _follow_commit(remote, user)


@transaction.atomic
def _follow_commit(remote: RemoteActor, user: User) -> Instance:
    instance = _instance_upsert(remote)
    current = instance_current_key(instance=instance)
    if current is not None and current.fingerprint != remote.key.fingerprint:
        raise ApplicationError(
            f"{instance} has the key {fingerprint_display(current.fingerprint)} pinned here but "
            f"now shows {fingerprint_display(remote.key.fingerprint)}. Accept the new key on its "
            "page first.",
            code="key_changed",
        )
    if instance.following_state == Instance.Follow.ACCEPTED:
        raise ApplicationError(f"This instance already follows {instance}.", code="following")
    _pin(instance, remote.key)
    payload = activities.follow_build(actor_url=instance.actor_url)
    instance.following_state = Instance.Follow.PENDING
    instance.follow_out_id = payload["id"]
    instance.save(update_fields=["following_state", "follow_out_id", "updated_at"])
    _send(payload, instances=[instance])
    audit_record(
        actor=user,
        action="federation.follow",
        obj=instance,
        after={"actor": instance.actor_url, "fingerprint": remote.key.fingerprint},
    )
    return instance


def _locked(instance: Instance) -> Instance:
    return Instance.objects.select_for_update().get(pk=instance.pk)


def _follow_payload(activity_id: str) -> dict[str, Any]:
    row = Activity.objects.filter(activity_id=activity_id).values_list("payload", flat=True)
    payload = row.first()
    if not isinstance(payload, dict):
        raise ApplicationError("The follow request is no longer on record.", code="no_request")
    return payload


def _follow_state_set(
    instance: Instance, *, field: str, state: str, reply: dict[str, Any], user: User, action: str
) -> Instance:
    """Change one side of the relationship, answer the other instance, and audit it."""
    since = field.replace("_state", "_since")
    before = getattr(instance, field)
    setattr(instance, field, state)
    setattr(instance, since, timezone.now() if state == Instance.Follow.ACCEPTED else None)
    instance.save(update_fields=[field, since, "updated_at"])
    _send(reply, instances=[instance])
    audit_record(
        actor=user,
        action=action,
        obj=instance,
        before={field: before},
        after={field: state, "fingerprint": _fingerprint(instance)},
    )
    return instance


_LIVE = frozenset({Instance.Follow.PENDING, Instance.Follow.ACCEPTED})


@transaction.atomic
def follow_request_accept(*, instance: Instance, user: User) -> Instance:
    _require(user)
    instance = _locked(instance)
    if instance.follower_state != Instance.Follow.PENDING:
        raise ApplicationError(f"No follow request from {instance} is waiting.", code="no_request")
    follow = _follow_payload(instance.follow_in_id)
    return _follow_state_set(
        instance,
        field="follower_state",
        state=Instance.Follow.ACCEPTED,
        reply=activities.accept_build(follow=follow),
        user=user,
        action="federation.follower_accept",
    )


@transaction.atomic
def follow_request_reject(*, instance: Instance, user: User) -> Instance:
    """Refuse a waiting request, or stop sending to an instance that follows this one."""
    _require(user)
    instance = _locked(instance)
    if instance.follower_state not in _LIVE:
        raise ApplicationError(f"{instance} neither follows nor asked to.", code="no_request")
    follow = _follow_payload(instance.follow_in_id)
    return _follow_state_set(
        instance,
        field="follower_state",
        state=Instance.Follow.REJECTED,
        reply=activities.reject_build(follow=follow),
        user=user,
        action="federation.follower_reject",
    )


@transaction.atomic
def instance_unfollow(*, instance: Instance, user: User) -> Instance:
    _require(user)
    instance = _locked(instance)
    if instance.following_state not in _LIVE:
        raise ApplicationError(f"This instance does not follow {instance}.", code="not_following")
    follow = _follow_payload(instance.follow_out_id)
    return _follow_state_set(
        instance,
        field="following_state",
        state=Instance.Follow.NONE,
        reply=activities.undo_build(follow=follow),
        user=user,
        action="federation.unfollow",
    )


def instance_key_pin(*, instance: Instance, fingerprint: str, user: User) -> Instance:
    """Accept the key another instance shows now, after staff checked its fingerprint."""
    _require(user)
    remote = actor_fetch(instance.actor_url)
    if remote.key.fingerprint != fingerprint:
        raise ApplicationError(
            f"{instance} now shows the key {fingerprint_display(remote.key.fingerprint)}, not "
            "the one you checked. Check it again.",
            code="key_changed",
        )
    with transaction.atomic():
        instance = _instance_upsert(remote)
        before = _fingerprint(instance)
        if before == fingerprint:
            raise ApplicationError("This key is already the one pinned.", code="pinned")
        # A key replaced by hand is not trusted for a moment longer: no grace period.
        _pin(instance, remote.key)
        audit_record(
            actor=user,
            action="federation.key_pin",
            obj=instance,
            before={"fingerprint": before},
            after={"fingerprint": fingerprint},
        )
    return instance


# This instance's own activities (groundwork for publishing; see docs/federation.md).


@transaction.atomic
def case_activity_send(*, case: Case, kind: str) -> Activity:
    """Send a published case to every follower as Create, Update or Announce."""
    loaded = case_for_federation(case_id=case.pk)
    if loaded is None:
        raise ApplicationError("Only a published case can be sent.", code="not_published")
    urgent_action = urgent_action_from_case(loaded, counts=case_counts(case=loaded))
    payload = activities.case_activity_build(kind, urgent_action=urgent_action)
    return _send(payload, instances=list(instances_followers()), public=True, case=case)


@transaction.atomic
def key_rotation_announce(*, old: keys.LocalKey, new: keys.LocalKey) -> Activity:
    """Tell every related instance about the new key, signed with the key it replaces."""
    instances = list(instances_related())
    payload = activities.actor_update_build(
        actor=actor_document(), to=[instance.actor_url for instance in instances]
    )
    activity = _send(payload, instances=instances, key_id=old.key_id)
    audit_record(
        actor=None,
        action="federation.key_rotate",
        before={"fingerprint": old.fingerprint},
        after={"fingerprint": new.fingerprint, "instances told": len(instances)},
    )
    return activity


# Receiving (the inbox): the activity has been verified by inbox.inbox_read.


def _on_follow(instance: Instance, activity: FollowIn, payload: dict[str, Any]) -> None:
    if activity.object != keys.actor_url():
        raise Refusal(
            422, "not_for_us", f"This Follow is for {activity.object}, not {keys.actor_url()}."
        )
    instance.follow_in_id = activity.id
    if instance.follower_state == Instance.Follow.ACCEPTED:
        # Asked again (our answer was lost on their side): answer again, without staff.
        instance.save(update_fields=["follow_in_id", "updated_at"])
        _send(activities.accept_build(follow=payload), instances=[instance])
        return
    instance.follower_state = Instance.Follow.PENDING
    instance.save(update_fields=["follow_in_id", "follower_state", "updated_at"])
    audit_record(
        actor=None,
        action="federation.follow_request",
        obj=instance,
        after={"actor": instance.actor_url, "fingerprint": _fingerprint(instance)},
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
        after={"following_state": state, "fingerprint": _fingerprint(instance)},
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
    before = _fingerprint(instance)
    _instance_upsert(remote)
    # Signed with the key pinned now, so the new key is trusted; the old one keeps its grace.
    _pin(instance, remote.key, grace=keys.KEY_GRACE)
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


def _on_update(instance: Instance, activity: UpdateIn, payload: dict[str, Any]) -> None:
    if isinstance(activity.object, ActorIn):
        _on_actor_update(instance, activity.object)
    else:
        _on_case(instance, activity, payload)


_HANDLERS: dict[str, Callable[[Instance, Any, dict[str, Any]], None]] = {
    "Follow": _on_follow,
    "Accept": _on_answer,
    "Reject": _on_answer,
    "Undo": _on_undo,
    "Update": _on_update,
    "Create": _on_case,
    "Announce": _on_case,
    "Delete": _on_case,
}


@transaction.atomic
def activity_receive(*, received: Received) -> Activity:
    """Record and act on a verified activity; a Refusal rolls everything back."""
    instance = received.instance
    if instance is None:
        assert received.first_contact is not None
        instance = _instance_upsert(received.first_contact)
        _pin(instance, received.first_contact.key)
    activity = received.activity
    try:
        with transaction.atomic():
            row = Activity.objects.create(
                activity_id=activity.id,
                direction=Activity.Direction.IN,
                kind=activity.type,
                instance=instance,
                object_id=_object_id(received.payload),
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
