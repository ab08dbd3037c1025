"""Activities this instance sends, as JSON-LD (compacted with our contexts).

Each builder returns the payload; services store it as an Activity row and create its
deliveries. Ids are URLs under /federation/activities/ and never reused.
"""

from __future__ import annotations

import datetime
import uuid
from typing import Any

from urgent.federation import keys, vocab


def _now() -> str:
    return datetime.datetime.now(tz=datetime.UTC).isoformat(timespec="seconds")


def activity_id_new() -> str:
    return f"{vocab.base_url()}/federation/activities/{uuid.uuid4()}"


def _activity(kind: str, obj: Any, *, to: list[str]) -> dict[str, Any]:
    return {
        "@context": vocab.contexts(),
        "id": activity_id_new(),
        "type": kind,
        "actor": keys.actor_url(),
        "published": _now(),
        "to": to,
        "object": obj,
    }


def follow_build(*, actor_url: str) -> dict[str, Any]:
    return _activity("Follow", actor_url, to=[actor_url])


def _follow_ref(follow: dict[str, Any]) -> dict[str, Any]:
    return {k: follow[k] for k in ("id", "type", "actor", "object")}


def accept_build(*, follow: dict[str, Any]) -> dict[str, Any]:
    return _activity("Accept", _follow_ref(follow), to=[follow["actor"]])


def reject_build(*, follow: dict[str, Any]) -> dict[str, Any]:
    return _activity("Reject", _follow_ref(follow), to=[follow["actor"]])


def undo_build(*, follow: dict[str, Any]) -> dict[str, Any]:
    return _activity("Undo", _follow_ref(follow), to=[follow["object"]])


def actor_update_build(*, actor: dict[str, Any], to: list[str]) -> dict[str, Any]:
    """Our actor document changed (a new key): signed with the key it replaces."""
    body = {k: v for k, v in actor.items() if k != "@context"}
    return _activity("Update", body, to=to)


def case_activity_build(kind: str, *, urgent_action: dict[str, Any]) -> dict[str, Any]:
    """Create, Update or Announce of an urgent action, addressed to the public."""
    if kind not in {"Create", "Update", "Announce"}:
        raise ValueError(f"not a case activity: {kind}")
    return _activity(kind, urgent_action, to=[vocab.PUBLIC])


def case_delete_build(*, object_id: str) -> dict[str, Any]:
    tombstone = {
        "id": object_id,
        "type": "Tombstone",
        "formerType": "UrgentAction",
        "deleted": _now(),
    }
    return _activity("Delete", tombstone, to=[vocab.PUBLIC])


def counts_build(*, to: str, target: str, counts: dict[str, Any]) -> dict[str, Any]:
    """A follower's aggregates for one case of the instance it follows (`target`)."""
    return {**_activity("Add", {"type": "Counts", **counts}, to=[to]), "target": target}


def flag_build(*, to: str, contact: dict[str, Any], target: str | None = None) -> dict[str, Any]:
    """A contact point reported dead (or working again), to one instance: a section's
    report to the origin (`target` is the origin's urgent action), or the origin's warning
    to another follower (`contact` carries `reports`)."""
    payload = _activity("Flag", {"type": "ContactPoint", **contact}, to=[to])
    if target is not None:
        payload["target"] = target
    return payload
