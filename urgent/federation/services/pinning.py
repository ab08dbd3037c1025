"""Other instances as this one knows them, and the keys pinned for them."""

from __future__ import annotations

import datetime

from django.utils import timezone

from urgent.federation.models import Instance, InstanceKey
from urgent.federation.remote import RemoteActor, RemoteKey
from urgent.federation.selectors import instance_current_key


def instance_upsert(actor: RemoteActor) -> Instance:
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


def key_pin(
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


def fingerprint_pinned(instance: Instance) -> str:
    current = instance_current_key(instance=instance)
    return current.fingerprint if current else ""
