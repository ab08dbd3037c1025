"""Sending a mailing: claim a batch of Delivery rows, render, send, record.

Delivery rows are rows of the queue engine (`urgent.core.queue`), which claims them in
batches with a lease, reclaims them when a worker dies, retries on its one schedule and
records each outcome. This package adds what bulk mail needs:

* A worker claims up to BATCH rows of one mailing while the mailing is sending and its
  hold key (`Mailing.hold_key`) is not held, and renews the lease while the batch lasts.
* Each message is rendered ahead and sent through the configured Django email backend
  (the SMTP backend pipelines and DKIM-signs; `urgent.core.mail`).
* Each message is recorded as sent with one UPDATE right after the server accepted it,
  before the next message goes out on that connection. A kill can therefore duplicate at
  most the one message per connection that the server accepted in the instant before.
* A 4xx defers the row on the one retry schedule (`urgent.core.queue.retry`); a 5xx fails
  it with the server's words; a template or address that fails for one recipient fails
  only that row.
* Refusals in a row (URGENT_MAIL_REFUSAL_LIMIT) or a mail server that cannot be reached
  pause the mailing with the reason, and the refused rows go back to the queue for resume.
"""

from __future__ import annotations

import logging
import signal
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from django.conf import settings
from django.db import connection
from django.db.models import Q
from django.utils import timezone

from urgent.core.queue import WAITING, Report, queue_reclaim
from urgent.mailings.engine.parts import deliveries_queue, streak_for
from urgent.mailings.engine.sender import Sender
from urgent.mailings.models import Delivery, Mailing

logger = logging.getLogger(__name__)


@contextmanager
def _stop_on_signals(stop: threading.Event) -> Iterator[None]:
    """SIGTERM/SIGINT stop the sending loop at the next message; the previous handler runs."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    previous: dict[int, Any] = {
        sig: signal.getsignal(sig) for sig in (signal.SIGTERM, signal.SIGINT)
    }

    def handler(signum: int, frame: Any) -> None:
        stop.set()
        before = previous.get(signum)
        if callable(before):
            before(signum, frame)

    for sig in previous:
        signal.signal(sig, handler)
    try:
        yield
    finally:
        for sig, before in previous.items():
            signal.signal(sig, before)


def mailing_finish_if_complete(*, mailing_id: int) -> bool:
    """Mark a sending mailing done once no row waits; True when it is done now."""
    waiting = Delivery.objects.filter(mailing_id=mailing_id, status__in=WAITING)
    if waiting.exists():
        return False
    now = timezone.now()
    return bool(
        Mailing.objects.filter(pk=mailing_id, state=Mailing.State.SENDING).update(
            state=Mailing.State.DONE, finished_at=now, updated_at=now
        )
    )


def mailing_run(
    *, mailing_id: int, connections: int | None = None, stop: threading.Event | None = None
) -> Report:
    """Send a mailing's waiting rows from this process until none is ready, then return."""
    mailing = Mailing.objects.get(pk=mailing_id)
    stop = stop or threading.Event()
    streak = streak_for(mailing_id)
    count = connections or settings.URGENT_MAIL_CONNECTIONS
    report = Report()
    with _stop_on_signals(stop):
        if count <= 1:
            report = Sender(mailing=mailing, stop=stop, streak=streak).run()
        else:
            reports: list[Report] = []

            def work() -> None:
                try:
                    reports.append(Sender(mailing=mailing, stop=stop, streak=streak).run())
                finally:
                    connection.close()

            threads = [threading.Thread(target=work, daemon=True) for _ in range(count)]
            for thread in threads:
                thread.start()
            for thread in threads:
                thread.join()
            for part in reports:
                report.add(part)
    mailing_finish_if_complete(mailing_id=mailing_id)
    return report


def deliveries_reclaim(*, now: Any = None) -> int:
    """Put rows whose lease ran out (their worker died) back in the queue."""
    # Only sending or paused mailings can hold leases (done needs none waiting; cancel
    # clears them), and per mailing the claim index finds its `sending` rows.
    live = Mailing.objects.filter(state__in=[Mailing.State.SENDING, Mailing.State.PAUSED])
    scope = Q(mailing_id__in=list(live.values_list("id", flat=True)))
    return queue_reclaim(deliveries_queue(), scope=scope, now=now)


__all__ = [
    "Report",
    "deliveries_reclaim",
    "mailing_finish_if_complete",
    "mailing_run",
]
