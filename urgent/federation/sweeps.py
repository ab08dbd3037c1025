"""Sweeps the worker runs (docs/architecture.md, "Sweeps"): publish the cases outbox's new
events to followers, wake a worker for deliveries whose retry came due or whose lease ran
out, and keep the refusal log to 30 days.
"""

from __future__ import annotations

import datetime
import logging
from collections.abc import Callable

from django.utils import timezone

from urgent.core.sweeps import sweep_every
from urgent.federation.delivery import deliveries_due, deliveries_held, deliveries_reclaim
from urgent.federation.models import RefusedActivity
from urgent.federation.news.delivery import news_deliveries_due, news_deliveries_reclaim
from urgent.federation.services.counts import counts_report_all
from urgent.federation.services.health import contact_reports_send
from urgent.federation.services.publishing import case_events_publish, cases_health_publish
from urgent.federation.tasks import deliveries_drain

logger = logging.getLogger(__name__)

Sweep = Callable[[], None]

REFUSALS_KEPT = datetime.timedelta(days=30)


def case_events_sweep() -> None:
    case_events_publish()


def deliveries_sweep() -> None:
    now = timezone.now()
    reclaimed = deliveries_reclaim(now=now) + news_deliveries_reclaim(now=now)
    if reclaimed:
        logger.warning(
            "federation: %s deliveries back in the queue after a lease ran out", reclaimed
        )
    due = deliveries_due() or news_deliveries_due()
    if due and not deliveries_held(now=now):
        deliveries_drain.enqueue()


@sweep_every(60)
def health_sweep() -> None:
    """A dead contact point goes to the followers of every case that uses it; one our own
    bounces found dead goes to the origin of the case it came from."""
    cases_health_publish()
    contact_reports_send()


@sweep_every(600)
def counts_sweep() -> None:
    """Each adopted, published case's counts go to its origin once a day."""
    counts_report_all()


@sweep_every(3600)
def refusals_prune() -> None:
    RefusedActivity.objects.filter(at__lt=timezone.now() - REFUSALS_KEPT).delete()


SWEEPS: list[Sweep] = [
    case_events_sweep,
    deliveries_sweep,
    health_sweep,
    counts_sweep,
    refusals_prune,
]
