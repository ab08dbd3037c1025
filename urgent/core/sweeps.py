"""Sweeps: finding and running the apps' sweeps, waking a worker to run them now, and the
core's own housekeeping (see docs/architecture.md, "Sweeps").

Rate-limit counters are only read for the current window; older windows are deleted once
an hour so the table stays the size of one day's traffic.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from importlib import import_module

from django.apps import apps
from django.db import connections
from django_tasks import task

from urgent.core.ratelimit import ratelimit_prune

logger = logging.getLogger("urgent.worker")

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


def sweeps_find() -> list[Sweep]:
    """Every installed app's `SWEEPS`, in the order of INSTALLED_APPS."""
    found: list[Sweep] = []
    for config in apps.get_app_configs():
        if not config.name.startswith("urgent."):
            continue
        try:
            module = import_module(f"{config.name}.sweeps")
        except ModuleNotFoundError as exc:
            if exc.name == f"{config.name}.sweeps":
                continue
            raise
        found.extend(getattr(module, "SWEEPS", []))
    return found


def _sweeps_each(sweeps: list[Sweep]) -> None:
    for sweep in sweeps:
        try:
            sweep()
        except Exception:
            logger.exception("sweep %s failed", getattr(sweep, "__qualname__", sweep))


def sweeps_run(sweeps: list[Sweep]) -> None:
    """One round: each sweep on its own, a failing one logged, then the connections closed
    (the sweep thread's own, so that a long-idle worker holds none)."""
    try:
        _sweeps_each(sweeps)
    finally:
        connections.close_all()


@task()
def sweeps_now() -> None:
    """Run every sweep once, now, in a worker (the outbox's wake-up)."""
    _sweeps_each(sweeps_find())


def sweeps_wake() -> None:
    """Ask a worker to run the sweeps now instead of at its next round.

    For `transaction.on_commit` after writing an outbox row: losing this wake-up costs a
    few seconds (the next round), never the work, so a failure is only logged.
    """
    try:
        sweeps_now.enqueue()
    except Exception:
        logger.warning("could not wake a worker; the next sweep round does it", exc_info=True)
