"""Writes to mailings: create, choose the audience, start, pause, resume, cancel, bounces.

The calling service decides who gets what (a case service for alerts and updates) and
passes a queryset of supporters; this module never looks at cases. Sending itself is the
engine's (`urgent.mailings.engine`), woken through the task queue on commit.
"""

from __future__ import annotations

import logging
import re
import uuid
from collections.abc import Mapping
from typing import Any

from django.conf import settings
from django.contrib.auth.models import AbstractBaseUser, AnonymousUser
from django.core.exceptions import EmptyResultSet
from django.db import IntegrityError, connection, transaction
from django.db.models import F, QuerySet
from django.template import TemplateDoesNotExist
from django.template.loader import get_template
from django.utils import timezone
from django.utils.translation import get_language_info
from django.utils.translation import gettext as _

from urgent.core.audit import audit_record
from urgent.core.errors import ApplicationError
from urgent.core.queue import WAITING
from urgent.core.redact import addresses_masked
from urgent.mailings.models import Delivery, Mailing
from urgent.mailings.rendering import template_check
from urgent.supporters.models import Supporter

logger = logging.getLogger(__name__)

Actor = AbstractBaseUser | AnonymousUser | None


def mailing_templates_load(*, prefix: str) -> dict[str, str]:
    """The sources of `<prefix>.subject.txt`, `<prefix>.txt` and `<prefix>.html`."""

    def source(name: str) -> str:
        return str(get_template(name).template.source)  # type: ignore[attr-defined]

    try:
        html = source(f"{prefix}.html")
    except TemplateDoesNotExist:
        html = ""
    return {
        "subject": source(f"{prefix}.subject.txt").strip(),
        "text_template": source(f"{prefix}.txt"),
        "html_template": html,
    }


def _language_name(code: str) -> str:
    try:
        return str(get_language_info(code)["name_translated"])
    except KeyError:
        return code


def _templates_check(parts: Mapping[str, str], language: str) -> None:
    """A template that does not parse is refused, naming the part and, for a translation,
    its language."""
    names = {
        "subject": _("The subject"),
        "text_template": _("The text part"),
        "html_template": _("The HTML part"),
    }
    for field, text in parts.items():
        if field in names and text:
            problem = template_check(text)
            if not problem:
                continue
            values = {"part": names[field], "language": language, "problem": problem}
            if language:
                message = _(
                    "%(part)s of the %(language)s translation does not work as a template: "
                    "%(problem)s"
                )
            else:
                message = _("%(part)s does not work as a template: %(problem)s")
            raise ApplicationError(message % values, code="bad_template", fields={field: [problem]})


@transaction.atomic
def mailing_create(
    *,
    kind: str,
    name: str,
    context: Mapping[str, Any] | None = None,
    template_prefix: str | None = None,
    subject: str = "",
    text_template: str = "",
    html_template: str = "",
    language: str = "en",
    translations: Mapping[str, Mapping[str, Any]] | None = None,
    key: str | None = None,
    unsubscribe_extra: str = "",
    hold_key: str = "",
) -> Mailing:
    """A draft mailing; with `key`, the mailing already made under that key is returned.

    `hold_key` (such as `case:<uuid hex>`) names the queue hold that stops the mailing's
    sending while it exists (`urgent.core.queue.queue_hold_set`).

    Templates come from files (`template_prefix`, such as "mailings/alert") or as text.
    They are copied into the mailing and checked now, so a broken template is refused here
    rather than failing every recipient later.
    """
    if kind not in Mailing.Kind.values:
        raise ApplicationError(_("Unknown kind of mailing: %(kind)s.") % {"kind": kind})
    if key:
        existing = Mailing.objects.filter(key=key).first()
        if existing is not None:
            return existing
    parts = {"subject": subject, "text_template": text_template, "html_template": html_template}
    if template_prefix:
        parts = mailing_templates_load(prefix=template_prefix)
    if not parts["subject"].strip() or not parts["text_template"].strip():
        raise ApplicationError(
            _("A mailing needs a subject and a text part."), code="incomplete_mailing"
        )
    _templates_check(parts, "")
    for code, override in (translations or {}).items():
        _templates_check(override, _language_name(code))
    mailing = Mailing(
        kind=kind,
        name=name[:200],
        key=key or None,
        language=language,
        context=dict(context or {}),
        translations={k: dict(v) for k, v in (translations or {}).items()},
        unsubscribe_extra=unsubscribe_extra,
        hold_key=hold_key,
        **parts,
    )
    try:
        with transaction.atomic():
            mailing.save()
    except IntegrityError:
        # Someone made the same mailing at the same moment: theirs is the one.
        return Mailing.objects.get(key=key)
    return mailing


