"""Counts roll up, people never leave: each section sends, once a day, its aggregates for
every case it adopted and published (actions by channel, letters delivered, officials'
replies, supporters reached) to the instance that issued it, which keeps each section's
latest report and shows the network's totals. Only numbers cross: a test reads every
outgoing payload for personal data."""

from __future__ import annotations

import datetime
import logging
from typing import Any

from django.db import transaction
from django.utils import timezone

from urgent.cases.services import case_network_figures_set
from urgent.federation import activities
from urgent.federation.errors import Refusal
from urgent.federation.models import IncomingCase, Instance, SectionCounts
from urgent.federation.schemas import AddIn
from urgent.federation.selectors import (
    case_counts,
    case_of_ours,
    case_sent_to,
    incoming_counts_due,
    section_counts_total,
)
from urgent.federation.services.outbox import activity_send

logger = logging.getLogger(__name__)


def counts_payload(*, incoming: IncomingCase, today: datetime.date) -> dict[str, Any]:
    assert incoming.case is not None
    counts = case_counts(case=incoming.case)
    return activities.counts_build(
        to=incoming.instance.actor_url,
        target=incoming.object_id,
        counts={
            "date": today.isoformat(),
            "actions": sum(counts.by_channel.values()),
            "byChannel": dict(sorted(counts.by_channel.items())),
            "lettersDelivered": counts.letters_delivered,
            "repliesReceived": counts.replies_received,
            "supportersReached": counts.supporters_reached,
        },
    )


@transaction.atomic
def counts_report(*, incoming: IncomingCase, today: datetime.date) -> bool:
    """Send today's counts of one adopted case to its origin; False when sent already."""
    claimed = IncomingCase.objects.filter(pk=incoming.pk).exclude(counts_sent_on=today)
    if not claimed.update(counts_sent_on=today, updated_at=timezone.now()):
        return False
    payload = counts_payload(incoming=incoming, today=today)
    activity_send(payload, instances=[incoming.instance], case=incoming.case)
    return True


def counts_report_all(*, today: datetime.date | None = None) -> int:
    """Send the day's counts of every adopted, published case not reported today."""
    today = today or timezone.localdate()
    sent = 0
    for incoming in incoming_counts_due(today=today):
        try:
            sent += counts_report(incoming=incoming, today=today)
        except Exception:
            logger.exception("counts of %s not sent; tried again later", incoming.object_id)
    return sent


def counts_receive(*, instance: Instance, activity: AddIn) -> SectionCounts:
    """Keep a follower's latest counts for one of our cases; refuse counts for a case it
    was never sent (or from an instance that does not follow this one)."""
    if instance.follower_state != Instance.Follow.ACCEPTED:
        raise Refusal(
            403,
            "not_following",
            f"{instance} does not follow this instance; only followers report counts.",
        )
    case_id = case_of_ours(object_id=activity.target)
    if case_id is None or not case_sent_to(case_id=case_id, instance=instance):
        raise Refusal(
            403,
            "not_following",
            f"{activity.target} is not a case this instance sent to {instance}; "
            "counts are taken only for cases a follower received.",
        )
    report = activity.object
    row = SectionCounts.objects.filter(instance=instance, case_id=case_id).first()
    if row is not None and row.date > report.date:
        return row  # an older day's report arriving late
    values = {
        "date": report.date,
        "actions": report.actions,
        "by_channel": {str(k): v for k, v in report.byChannel.items()},
        "letters_delivered": report.lettersDelivered,
        "replies_received": report.repliesReceived,
        "supporters_reached": report.supportersReached,
    }
    with transaction.atomic():
        row, _created = SectionCounts.objects.update_or_create(
            instance=instance, case_id=case_id, defaults=values
        )
        # The public case page (in cases, below federation) shows the sum from the case.
        actions, sections = section_counts_total(case_id=case_id)
        case_network_figures_set(case_id=case_id, actions=actions, sections=sections)
    return row
