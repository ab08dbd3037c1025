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
) -> AuditEntry:
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
        object_repr=str(obj)[:300] if obj is not None else "",
        before=before,
        after=after,
        ip=ip or source.ip,
    )


def audit_object_forget(*, object_type: str, object_id: str, label: str = "(erased)") -> int:
    """Blank what the audit log quotes of one object (its name, values, the client address).

    For erasure: the entries stay, so the log still says what was done and when.
    """
    return AuditEntry.objects.filter(object_type=object_type, object_id=object_id).update(
        object_repr=label, before={}, after={}, ip=None
    )
