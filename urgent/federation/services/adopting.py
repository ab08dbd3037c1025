"""Cases from the instances this one follows: receiving them, adopting one as a local draft,
carrying the origin's changes into it, stopping it when the origin stops, and sending the
origin's Further Information and outcomes on to this instance's supporters.

The local copy is an ordinary case of this instance (its own reference, targets, deadline
and supporters); `IncomingCase` links it to the origin (`Case.origin_org`, `origin_url`).
"""

from __future__ import annotations

import datetime
from collections.abc import Sequence
from typing import Any

from django.contrib.auth.models import AbstractBaseUser, AnonymousUser
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from urgent.cases.models import Case, Theme
from urgent.cases.services import (
    case_asks_set,
    case_close,
    case_create,
    case_stop_switch,
    case_update,
    update_post,
)
from urgent.core.audit import audit_record
from urgent.core.errors import ApplicationError
from urgent.core.queue import queue_hold_lift, queue_hold_set
from urgent.core.roles import EDIT, PUBLISH, role_require
from urgent.core.selectors import organisation_default
from urgent.federation.models import IncomingCase, IncomingNotice, Instance

User = AbstractBaseUser | AnonymousUser | None

# The texts of a case that staff translate, and may take from a newer origin version.
TEXT_FIELDS = ("headline", "story", "background", "asks")


def case_hold_key(case: Case) -> str:
    """The queue engine's hold on every letter of a case (the letters queue's RowHold)."""
    return f"case:{case.uuid.hex}"


def _notices_record(incoming: IncomingCase, action: dict[str, Any]) -> list[IncomingNotice]:
    """One notice per Further Information and outcome not seen before."""
    wanted: list[IncomingNotice] = []
    for fi in action.get("furtherInformation", []):
        wanted.append(
            IncomingNotice(
                incoming=incoming,
                kind=IncomingNotice.Kind.FURTHER_INFORMATION,
                key=f"fi:{fi['number']}",
                title=fi["title"],
                body=fi["body"],
                date=datetime.date.fromisoformat(fi["issued"]),
            )
        )
    outcome = action.get("outcome")
    if outcome:
        wanted.append(
            IncomingNotice(
                incoming=incoming,
                kind=IncomingNotice.Kind.OUTCOME,
                key=f"outcome:{outcome['kind']}:{outcome['date']}",
                body=outcome.get("summary", ""),
                date=datetime.date.fromisoformat(outcome["date"]),
                outcome_kind=outcome["kind"],
            )
        )
    known = set(incoming.notices.values_list("key", flat=True))
    new = [n for n in wanted if n.key not in known]
    return IncomingNotice.objects.bulk_create(new)


def copy_stop(*, incoming: IncomingCase) -> bool:
    """The origin stopped action: stop this instance's copy and hold its queued letters at
    once, without waiting for a person; staff read why in the audit log and on its page."""
    case = incoming.case
    if case is None:
        return False
    reason = _(
        "%(origin)s, which issued %(reference)s, stopped action on it (version %(version)s)."
    ) % {
        "origin": incoming.instance.name,
        "reference": incoming.reference,
        "version": incoming.version,
    }
    queue_hold_set(key=case_hold_key(case), reason=reason)
    hide = bool(incoming.payload.get("namesHidden")) or case.hide_names
    running = not case.actions_stopped
    incoming.copy_stopped_by_origin = incoming.copy_stopped_by_origin or running
    incoming.origin_resumed_at, incoming.copy_resumed = None, False
    incoming.save(
        update_fields=["copy_stopped_by_origin", "origin_resumed_at", "copy_resumed", "updated_at"]
    )
    if case.actions_stopped and case.hide_names == hide:
        return False
    case_stop_switch(case=case, actor=None, stopped=True, hide_names=hide, reason=reason)
    return True


