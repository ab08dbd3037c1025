"""Run the production web server (gunicorn) and a background worker together."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from typing import Any

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError, CommandParser

from config.keyfile import VaultError
from urgent.core.rotation import data_key_check
from urgent.core.serving import WEB_THREADS, WEB_WORKERS, serve_banner


class Command(BaseCommand):
    help = "Serve the web app with gunicorn and run a background worker; Ctrl-C stops both."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--bind", default="127.0.0.1:8000", help="host:port to listen on")
        parser.add_argument(
            "--web-workers",
            type=int,
            default=WEB_WORKERS,
            help=f"gunicorn worker processes (default: one per core plus one, {WEB_WORKERS})",
        )
        parser.add_argument(
            "--threads", type=int, default=WEB_THREADS, help="threads per web worker"
        )
        parser.add_argument("--no-worker", action="store_true", help="serve the web app only")

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            data_key_check()
        except VaultError as exc:
            raise CommandError(str(exc)) from exc
        # Hashed, compressed copies of the static files, which pages link to (a few seconds;
        # files already collected and unchanged are skipped).
        call_command("collectstatic", interactive=False, verbosity=0)
        env = {**os.environ, "DJANGO_SETTINGS_MODULE": "config.settings"}
        procs = [subprocess.Popen(_web_command(options), env=env, start_new_session=True)]
        # The background worker and, when configured, the mail receiver (urgent.inbound).
        others = [] if options["no_worker"] else ["worker"]
        if settings.URGENT_INBOUND_SMTP is not None:
            others.append("inbound")
        for name in others:
            procs.append(
                subprocess.Popen(
                    [sys.executable, "-m", "urgent.core.cli", name],
                    env=env,
                    start_new_session=True,
                )
            )
        for line in serve_banner(bind=options["bind"], base_url=settings.URGENT_BASE_URL):
            self.stdout.write(line)
        code = self._supervise(procs)
        self.stdout.write("Urgent stopped.")
        if code:
            raise SystemExit(code)

    def _supervise(self, procs: list[subprocess.Popen[bytes]]) -> int:
        """Wait for Ctrl-C, SIGTERM or a process that exits; then stop them all."""
        stopping = False

        def stop(signum: int, _frame: object) -> None:
            nonlocal stopping
            stopping = True

        signal.signal(signal.SIGINT, stop)
        signal.signal(signal.SIGTERM, stop)
        code = 0
        try:
            while not stopping:
                for proc in procs:
                    if proc.poll() is not None:
                        self.stderr.write(f"a server process exited with status {proc.returncode}")
                        code = proc.returncode or 1
                        stopping = True
                time.sleep(0.3)
        finally:
            for proc in procs:
                if proc.poll() is None:
                    proc.send_signal(signal.SIGTERM)
            deadline = time.monotonic() + 15
            for proc in procs:
                try:
                    proc.wait(timeout=max(0.1, deadline - time.monotonic()))
                except subprocess.TimeoutExpired:
                    proc.kill()
                    proc.wait()
        return code


def _web_command(options: dict[str, Any]) -> list[str]:
    gunicorn = os.path.join(os.path.dirname(sys.executable), "gunicorn")
    if not os.path.exists(gunicorn):
        raise CommandError("gunicorn is not installed in this environment; run `make install`")
    return [
        gunicorn,
        "config.wsgi:application",
        "--bind",
        options["bind"],
        "--workers",
        str(options["web_workers"]),
        "--threads",
        str(options["threads"]),
        "--worker-class",
        "gthread",
        "--graceful-timeout",
        "10",
        "--access-logfile",
        "-",
        "--forwarded-allow-ips",
        "127.0.0.1",
        # Several instances may run on one machine (tests, benchmarks): no shared socket.
        "--no-control-socket",
    ]
