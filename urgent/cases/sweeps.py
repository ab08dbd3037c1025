"""Sweeps the worker runs every few seconds (see docs/architecture.md, "Sweeps")."""

from __future__ import annotations

from collections.abc import Callable

from urgent.cases.services import digest_weekly_schedule


def digest_sweep() -> None:
    # One mailing per ISO week (keyed), so asking every few seconds costs one lookup.
    digest_weekly_schedule()


SWEEPS: list[Callable[[], None]] = [digest_sweep]