def mailing_audience_add(
    *, mailing: Mailing, supporters: QuerySet[Supporter], variant: str = ""
) -> int:
    """Add recipients (one Delivery each) from a queryset; returns how many were new.

    One `INSERT ... SELECT` runs inside the database, so an audience of a million costs
    no memory here. Only active supporters with an address are added, and a supporter
    already in the mailing keeps the row (and variant) they have.
    """
    if supporters.model is not Supporter:
        raise TypeError("the audience must be a queryset of supporters")
    if mailing.state in (Mailing.State.DONE, Mailing.State.CANCELLED):
        raise ApplicationError(_("This mailing is finished; it takes no more recipients."))
    # Wrapped, so a sliced, distinct or joined queryset from the caller works as it is.
    audience = Supporter.objects.filter(
        pk__in=supporters.values("pk"),
        status=Supporter.Status.ACTIVE,
        email__isnull=False,
    ).values("id")
    try:
        sql, params = audience.query.sql_with_params()
    except EmptyResultSet:
        return 0
    quote = connection.ops.quote_name
    columns = ", ".join(
        quote(c)
        for c in ("mailing_id", "supporter_id", "status", "variant", "attempts", "claimed_by")
    )
    columns += ", " + quote("error")
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {quote(Delivery._meta.db_table)} ({columns}) "  # noqa: S608
            f"SELECT %s, audience.id, %s, %s, 0, '', '' FROM ({sql}) audience WHERE 1 = 1 "
            "ON CONFLICT (mailing_id, supporter_id) DO NOTHING",
            [mailing.pk, Delivery.Status.QUEUED, variant, *params],
        )
        return max(0, cursor.rowcount)


def mailing_wake(*, mailing_id: int) -> None:
    """Ask a worker to send this mailing (after commit); the rows say what is left."""
    from urgent.mailings.tasks import mailing_send

    # The sweep leaves a mailing alone for a lease after this, so the wake-up is not doubled.
    Mailing.objects.filter(pk=mailing_id).update(woken_at=timezone.now())
    transaction.on_commit(lambda: mailing_send.enqueue(mailing_id))


def _state_change(
    *, mailing: Mailing, allowed: tuple[str, ...], to: str, actor: Actor, reason: str = ""
) -> bool:
    now = timezone.now()
    changes: dict[str, Any] = {"state": to, "state_reason": reason, "updated_at": now}
    if to == Mailing.State.SENDING and mailing.started_at is None:
        changes["started_at"] = now
    if to in (Mailing.State.DONE, Mailing.State.CANCELLED):
        changes["finished_at"] = now
    changed = Mailing.objects.filter(pk=mailing.pk, state__in=allowed).update(**changes)
    if not changed:
        return False
    before = mailing.state
    mailing.refresh_from_db()
    audit_record(
        actor=actor,
        action=f"mailing.{to}",
        obj=mailing,
        before={"state": before},
        after={"state": to, "reason": reason},
    )
    return True


@transaction.atomic
def mailing_start(*, mailing: Mailing, actor: Actor = None) -> bool:
    """Start sending a draft; False when it was started already (it runs once)."""
    if not _state_change(
        mailing=mailing, allowed=(Mailing.State.DRAFT,), to=Mailing.State.SENDING, actor=actor
    ):
        return False
    if not mailing.deliveries.exists():
        _state_change(
            mailing=mailing,
            allowed=(Mailing.State.SENDING,),
            to=Mailing.State.DONE,
            actor=None,
            reason=_("No recipient matched."),
        )
        return True
    mailing_wake(mailing_id=mailing.pk)
    return True


