"""Housekeeping the worker runs (see docs/architecture.md, "Sweeps")."""

from __future__ import annotations

from urgent.core.sweeps import Sweep, sweep_every
from urgent.inbound.services import inbound_prune


@sweep_every(3600)
def inbound_sweep() -> None:
    inbound_prune()


SWEEPS: list[Sweep] = [inbound_sweep]
