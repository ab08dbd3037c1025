"""A hold set while a batch is being sent (the stop switch) ends that batch at the sender's
next check: the rest of the batch goes back to the queue, where the hold keeps it."""

from __future__ import annotations

import threading
import time
from typing import Any

import pytest
from django.db import connection

from tests.mailings.conftest import SmtpServer, mailing_make, supporter_make
from urgent.core.queue import queue_hold_set
from urgent.mailings import engine
from urgent.mailings.models import Delivery

RATE = 20  # messages a second at most, so the batch of 60 takes a few seconds
KEY = "case:0123456789abcdef0123456789abcdef"


@pytest.mark.django_db(transaction=True)
def test_a_hold_ends_the_batch_being_sent(smtp_server: SmtpServer, settings: Any) -> None:
    settings.URGENT_MAIL_RATE = RATE
    settings.URGENT_MAIL_LEASE_SECONDS = 60
    for _ in range(60):
        supporter_make()
    mailing = mailing_make(hold_key=KEY)
    reports: list[Any] = []

    def run() -> None:
        try:
            reports.append(engine.mailing_run(mailing_id=mailing.pk))
        finally:
            connection.close()

    worker = threading.Thread(target=run)
    worker.start()
    deadline = time.monotonic() + 30
    while len(smtp_server.received) < 3 and time.monotonic() < deadline:
        time.sleep(0.02)
    queue_hold_set(key=KEY, reason="held: action on this case is stopped")
    at_stop = Delivery.objects.filter(mailing=mailing, status="sent").count()
    worker.join(timeout=60)
    assert not worker.is_alive()
    sent = Delivery.objects.filter(mailing=mailing, status="sent").count()
    # The batch of 60 ended early. How early depends on the machine: the sender asks every
    # `STATE_CHECK_SECONDS`, and on a loaded test machine the gap measured about a second.
    assert 3 <= at_stop <= sent < 60
    assert len(smtp_server.received) == sent
    assert Delivery.objects.filter(mailing=mailing, status="queued").count() == 60 - sent
    assert reports and reports[0].stopped_because.startswith("held")
