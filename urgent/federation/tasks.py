"""The task that wakes a worker to send deliveries; the Delivery rows say what is left."""

from __future__ import annotations

from django_tasks import task

from urgent.federation.delivery import deliveries_due, deliveries_run


@task()
def deliveries_drain() -> int:
    """Send until nothing is due (each row claimed with a lease, so workers can share)."""
    sent = 0
    for _ in range(100):
        count = deliveries_run()
        sent += count
        if not count or not deliveries_due():
            break
    return sent
