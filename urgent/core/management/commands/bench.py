"""`urgent bench NAME [ARGS...]`: benchmarks that print their figures.

Each app may offer benchmarks in a module `<app>.bench` with a dict `BENCHES` mapping a
name to a function taking the remaining arguments and returning an exit status.
"""

from __future__ import annotations

import argparse
from collections.abc import Callable
from importlib import import_module
from typing import Any

from django.apps import apps
from django.core.management.base import BaseCommand, CommandError, CommandParser


def benches() -> dict[str, Callable[[list[str]], int]]:
    found: dict[str, Callable[[list[str]], int]] = {}
    for config in apps.get_app_configs():
        if not config.name.startswith("urgent."):
            continue
        try:
            module = import_module(f"{config.name}.bench")
        except ModuleNotFoundError as exc:
            if exc.name == f"{config.name}.bench":
                continue
            raise
        found.update(getattr(module, "BENCHES", {}))
    return found


class Command(BaseCommand):
    help = "Run a benchmark and print its figures (`urgent bench --list` names them)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("name", nargs="?", help="benchmark name")
        parser.add_argument(
            "bench_args", nargs=argparse.REMAINDER, help="arguments for the benchmark"
        )
        parser.add_argument("--list", action="store_true", help="list the benchmarks")

    def handle(self, *args: Any, **options: Any) -> None:
        available = benches()
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
