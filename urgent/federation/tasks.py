"""The task that wakes a worker to send deliveries; the Delivery rows say what is left."""

from __future__ import annotations

from django_tasks import task

from urgent.federation.delivery import deliveries_due, deliveries_run
from urgent.federation.news.delivery import news_deliveries_due, news_deliveries_run


@task()
def deliveries_drain() -> int:
    """Send until nothing is due (each row claimed with a lease, so workers can share):
    activities to other instances, then the news actor's posts to the fediverse."""
    sent = 0
    for run, due in ((deliveries_run, deliveries_due), (news_deliveries_run, news_deliveries_due)):
        for _ in range(100):
            count = run()
            sent += count
            if not count or not due():
                break
    return sent