@transaction.atomic
def mailing_pause(*, mailing: Mailing, actor: Actor = None, reason: str = "") -> bool:
    """Workers stop within a second and hand their unsent rows back to the queue."""
    return _state_change(
        mailing=mailing,
        allowed=(Mailing.State.SENDING,),
        to=Mailing.State.PAUSED,
        actor=actor,
        reason=reason or _("Paused by staff."),
    )


@transaction.atomic
def mailing_resume(*, mailing: Mailing, actor: Actor = None) -> bool:
    if not _state_change(
        mailing=mailing, allowed=(Mailing.State.PAUSED,), to=Mailing.State.SENDING, actor=actor
    ):
        return False
    mailing_wake(mailing_id=mailing.pk)
    return True


@transaction.atomic
def mailing_cancel(*, mailing: Mailing, actor: Actor = None) -> bool:
    """Stop for good: rows not yet sent are marked cancelled (a message in flight may go)."""
    if not _state_change(
        mailing=mailing,
        allowed=(Mailing.State.DRAFT, Mailing.State.SENDING, Mailing.State.PAUSED),
        to=Mailing.State.CANCELLED,
        actor=actor,
        reason=_("Cancelled by staff."),
    ):
        return False
    mailing.deliveries.filter(status__in=WAITING).update(
        status=Delivery.Status.CANCELLED, claimed_until=None, error="cancelled with the mailing"
    )
    return True


_MESSAGE_ID = re.compile(r"<?m([0-9a-f]{32})\.([0-9a-f]{32})@[^>\s]+>?")


@transaction.atomic
def mailing_bounce_record(
    *, message_id: str, recipient: str, permanent: bool, diagnostic: str
) -> bool:
    """Record a bounce of a mailing's message; True when the Message-ID is one of ours.

    A permanent failure marks the Delivery bounced and counts a hard bounce on the
    supporter (once per Delivery, however often the report arrives); after
    URGENT_MAIL_BOUNCE_LIMIT of them the supporter is marked bouncing and gets no more
    bulk mail. A delay only notes the diagnostic.
    """
    match = _MESSAGE_ID.fullmatch((message_id or "").strip().lower())
    if match is None:
        return False
    delivery = (
        Delivery.objects.select_for_update()
        .filter(mailing__uuid=uuid.UUID(match[1]), supporter__uuid=uuid.UUID(match[2]))
        .first()
    )
    if delivery is None:
        return False
    diagnostic = addresses_masked(" ".join((diagnostic or "").split()))[:1000]
    if not permanent:
        if delivery.status == Delivery.Status.SENT:
            Delivery.objects.filter(pk=delivery.pk).update(error=f"delayed: {diagnostic}")
        return True
    if delivery.status == Delivery.Status.BOUNCED:
        return True
    Delivery.objects.filter(pk=delivery.pk).update(
        status=Delivery.Status.BOUNCED, error=f"bounced: {diagnostic}"[:2000]
    )
    Supporter.objects.filter(pk=delivery.supporter_id).update(
        bounce_count=F("bounce_count") + 1, updated_at=timezone.now()
    )
    marked = Supporter.objects.filter(
        pk=delivery.supporter_id,
        status=Supporter.Status.ACTIVE,
        bounce_count__gte=settings.URGENT_MAIL_BOUNCE_LIMIT,
    ).update(status=Supporter.Status.BOUNCING, updated_at=timezone.now())
    if marked:
        logger.info("supporter %s marked bouncing after hard bounces", delivery.supporter_id)
    return True


@transaction.atomic
def deliveries_supporter_forget(*, supporter: Supporter) -> int:
    """For erasure: stop mail not yet sent to a supporter and blank what the rows quote.

    Bounce diagnostics quote the address ("550 <ana@example.org>: no such user"); the rows
    stay, without it, for the mailings' figures. Returns how many messages were stopped.
    """
    waiting = [Delivery.Status.QUEUED, Delivery.Status.DEFERRED]
    stopped = Delivery.objects.filter(supporter=supporter, status__in=waiting).update(
        status=Delivery.Status.CANCELLED, claimed_until=None, error=""
    )
    Delivery.objects.filter(supporter=supporter).exclude(error="").update(error="")
    return int(stopped)
