"""This instance as other instances see it: the actor document and how to find it."""

from __future__ import annotations

from importlib.metadata import version
from typing import Any
from urllib.parse import urlsplit

from django.conf import settings

from urgent.core.models import Organisation
from urgent.federation import keys, vocab

USERNAME = "urgent"


def instance_name() -> str:
    if settings.URGENT_FEDERATION_NAME:
        return str(settings.URGENT_FEDERATION_NAME)
    first = Organisation.objects.order_by("name").values_list("name", flat=True).first()
    return first or host()


def host() -> str:
    return urlsplit(vocab.base_url()).netloc


def inbox_url() -> str:
    return f"{vocab.base_url()}/federation/inbox"


def outbox_url() -> str:
    return f"{vocab.base_url()}/federation/outbox"


def _key_entry(key: keys.LocalKey) -> dict[str, Any]:
    entry: dict[str, Any] = {
        "id": key.key_id,
        "owner": keys.actor_url(),
        "publicKeyPem": key.public_pem,
    }
    until = keys.key_valid_until(key)
    if until is not None:
        entry["validUntil"] = until.isoformat(timespec="seconds")
    return entry


def actor_document() -> dict[str, Any]:
    """The Organization actor: inbox, outbox, current key, and replaced keys still valid."""
    current, *retired = keys.keys_published()
    return {
        "@context": [vocab.AS_CONTEXT, vocab.SECURITY_CONTEXT, vocab.context_url()],
        "id": keys.actor_url(),
        "type": "Organization",
        "preferredUsername": USERNAME,
        "name": instance_name(),
        "url": vocab.base_url() + "/",
        "inbox": inbox_url(),
        "outbox": outbox_url(),
        "publicKey": _key_entry(current),
        "retiredKeys": [_key_entry(key) for key in retired],
    }


def webfinger(resource: str) -> dict[str, Any] | None:
    """The JRD for `acct:urgent@<host>` or the actor URL; None for any other resource."""
    account = f"acct:{USERNAME}@{host()}"
    if resource not in {account, keys.actor_url()}:
        return None
    return {
        "subject": account,
        "aliases": [keys.actor_url()],
        "links": [{"rel": "self", "type": vocab.ACTIVITY_JSON, "href": keys.actor_url()}],
    }


def well_known() -> dict[str, Any]:
    return {
        "protocol": vocab.PROTOCOL,
        "name": instance_name(),
        "actor": keys.actor_url(),
        "inbox": inbox_url(),
        "outbox": outbox_url(),
        "context": vocab.context_url(),
        "fingerprint": keys.key_current().fingerprint,
    }


def nodeinfo() -> dict[str, Any]:
    return {
        "version": "2.1",
        "software": {"name": "urgent", "version": version("urgent")},
        "protocols": ["activitypub"],
        "services": {"inbound": [], "outbound": []},
        "openRegistrations": False,
        "usage": {"users": {}},
        "metadata": {"nodeName": instance_name(), "protocol": vocab.PROTOCOL},
    }
