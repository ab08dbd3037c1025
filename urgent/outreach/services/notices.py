"""From case events to mailings: new-case alerts, Further Information and outcome notices.

`case_events_drain` reads the events cases wrote (the outbox) that outreach has not handled,
and for each one, in one transaction: marks it handled for "outreach" (the row that makes a
second worker skip it), records a Notice per purpose, and schedules the mailing. Every step
is keyed in the database (the handled row, the notice, the mailing), so draining twice, or
in two workers at once, or again after a crash, creates each mailing once.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from functools import partial
from typing import Any

from django.db import IntegrityError, transaction
from django.utils import translation
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from urgent.cases.models import Case, CaseEvent, Outcome, Update
from urgent.cases.selectors import case_events_pending
from urgent.cases.services import case_event_handled_mark
from urgent.mailings.models import Mailing
from urgent.mailings.services import mailing_audience_add, mailing_create, mailing_start
from urgent.outreach.models import Notice
from urgent.outreach.selectors import (
    Extra,
    alert_audience,
    case_context,
    case_contexts_per_language,
    followers,
)

logger = logging.getLogger(__name__)

CONSUMER = "outreach"


@transaction.atomic
def case_alert_schedule(*, case: Case) -> Mailing | None:
    """Schedule the new-case alert for the supporters whose preferences match; once."""
    case = Case.objects.get(pk=case.pk)
    if case.status != Case.Status.ACTIVE:
        return None
    mailing = mailing_create(
        kind=Mailing.Kind.ALERT,
        key=f"alert:{case.uuid}",
        name=_("Alert: %(ref)s") % {"ref": case.reference},
        template_prefix="mailings/alert",
        language=case.language,
        context={"case": case_context(case, case.language)},
        translations=case_contexts_per_language(case),
        hold_key=case.hold_key,
    )
    if mailing.state == Mailing.State.DRAFT:
        mailing_audience_add(mailing=mailing, supporters=alert_audience(case=case, weekly=False))
        mailing_start(mailing=mailing)
    return mailing


def _followers_schedule(
    *, case: Case, kind: str, key: str, name: str, prefix: str, extra: Extra
) -> Mailing:
    mailing = mailing_create(
        kind=kind,
        key=key,
        name=name,
        template_prefix=prefix,
        language=case.language,
        context={
            "case": case_context(case, case.language),
            **extra(case.language),
            "variants": {"acted": {"acted": True}},
        },
        translations=case_contexts_per_language(case, extra),
        unsubscribe_extra=f"case:{case.uuid.hex}",
        # The stop switch holds this key: no batch is claimed while the case is stopped.
        hold_key=case.hold_key,
    )
    if mailing.state == Mailing.State.DRAFT:
        acted, subscribed = followers(case=case)
        # Those who acted first: they keep the "you took action" wording.
        mailing_audience_add(mailing=mailing, supporters=acted, variant="acted")
        mailing_audience_add(mailing=mailing, supporters=subscribed)
        mailing_start(mailing=mailing)
    return mailing


@transaction.atomic
def update_notice_schedule(*, update: Update) -> Mailing:
    """Send a Further Information to the case's subscribers and everyone who acted on it."""
    update = Update.objects.select_related("case").get(pk=update.pk)

    def extra(_language: str) -> dict[str, Any]:
        return {"update": {"number": update.number, "title": update.title, "body": update.body}}

    return _followers_schedule(
        case=update.case,
        kind=Mailing.Kind.UPDATE,
        key=f"update:{update.uuid}",
        name=_("Further information %(n)s: %(ref)s")
        % {"n": update.number, "ref": update.case.reference},
        prefix="mailings/update",
        extra=extra,
    )


@transaction.atomic
def outcome_notice_schedule(*, outcome: Outcome) -> Mailing:
    """Tell the case's subscribers and everyone who acted on it how the case ended."""
    outcome = Outcome.objects.select_related("case").get(pk=outcome.pk)

    def extra(language: str) -> dict[str, Any]:
        with translation.override(language):
            return {
                "outcome": {
                    "label": str(outcome.get_kind_display()),
                    "occurred_on": date_format(outcome.occurred_on, "DATE_FORMAT"),
                    "summary": outcome.summary,
                    "positive": outcome.is_positive,
                }
            }

    return _followers_schedule(
        case=outcome.case,
        kind=Mailing.Kind.OUTCOME,
        key=f"outcome:{outcome.uuid}",
        name=_("Outcome: %(ref)s") % {"ref": outcome.case.reference},
        prefix="mailings/outcome",
        extra=extra,
    )


def _schedules(event: CaseEvent) -> list[tuple[str, str, Callable[[], Mailing | None]]]:
    """(purpose, key, schedule) for each notice an event calls for; none for the stop switch.

    The stop switch tells no supporter anything: delivery workers read it when they claim.
    An event of a case stopped meanwhile is still decided (its mailing scheduled, once), but
    the mailing is held by the case's hold key, so nothing leaves until action resumes.
    """
    kind, case, update, outcome = event.kind, event.case, event.update, event.outcome
    if kind == CaseEvent.Kind.PUBLISHED:
        return [
            (Notice.Purpose.ALERT, f"alert:{case.uuid}", partial(case_alert_schedule, case=case))
        ]
    if kind == CaseEvent.Kind.UPDATE_POSTED and update is not None:
        schedule = partial(update_notice_schedule, update=update)
        return [(Notice.Purpose.UPDATE, f"update:{update.uuid}", schedule)]
    if kind == CaseEvent.Kind.CLOSED and outcome is not None:
        schedule = partial(outcome_notice_schedule, outcome=outcome)
        return [(Notice.Purpose.OUTCOME, f"outcome:{outcome.uuid}", schedule)]
    return []


def _notice_record(
    *, event: CaseEvent, purpose: str, key: str, schedule: Callable[[], Mailing | None]
) -> Notice | None:
    try:
        with transaction.atomic():
            notice = Notice.objects.create(key=key, purpose=purpose, event=event)
    except IntegrityError:
        return None  # decided before (by another consumer run that committed)
    notice.mailing = schedule()
    if notice.mailing is None:
        notice.note = "nothing sent: the case was no longer active"
    notice.save(update_fields=["mailing", "note", "updated_at"])
    return notice


@transaction.atomic
def case_event_handle(*, event: CaseEvent) -> list[Notice] | None:
    """Decide and schedule what one event calls for; None when it was handled already."""
    if not case_event_handled_mark(event=event, consumer=CONSUMER):
        return None
    notices = []
    for purpose, key, schedule in _schedules(event):
        notice = _notice_record(event=event, purpose=purpose, key=key, schedule=schedule)
        if notice is not None:
            notices.append(notice)
    return notices


def case_events_drain(*, limit: int = 100) -> int:
    """Handle the events outreach has not handled yet, oldest first; returns how many this
    call handled (an event another worker took meanwhile is not counted).

    Each event is its own transaction: one that fails is logged and left for the next
    round, and does not hold back the others.
    """
    handled = 0
    for event in case_events_pending(consumer=CONSUMER, limit=limit):
        try:
            notices = case_event_handle(event=event)
        except Exception:
            logger.exception(
                "case event %s (%s) not handled; tried again next round", event.pk, event.key
            )
        else:
            handled += notices is not None
    return handled
