"""Sweeps the worker runs every few seconds (see docs/architecture.md, "Sweeps")."""

from __future__ import annotations

from collections.abc import Callable

from urgent.outreach.services import case_events_drain, digest_weekly_schedule


def case_events_sweep() -> None:
    # The outbox: events written with each lifecycle change, drained here even when the
    # wake-up after the commit was lost (a process killed right after it).
    case_events_drain()


def digest_sweep() -> None:
    # One notice per ISO week (keyed), so asking every few seconds costs one lookup.
    digest_weekly_schedule()


SWEEPS: list[Callable[[], None]] = [case_events_sweep, digest_sweep]
