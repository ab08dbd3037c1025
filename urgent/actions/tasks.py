"""Background work: the queue only wakes a worker; the letters' own rows say what is due."""

from __future__ import annotations

import logging

from django_tasks import task

from urgent.actions.services import deliveries_send_due

log = logging.getLogger(__name__)


@task()
def deliveries_send() -> int:
    """Send due letters in batches until none is left that the budgets allow now."""
    total = 0
    while True:
        report = deliveries_send_due(limit=50)
        handled = report.sent + report.deferred + report.failed + report.bounced + report.submitted
        total += handled
        if report.errors:
            log.warning("letters deferred: %s", "; ".join(report.errors[:3]))
        if handled == 0:
            return total
