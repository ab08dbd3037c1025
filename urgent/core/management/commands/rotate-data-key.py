"""`urgent rotate-data-key [--resume]`: seal supporters' data under a new data key."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from config.keyfile import VaultError
from urgent.core.rotation import data_key_rotate


class Command(BaseCommand):
    help = (
        "Put a new data key first in the data key file, seal every sealed value again "
        "under it, then drop the older keys once no value uses them. Safe to stop and run "
        "again; --resume finishes a rotation without making yet another key."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--resume",
            action="store_true",
            help="finish an interrupted rotation under the current key (no new key)",
        )
        parser.add_argument("--batch", type=int, default=500, help="rows per transaction")

    def handle(self, *args: Any, **options: Any) -> None:
        if options["batch"] < 1:
            raise CommandError("--batch: give a number of rows of 1 or more")
        try:
            report = data_key_rotate(
                new_key=not options["resume"], batch=options["batch"], say=self.stdout.write
            )
        except VaultError as exc:
            raise CommandError(str(exc)) from exc
        if report.left:
            raise CommandError(
                "the rotation is not finished: run `urgent rotate-data-key --resume` again"
            )
        self.stdout.write(f"done: every value is sealed under {report.new_key_id}")
