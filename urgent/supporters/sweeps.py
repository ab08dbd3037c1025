"""Housekeeping the worker runs (see docs/architecture.md, "Sweeps")."""

from __future__ import annotations

from urgent.core.sweeps import Sweep, sweep_every
from urgent.supporters.services import unconfirmed_prune


@sweep_every(3600)
def unconfirmed_sweep() -> None:
    unconfirmed_prune()


SWEEPS: list[Sweep] = [unconfirmed_sweep]
