"""The one retry schedule, for every kind of delivery (mail, fax, HTTP).

After the n-th failure that may pass (an SMTP 4xx, a server that cannot be reached, a busy
fax line, an HTTP 5xx or time-out), the row waits 1 minute × 4^(n-1), at most 4 hours:
1 min, 4 min, 16 min, 64 min, then every 4 hours. At the 16th such failure, about 45 hours
after the first, it has failed for good ("gave up after 16 attempts"). A refusal that will
not pass (an SMTP 5xx) fails it at once.
"""

from __future__ import annotations

from datetime import timedelta

RETRY_FIRST = timedelta(minutes=1)
RETRY_FACTOR = 4
RETRY_CAP = timedelta(hours=4)
RETRY_LIMIT = 16


def retry_after(attempts: int) -> timedelta | None:
    """How long to wait after `attempts` tries, the last of which failed for now.

    None once `attempts` reaches RETRY_LIMIT: give up.
    """
    if attempts >= RETRY_LIMIT:
        return None
    return min(RETRY_CAP, RETRY_FIRST * RETRY_FACTOR ** max(0, attempts - 1))


def retry_total() -> timedelta:
    """The time from the first failure to giving up (about 45 hours)."""
    return sum((retry_after(n) or timedelta() for n in range(1, RETRY_LIMIT)), timedelta())
