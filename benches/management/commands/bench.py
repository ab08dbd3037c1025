"""`urgent bench NAME [ARGS...]`: benchmarks that print their figures.

The command lives in the development package `benches/` (a small Django app listed last in
INSTALLED_APPS), so that no shipped app imports a benchmark.
"""

from __future__ import annotations

import argparse
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from benches import available as available_benches  # this app's own registry


class Command(BaseCommand):
    help = "Run a benchmark and print its figures (`urgent bench --list` names them)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("name", nargs="?", help="benchmark name")
        parser.add_argument(
            "bench_args", nargs=argparse.REMAINDER, help="arguments for the benchmark"
        )
        parser.add_argument("--list", action="store_true", help="list the benchmarks")

    def handle(self, *args: Any, **options: Any) -> None:
        available = available_benches()
        if options["list"] or not options["name"]:
            self.stdout.write("Benchmarks: " + (", ".join(sorted(available)) or "(none)"))
            return
        run = available.get(options["name"])
        if run is None:
            raise CommandError(
                f"no benchmark named {options['name']!r}; available: "
                + (", ".join(sorted(available)) or "(none)"),
                returncode=2,
            )
        status = run(list(options["bench_args"]))
        if status:
            raise SystemExit(status)
