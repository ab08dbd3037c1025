"""`parse PATH [--format json|yaml|text]`: print the case-sheet record parsed from a file."""

from __future__ import annotations

import contextlib
import sys
from typing import Any

from django.core.management.base import (
    BaseCommand,
    CommandError,
    CommandParser,
    handle_default_options,
)
from django.db import connections

from urgent.ingest.cli import FORMATS, parse_path, render
from urgent.ingest.errors import IngestError


class Command(BaseCommand):
    help = "Parse an urgent-action case sheet (text, PDF, DOCX, HTML or .eml) and print the record."
    # Parsing touches neither the database nor the app registry.
    requires_system_checks: list[str] = []

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("path", help="the file to parse")
        parser.add_argument("--format", choices=FORMATS, default="json", help="output format")

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            sheet, extracted = parse_path(options["path"])
        except IngestError as exc:
            raise CommandError(exc.message, returncode=2) from exc
        for warning in extracted.warnings:
            self.stderr.write(f"warning: {warning}")
        self.stdout.write(render(sheet, options["format"]))

    def run_from_argv(self, argv: list[str]) -> None:
        # Django prints "CommandError: ..."; the CLI contract is "error: <message>", exit 2.
        self._called_from_command_line = True
        parser = self.create_parser(argv[0], argv[1])
        options = parser.parse_args(argv[2:])
        cmd_options = vars(options)
        args = cmd_options.pop("args", ())
        handle_default_options(options)
        try:
            self.execute(*args, **cmd_options)
        except CommandError as exc:
            if options.traceback:
                raise
            self.stderr.write(f"error: {exc}")
            sys.exit(exc.returncode)
        finally:
            # without configured settings there are no connections to close
            with contextlib.suppress(Exception):
                connections.close_all()
