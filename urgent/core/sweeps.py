"""Housekeeping the worker runs (see docs/architecture.md, "Sweeps").

Rate-limit counters are only read for the current window; older windows are deleted once
an hour so the table stays the size of one day's traffic.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable

from urgent.core.ratelimit import ratelimit_prune

Sweep = Callable[[], None]


def sweep_every(seconds: float) -> Callable[[Sweep], Sweep]:
    """Run the decorated sweep at most once per `seconds` in this process (first round runs)."""

    def decorate(sweep: Sweep) -> Sweep:
        due = [0.0]
        lock = threading.Lock()

        def wrapper() -> None:
            with lock:
                now = time.monotonic()
                if now < due[0]:
                    return
                due[0] = now + seconds
            sweep()

        wrapper.__qualname__ = sweep.__qualname__
        wrapper.__doc__ = sweep.__doc__
        return wrapper

    return decorate


@sweep_every(3600)
def ratelimit_sweep() -> None:
    ratelimit_prune()


SWEEPS: list[Sweep] = [ratelimit_sweep]
