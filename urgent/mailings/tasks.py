"""Tasks that wake workers for a mailing; the Delivery rows say what is left to send."""

from __future__ import annotations

from django_tasks import task

from urgent.mailings import engine
from urgent.mailings.selectors import mailing_has_ready_rows


@task()
def mailing_send(mailing_id: int) -> dict[str, object]:
    """Send from this worker until nothing is ready.

    It first asks for one more task while ready rows remain, so an idle worker joins in;
    that one does the same, so every free worker helps and at most one wake-up waits.
    """
    if mailing_has_ready_rows(mailing_id=mailing_id):
        mailing_send.enqueue(mailing_id)
    report = engine.mailing_run(mailing_id=mailing_id)
    return {
        "sent": report.sent,
        "failed": report.failed,
        "deferred": report.deferred,
        "stopped": report.stopped_because,
    }