def copy_resume(*, incoming: IncomingCase) -> bool:
    """The origin resumed action. A copy its stop stopped resumes with it (the hold is
    lifted, letters leave again); a copy this instance's staff stopped stays stopped. Staff
    read which on the incoming case's page and in the audit log. Names hidden stay hidden:
    showing them again is staff's decision."""
    case = incoming.case
    incoming.origin_resumed_at = timezone.now()
    incoming.copy_resumed = bool(
        case is not None and case.actions_stopped and incoming.copy_stopped_by_origin
    )
    incoming.copy_stopped_by_origin = False
    incoming.save(
        update_fields=["copy_stopped_by_origin", "origin_resumed_at", "copy_resumed", "updated_at"]
    )
    if case is None:
        return False
    values = {"origin": incoming.instance.name, "reference": incoming.reference}
    if incoming.copy_resumed:
        reason = (
            _(
                "%(origin)s, which issued %(reference)s, resumed action on it; this copy, stopped "
                "by its stop, resumed too."
            )
            % values
        )
        case_stop_switch(
            case=case, actor=None, stopped=False, hide_names=case.hide_names, reason=reason
        )
        queue_hold_lift(key=case_hold_key(case))
    audit_record(
        actor=None,
        action="federation.origin_resumed",
        obj=case,
        after={**values, "version": incoming.version, "copy_resumed": incoming.copy_resumed},
    )
    return incoming.copy_resumed


def copy_resumed_lift(*, case: Case) -> bool:
    """The copy resumed (by its staff, or with the origin): the letters the origin's stop
    held may leave again, and a later resume by the origin is not theirs to undo."""
    IncomingCase.objects.filter(case=case).update(copy_stopped_by_origin=False)
    return queue_hold_lift(key=case_hold_key(case))


@transaction.atomic
def incoming_case_receive(*, instance: Instance, action: dict[str, Any]) -> IncomingCase | None:
    """Keep the newest version of an urgent action from a followed instance; act on a stop.

    An older version than the one kept (activities may arrive out of order) changes nothing.
    The same version is taken: not every change raises it (Further Information posted, a
    contact point found dead), and what follows from it is idempotent (notices by key, the
    stop only when it is new).
    """
    incoming = IncomingCase.objects.select_for_update().filter(object_id=action["id"]).first()
    was_stopped = incoming.stopped if incoming else False
    if incoming is not None and action["version"] < incoming.version:
        return None
    fields = {
        "instance": instance,
        "url": action["url"],
        "reference": action["reference"],
        "headline": action["headline"],
        "version": action["version"],
        "stopped": action["stopped"],
        "withdrawn": False,
        "payload": action,
    }
    if incoming is None:
        incoming = IncomingCase.objects.create(object_id=action["id"], **fields)
    else:
        for name, value in fields.items():
            setattr(incoming, name, value)
        incoming.save()
    _notices_record(incoming, action)
    if incoming.stopped and not was_stopped:
        copy_stop(incoming=incoming)
    elif was_stopped and not incoming.stopped:
        copy_resume(incoming=incoming)
    return incoming


def incoming_case_withdraw(*, instance: Instance, object_id: str) -> bool:
    """A Delete from the origin: the case is marked withdrawn (a copy is left to staff)."""
    return bool(
        IncomingCase.objects.filter(instance=instance, object_id=object_id).update(
            withdrawn=True, updated_at=timezone.now()
        )
    )


def _reference_free(reference: str) -> str:
    organisation = organisation_default()
    candidate, n = reference, 2
    while Case.objects.filter(organisation=organisation, reference__iexact=candidate).exists():
        candidate = f"{reference[:34]} ({n})"
        n += 1
    return candidate


def _people(action: dict[str, Any]) -> list[dict[str, Any]]:
    return [
        {"name": p["name"], "pronouns": p.get("pronouns", ""), "visibility": p["visibility"]}
        for p in action.get("persons", [])
    ]


