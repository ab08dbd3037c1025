"""Sweeps the worker runs every few seconds (see docs/architecture.md, "Sweeps").

A worker killed in the middle of a batch leaves rows marked `sending` and a task that
django-tasks-db shows as running forever. The rows carry a lease: once it has run out they
go back to the queue here, and a worker is woken for every sending mailing that has ready
rows and nobody working on it (deferred rows whose retry time came, or reclaimed rows).
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import timedelta

from django.conf import settings
from django.db.models import Q
from django.utils import timezone

from urgent.mailings.engine import deliveries_reclaim, mailing_finish_if_complete
from urgent.mailings.models import Delivery, Mailing
from urgent.mailings.selectors import mailing_has_ready_rows

logger = logging.getLogger(__name__)


def mailings_sweep() -> None:
    now = timezone.now()
    reclaimed = deliveries_reclaim(now=now)
    if reclaimed:
        logger.warning("mailings: %s deliveries back in the queue after a lease ran out", reclaimed)
    lease = timedelta(seconds=settings.URGENT_MAIL_LEASE_SECONDS)
    for mailing_id in Mailing.objects.filter(state=Mailing.State.SENDING).values_list(
        "id", flat=True
    ):
        held = Delivery.objects.filter(
            mailing_id=mailing_id, status=Delivery.Status.SENDING, claimed_until__gte=now
        )
        if held.exists():
            continue
        if not mailing_has_ready_rows(mailing_id=mailing_id, now=now):
            mailing_finish_if_complete(mailing_id=mailing_id)
            continue
        woken = Mailing.objects.filter(
            Q(woken_at__isnull=True) | Q(woken_at__lt=now - lease), pk=mailing_id
        ).update(woken_at=now)
        if woken:
            from urgent.mailings.tasks import mailing_send

            mailing_send.enqueue(mailing_id)


SWEEPS: list[Callable[[], None]] = [mailings_sweep]
