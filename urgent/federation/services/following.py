"""Staff operations: follow an instance, answer its follow request, stop, accept a new key.

Each checks the role itself (coordinators only), runs in a transaction and is audited.
"""

from __future__ import annotations

from typing import Any

from django.contrib.auth.models import AbstractBaseUser, AnonymousUser
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from urgent.core.audit import audit_record
from urgent.core.errors import ApplicationError, Forbidden
from urgent.core.roles import PUBLISH, role_can
from urgent.federation import activities, keys
from urgent.federation.keys import fingerprint_display
from urgent.federation.models import Activity, Instance
from urgent.federation.remote import RemoteActor, actor_fetch
from urgent.federation.selectors import instance_current_key
from urgent.federation.services.outbox import activity_send
from urgent.federation.services.pinning import fingerprint_pinned, instance_upsert, key_pin

User = AbstractBaseUser | AnonymousUser | None


def _require(user: User) -> None:
    if user is None or not role_can(user, PUBLISH):
        raise Forbidden(_("Only a coordinator may follow instances or answer their requests."))


def instance_follow(*, actor_url: str, fingerprint: str, user: User) -> Instance:
    """Follow the instance at `actor_url`, pinning the key staff saw (`fingerprint`)."""
    _require(user)
    if actor_url == keys.actor_url():
        raise ApplicationError(_("That is this instance's own address."), code="self")
    remote = actor_fetch(actor_url)
    if remote.key.fingerprint != fingerprint:
        raise ApplicationError(
            _(
                "The key of %(name)s changed since you looked it up; it is now "
                "%(fingerprint)s. Check it with them, then look the instance up again."
            )
            % {"name": remote.name, "fingerprint": fingerprint_display(remote.key.fingerprint)},
            code="key_changed",
        )
    return _follow_commit(remote, user)


@transaction.atomic
def _follow_commit(remote: RemoteActor, user: User) -> Instance:
    instance = instance_upsert(remote)
    current = instance_current_key(instance=instance)
    if current is not None and current.fingerprint != remote.key.fingerprint:
        raise ApplicationError(
            _(
                "%(instance)s has the key %(pinned)s pinned here but now shows %(shown)s. "
                "Accept the new key on its page first."
            )
            % {
                "instance": instance,
                "pinned": fingerprint_display(current.fingerprint),
                "shown": fingerprint_display(remote.key.fingerprint),
            },
            code="key_changed",
        )
    if instance.following_state == Instance.Follow.ACCEPTED:
        raise ApplicationError(
            _("This instance already follows %(instance)s.") % {"instance": instance},
            code="following",
        )
    key_pin(instance, remote.key)
    payload = activities.follow_build(actor_url=instance.actor_url)
    instance.following_state = Instance.Follow.PENDING
    instance.follow_out_id = payload["id"]
    instance.save(update_fields=["following_state", "follow_out_id", "updated_at"])
    activity_send(payload, instances=[instance])
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
        raise ApplicationError(_("The follow request is no longer on record."), code="no_request")
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
    activity_send(reply, instances=[instance])
    audit_record(
        actor=user,
        action=action,
        obj=instance,
        before={field: before},
        after={field: state, "fingerprint": fingerprint_pinned(instance)},
    )
    return instance


_LIVE = frozenset({Instance.Follow.PENDING, Instance.Follow.ACCEPTED})


@transaction.atomic
def follow_request_accept(*, instance: Instance, user: User) -> Instance:
    _require(user)
    instance = _locked(instance)
    if instance.follower_state != Instance.Follow.PENDING:
        raise ApplicationError(
            _("No follow request from %(instance)s is waiting.") % {"instance": instance},
            code="no_request",
        )
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
        raise ApplicationError(
            _("%(instance)s neither follows this instance nor asked to.") % {"instance": instance},
            code="no_request",
        )
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
        raise ApplicationError(
            _("This instance does not follow %(instance)s.") % {"instance": instance},
            code="not_following",
        )
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
            _("%(instance)s now shows the key %(shown)s, not the one you checked. Check it again.")
            % {"instance": instance, "shown": fingerprint_display(remote.key.fingerprint)},
            code="key_changed",
        )
    with transaction.atomic():
        instance = instance_upsert(remote)
        before = fingerprint_pinned(instance)
        if before == fingerprint:
            raise ApplicationError(_("This key is already the one pinned."), code="pinned")
        # A key replaced by hand is not trusted for a moment longer: no grace period.
        key_pin(instance, remote.key)
        audit_record(
            actor=user,
            action="federation.key_pin",
            obj=instance,
            before={"fingerprint": before},
            after={"fingerprint": fingerprint},
        )
    return instance
