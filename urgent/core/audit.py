"""The audit trail: every staff change is recorded with its before and after values."""

from __future__ import annotations

import contextvars
import datetime
import getpass
import uuid
from collections.abc import Iterable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.contrib.auth.models import AbstractBaseUser, AnonymousUser
from django.db import models
from django.db.models import Q

from urgent.core.models import AuditEntry


@dataclass(frozen=True)
class AuditSource:
    """Where the writes being made come from: a request's client address, or a command."""

    ip: str | None = None
    name: str = ""  # "command:import (os user alice)"; empty for a request


_NO_SOURCE = AuditSource()
_source: contextvars.ContextVar[AuditSource | None] = contextvars.ContextVar(
    "urgent_audit_source", default=None
)


@contextmanager
def audit_source(*, ip: str | None = None, name: str = "") -> Iterator[AuditSource]:
    """Every audit entry written inside says it came from this address or command.

    Set once per request by AuditSourceMiddleware and once per command by the `urgent`
    console script, so a service deep down records where a change came from without
    every caller passing it along.
    """
    source = AuditSource(ip=ip or None, name=name)
    token = _source.set(source)
    try:
        yield source
    finally:
        _source.reset(token)


def audit_command_name(command: str) -> str:
    try:
        user = getpass.getuser()
    except (OSError, KeyError):
        user = "unknown"
    return f"command:{command} (os user {user})"[:150]


def _plain(value: Any) -> Any:
    if isinstance(value, datetime.date | datetime.datetime | uuid.UUID | Decimal):
        return str(value)
    if isinstance(value, models.Model):
        return value.pk
    if isinstance(value, list | tuple | set):
        return [_plain(v) for v in value]
    return value


def audit_snapshot(obj: models.Model, fields: Iterable[str] | None = None) -> dict[str, Any]:
    """The concrete field values of an object, as JSON-ready data."""
    names = fields or [f.attname for f in obj._meta.concrete_fields]
    return {name: _plain(getattr(obj, name)) for name in names}


def audit_record(
    *,
    actor: AbstractBaseUser | AnonymousUser | None,
    action: str,
    obj: models.Model | None = None,
    before: Mapping[str, Any] | None = None,
    after: Mapping[str, Any] | None = None,
    ip: str | None = None,
    label: str | None = None,
) -> AuditEntry:
    """Write one entry; `label` names the object instead of str(obj) (when that is personal)."""
    before = dict(before or {})
    after = dict(after or {})
    if before and after:
        changed = {k for k in before.keys() | after.keys() if before.get(k) != after.get(k)}
        before = {k: v for k, v in before.items() if k in changed}
        after = {k: v for k, v in after.items() if k in changed}
    user = actor if actor is not None and actor.is_authenticated else None
    source = _source.get() or _NO_SOURCE
    name = user.get_username() if user else (source.name or "system")
    return AuditEntry.objects.create(
        actor=user,  # type: ignore[misc]
        actor_name=name[:150],
        action=action,
        object_type=obj._meta.label_lower if obj is not None else "",
        object_id=str(obj.pk) if obj is not None else "",
        object_repr=(label if label is not None else str(obj))[:300] if obj is not None else "",
        before=before,
        after=after,
        ip=ip or source.ip,
    )


def _redacted(value: Any, needles: list[str], label: str) -> Any:
    if isinstance(value, str):
        folded = value.casefold()
        return label if any(n in folded for n in needles) else value
    if isinstance(value, list):
        return [_redacted(v, needles, label) for v in value]
    if isinstance(value, dict):
        return {k: _redacted(v, needles, label) for k, v in value.items()}
    return value


def audit_person_forget(
    *,
    objects: Iterable[tuple[str, str]],
    emails: Iterable[str],
    values: Iterable[str] = (),
    keys: Mapping[str, Any] | None = None,
    label: str = "(erased)",
) -> int:
    """Take a person's data out of every audit entry that names them; returns entries changed.

    For erasure. Entries about one of `objects` (("app.model", "pk") pairs: the person's row,
    their letters) keep only what was done and when (no values, no client address). Any other
    entry that quotes one of their `emails` or links to them through `keys` (a JSON field
    such as {"supporter_id": 7} in its before or after) has each value that contains an
    email or one of `values` (name, city, a letter) replaced by `label`.
    """
    emails = [e for e in emails if e]
    needles = sorted({v.casefold() for v in [*emails, *values] if v and v.strip()})
    about = Q(pk__in=[])
    for object_type, object_id in objects:
        about |= Q(object_type=object_type, object_id=object_id)
    changed = AuditEntry.objects.filter(about).update(
        object_repr=label, before={}, after={}, ip=None
    )
    naming = Q(pk__in=[])
    for email in emails:
        naming |= Q(object_repr__icontains=email)
        naming |= Q(before__icontains=email) | Q(after__icontains=email)
    for key, value in (keys or {}).items():
        naming |= Q(**{f"before__{key}": value}) | Q(**{f"after__{key}": value})
    for entry in AuditEntry.objects.filter(naming).exclude(about):
        redacted = (
            _redacted(entry.object_repr, needles, label),
            _redacted(entry.before, needles, label),
            _redacted(entry.after, needles, label),
        )
        if redacted != (entry.object_repr, entry.before, entry.after):
            entry.object_repr, entry.before, entry.after = redacted
            entry.save(update_fields=["object_repr", "before", "after"])
            changed += 1
    return changed
