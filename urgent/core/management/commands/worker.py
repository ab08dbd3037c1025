"""`urgent worker`: run queued tasks, and every few seconds the apps' sweeps.

Sweeps are the contract that keeps fan-out correct when a worker dies: an app may define
`<app>/sweeps.py` with `SWEEPS: list[Callable[[], None]]`; each sweep re-queues or reclaims
work whose lease ran out (django-tasks-db leaves a killed task marked running forever, so
the rows, not the task, say what is left). Sweeps run in a background thread with their
own database connection, closed after every round; they must be quick, safe to run in
several workers at once, and idempotent.
"""

from __future__ import annotations

import logging
import threading
from typing import Any

from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandParser

from urgent.core.sweeps import Sweep, sweeps_find, sweeps_run

logger = logging.getLogger("urgent.worker")

__all__ = ["Command", "SweepThread", "sweeps_find", "sweeps_run"]


class SweepThread(threading.Thread):
    def __init__(self, sweeps: list[Sweep], interval: float) -> None:
        super().__init__(name="urgent-sweeps", daemon=True)
        self.sweeps = sweeps
        self.interval = interval
        self.stopping = threading.Event()

    def run(self) -> None:
        while not self.stopping.wait(self.interval):
            sweeps_run(self.sweeps)

    def stop(self) -> None:
        self.stopping.set()
        self.join(timeout=self.interval + 5)


class Command(BaseCommand):
    help = "Run a background worker for every queue (stop with Ctrl-C or SIGTERM)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--interval", type=float, default=1.0, help="Idle poll interval (s).")
        parser.add_argument("--batch", action="store_true", help="Run what is queued, then exit.")
        parser.add_argument(
            "--sweep-interval",
            type=float,
            default=5.0,
            help="Seconds between sweeps that reclaim work whose lease ran out.",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        sweeps = sweeps_find()
        # Reclaim first: work a dead worker left behind is queued again before we start.
        sweeps_run(sweeps)
        sweeper = SweepThread(sweeps, options["sweep_interval"])
        if not options["batch"]:
            sweeper.start()
        try:
            call_command(
                "db_worker",
                queue_name="*",
                interval=options["interval"],
                batch=options["batch"],
                reload=False,
                verbosity=options["verbosity"],
            )
        finally:
            if sweeper.is_alive():
                sweeper.stop()
            if options["batch"]:
                sweeps_run(sweeps)
