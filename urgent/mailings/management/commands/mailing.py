"""`urgent mailing list|status|send|pause|resume|cancel ID`: mailings from the terminal."""

from __future__ import annotations

import sys
import threading
import time
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import connection

from urgent.core.queue import Progress
from urgent.mailings import selectors, services
from urgent.mailings.engine import mailing_run
from urgent.mailings.models import Mailing

_FINAL = (Mailing.State.DONE, Mailing.State.CANCELLED, Mailing.State.PAUSED)


def progress_line(progress: Progress, *, width: int = 30) -> str:
    filled = int(width * progress.finished / progress.total) if progress.total else width
    bar = "#" * filled + "." * (width - filled)
    left = progress.seconds_left
    left_text = "?" if left is None else f"{left // 60}:{left % 60:02d}"
    return (
        f"[{bar}] {progress.percent:3d}%  {progress.sent:,}/{progress.total:,} sent"
        f"  {progress.failed + progress.bounced:,} failed  {progress.remaining:,} left"
        f"  {progress.per_second:,.0f}/s  {left_text} to go"
    )


class Command(BaseCommand):
    help = "List mailings, show one, or send, pause, resume or cancel it (by number or UUID)."

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        sub.add_parser("list", help="the latest mailings with their progress")
        for name, text in (
            ("status", "counts of one mailing"),
            ("pause", "stop sending; workers hand back what they hold"),
            ("resume", "send a paused mailing again"),
            ("cancel", "stop for good; what is not sent yet is never sent"),
        ):
            sub.add_parser(name, help=text).add_argument("mailing", help="number or UUID")
        send = sub.add_parser("send", help="start a draft (or follow one already sending)")
        send.add_argument("mailing", help="number or UUID")
        send.add_argument("--wait", action="store_true", help="show a progress bar until done")
        send.add_argument(
            "--here",
            action="store_true",
            help="send from this process instead of leaving it to `urgent worker`",
        )

    def _get(self, ref: str) -> Mailing:
        mailing = selectors.mailing_get(ref=ref)
        if mailing is None:
            raise CommandError(f"no mailing {ref!r}; `urgent mailing list` shows them")
        return mailing

    def handle(self, *args: Any, **options: Any) -> None:
        action = options["action"]
        if action == "list":
            mailings = list(selectors.mailing_list()[:30])
            progress = selectors.mailing_progress_many(mailings=mailings)
            for m in mailings:
                p = progress[m.pk]
                self.stdout.write(
                    f"{m.pk:>6}  {m.state:<9}  {p.sent:>8,}/{p.total:<8,}  {m.kind:<7}  {m.name}"
                )
            return
        mailing = self._get(options["mailing"])
        if action == "status":
            self.stdout.write(f"{mailing.name} ({mailing.get_state_display()})")
            if mailing.state_reason:
                self.stdout.write(mailing.state_reason)
            self.stdout.write(progress_line(selectors.mailing_progress(mailing=mailing)))
            return
        if action in ("pause", "resume", "cancel"):
            function = getattr(services, f"mailing_{action}")
            if not function(mailing=mailing):
                raise CommandError(
                    f"cannot {action} mailing {mailing.pk}: it is {mailing.get_state_display()}"
                )
            self.stdout.write(f"mailing {mailing.pk}: {action} done")
            return
        self._send(mailing, wait=options["wait"], here=options["here"])

    def _send(self, mailing: Mailing, *, wait: bool, here: bool) -> None:
        if mailing.state == Mailing.State.DRAFT:
            services.mailing_start(mailing=mailing)
            mailing.refresh_from_db()
            self.stdout.write(f"mailing {mailing.pk} started")
        elif mailing.state != Mailing.State.SENDING:
            raise CommandError(
                f"mailing {mailing.pk} is {mailing.get_state_display()}; "
                "resume a paused mailing with `urgent mailing resume`"
            )
        else:
            self.stdout.write(f"mailing {mailing.pk} is already sending")
        sender = None
        if here:

            def send() -> None:
                try:
                    mailing_run(mailing_id=mailing.pk)
                finally:
                    connection.close()

            sender = threading.Thread(target=send, daemon=True)
            sender.start()
        if wait or here:
            self._wait(mailing, sender)

    def _wait(self, mailing: Mailing, sender: threading.Thread | None) -> None:
        tty = sys.stdout.isatty()
        last_line = 0.0
        quiet_since = time.monotonic()
        hinted = False
        while True:
            mailing.refresh_from_db()
            progress = selectors.mailing_progress(mailing=mailing)
            line = progress_line(progress)
            now = time.monotonic()
            if progress.per_second:
                quiet_since = now
            if tty:
                self.stdout.write("\r" + line, ending="")
                self.stdout.flush()
            elif now - last_line > 5 or mailing.state in _FINAL:
                self.stdout.write(line)
                last_line = now
            if mailing.state in _FINAL or (sender is not None and not sender.is_alive()):
                mailing.refresh_from_db()
                if mailing.state in _FINAL:
                    break
            if sender is None and not hinted and now - quiet_since > 15:
                self.stderr.write("\nnothing sent for 15 s: is `urgent worker` running?")
                hinted = True
            time.sleep(0.5)
        if tty:
            self.stdout.write("")
        self.stdout.write(f"mailing {mailing.pk}: {mailing.get_state_display()}")
        if mailing.state_reason:
            self.stdout.write(mailing.state_reason)
        if mailing.state == Mailing.State.PAUSED:
            raise SystemExit(1)
