"""`urgent federation_keys show|rotate|prune`: this instance's signing keys."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from urgent.core.audit import audit_record
from urgent.federation import keys, services
from urgent.federation.keys import fingerprint_display


class Command(BaseCommand):
    help = (
        "Show this instance's federation keys, rotate to a new one (announced to every "
        "related instance, signed with the old key), or prune keys past their grace period."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("action", choices=["show", "rotate", "prune"])

    def handle(self, *args: Any, **options: Any) -> None:
        action = options["action"]
        if action == "rotate":
            old, new = keys.key_rotate()
            activity = services.key_rotation_announce(old=old, new=new)
            told = activity.deliveries.count()
            self.stdout.write(f"new key: {fingerprint_display(new.fingerprint)}")
            self.stdout.write(
                f"the old key {fingerprint_display(old.fingerprint)} stays valid until "
                f"{keys.key_valid_until(old):%Y-%m-%d %H:%M} UTC; "
                f"{told} instance(s) will be told, signed with it"
            )
            return
        if action == "prune":
            gone = keys.keys_prune()
            if gone:
                audit_record(
                    actor=None,
                    action="federation.key_prune",
                    before={"fingerprints": [key.fingerprint for key in gone]},
                )
            for key in gone:
                self.stdout.write(
                    f"deleted {key.path.name} ({fingerprint_display(key.fingerprint)})"
                )
            self.stdout.write(f"{len(gone)} key(s) deleted")
            return
        for key in keys.keys_published():
            until = keys.key_valid_until(key)
            state = "current" if until is None else f"valid until {until:%Y-%m-%d %H:%M} UTC"
            self.stdout.write(f"{fingerprint_display(key.fingerprint)}  {state}  {key.key_id}")
