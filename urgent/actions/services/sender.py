"""The letter sender as a background task: the queue only wakes a worker; the letters' own
rows say what is due.

It lives inside the services package, beside the intake that wakes it, so that nothing
outside the package is imported back by it (urgent.actions.tasks re-exports the task).
"""

from __future__ import annotations

import logging

from django_tasks import task

from urgent.actions.services.delivery import deliveries_send_due

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


def deliveries_wake() -> None:
    """Ask a worker to send the letters just queued (for on_commit; the sweep does it too)."""
    try:
        deliveries_send.enqueue()
    except Exception:  # the sweep sends them a few seconds later anyway
        log.warning("could not enqueue the letter sender", exc_info=True)
