"""Benchmarks and the test sinks they drive, kept out of the shipped apps.

`urgent bench NAME [ARGS...]` runs the function `available()[NAME]` with the remaining
arguments; it prints its figures and returns an exit status. Each module here offers its
benchmarks in a dict `BENCHES`. Nothing in `urgent/` imports from this package: the
`bench` command is this package's own (`benches/management/commands/bench.py`, registered by
INSTALLED_APPS), and the modules are imported only when that command runs (some need
Django's apps ready; `python -m benches.sink` must not).
"""

from __future__ import annotations

from collections.abc import Callable
from importlib import import_module

MODULES = (
    "benches.actions",
    "benches.fanout",
    "benches.federation",
    "benches.inbound",
    "benches.ingest",
)


def available() -> dict[str, Callable[[list[str]], int]]:
    found: dict[str, Callable[[list[str]], int]] = {}
    for name in MODULES:
        found.update(import_module(name).BENCHES)
    return found