@transaction.atomic
def incoming_adopt(*, incoming: IncomingCase, user: User) -> Case:
    """Make this instance's own draft of an incoming case, linked to its origin."""
    role_require(user, EDIT)
    incoming = (
        IncomingCase.objects.select_for_update().select_related("instance").get(pk=incoming.pk)
    )
    if incoming.case is not None:
        raise ApplicationError(_("This case is adopted already."), code="adopted")
    action = incoming.payload
    case = case_create(
        organisation=organisation_default(),
        reference=_reference_free(action["reference"]),
        headline=action["headline"],
        country=action["country"],
        actor=user,
        people=_people(action),
        asks=action.get("asks", []),
        themes=list(Theme.objects.filter(slug__in=action.get("themes", []))),
        story=action.get("story", ""),
        background=action.get("background", ""),
        language=action["language"],
        deadline=action.get("deadline"),
        origin_org=incoming.instance.name[:200],
        origin_url=action["url"],
    )
    incoming.case = case
    incoming.adopted_version = incoming.version
    incoming.adopted_payload = action
    incoming.save(update_fields=["case", "adopted_version", "adopted_payload", "updated_at"])
    audit_record(
        actor=user,
        action="federation.adopt",
        obj=case,
        after={"origin": action["id"], "version": incoming.version},
    )
    if incoming.stopped:
        copy_stop(incoming=incoming)
    return case


@transaction.atomic
def incoming_texts_save(
    *, incoming: IncomingCase, user: User, data: dict[str, Any], asks: Sequence[str]
) -> Case:
    """Save the copy's texts (the translation beside the origin's)."""
    case = incoming.case
    if case is None:
        raise ApplicationError(_("Adopt the case first."), code="not_adopted")
    case = case_update(case=case, actor=user, expected_version=case.version, data=data)
    case_asks_set(case=case, actor=user, asks=asks)
    return case


@transaction.atomic
def incoming_changes_take(*, incoming: IncomingCase, user: User, fields: Sequence[str]) -> Case:
    """Carry the origin's newer text of `fields` into the copy (replacing the copy's), and
    mark the origin's current version as reviewed."""
    role_require(user, EDIT)
    incoming = IncomingCase.objects.select_for_update().get(pk=incoming.pk)
    case = incoming.case
    if case is None:
        raise ApplicationError(_("Adopt the case first."), code="not_adopted")
    action = incoming.payload
    data = {f: action.get(f, "") for f in fields if f in TEXT_FIELDS and f != "asks"}
    if data:
        case = case_update(case=case, actor=user, expected_version=case.version, data=data)
    if "asks" in fields:
        case_asks_set(case=case, actor=user, asks=action.get("asks", []))
    incoming.adopted_version = incoming.version
    incoming.adopted_payload = action
    incoming.save(update_fields=["adopted_version", "adopted_payload", "updated_at"])
    audit_record(
        actor=user,
        action="federation.changes_taken",
        obj=case,
        after={"version": incoming.version, "fields": sorted(fields)},
    )
    return case


@transaction.atomic
def incoming_notice_send(
    *, notice: IncomingNotice, user: User, title: str, body: str
) -> IncomingNotice:
    """Send the origin's Further Information or outcome, as staff adapted it, to this
    instance's supporters of the copy (outreach tells those who acted or subscribed)."""
    notice = IncomingNotice.objects.select_for_update().select_related("incoming").get(pk=notice.pk)
    case = notice.incoming.case
    if notice.sent_at is not None:
        raise ApplicationError(_("This was sent already."), code="sent")
    if case is None or case.status == Case.Status.DRAFT:
        raise ApplicationError(
            _("Publish your copy of the case first: only its supporters can be told."),
            code="not_published",
        )
    if notice.kind == IncomingNotice.Kind.FURTHER_INFORMATION:
        role_require(user, EDIT)
        if not title.strip() or not body.strip():
            raise ApplicationError(
                _("Give the Further Information a title and a text."),
                fields={"title": [_("This field is required.")]},
            )
        update_post(case=case, actor=user, title=title, body=body)
    else:
        role_require(user, PUBLISH)
        case_close(
            case=case,
            actor=user,
            kind=notice.outcome_kind,
            occurred_on=notice.date,
            summary=body,
        )
    notice.title, notice.body, notice.sent_at = title, body, timezone.now()
    notice.save(update_fields=["title", "body", "sent_at", "updated_at"])
    return notice
