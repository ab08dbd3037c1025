"""`urgent inbound`: run the SMTP receiver, or route again what was left unprocessed."""

from __future__ import annotations

import signal
import threading
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser


class Command(BaseCommand):
    help = (
        "Receive mail on URGENT_INBOUND_SMTP (or --listen HOST:PORT) until stopped; "
        "with --retry, route again the messages left unprocessed and exit."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--listen", help="host:port, overriding URGENT_INBOUND_SMTP")
        parser.add_argument(
            "--retry", action="store_true", help="route unprocessed messages, then exit"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        from urgent.inbound.services import inbound_retry

        if options["retry"]:
            counts = inbound_retry()
            summary = ", ".join(f"{n} {status}" for status, n in sorted(counts.items()))
            self.stdout.write(f"routed {sum(counts.values())} message(s) {summary}".strip())
            return
        listen = self._address(options.get("listen"))
        from urgent.inbound.smtp import InboundController

        host, port = listen
        controller = InboundController(host=host, port=port)
        try:
            controller.start()
        except Exception as exc:
            raise CommandError(f"cannot listen on {host}:{port}: {exc}") from exc
        self.stdout.write(
            f"Urgent inbound mail on {host}:{port} "
            f"(up to {settings.URGENT_INBOUND_MAX_BYTES} bytes a message; Ctrl-C to stop)"
        )
        self.stdout.flush()
        stop = threading.Event()
        signal.signal(signal.SIGINT, lambda *_: stop.set())
        signal.signal(signal.SIGTERM, lambda *_: stop.set())
        try:
            stop.wait()
        finally:
            controller.stop()
        self.stdout.write("Urgent inbound mail stopped.")

    def _address(self, listen: str | None) -> tuple[str, int]:
        if listen:
            host, sep, port = listen.rpartition(":")
            if not sep or not host or not port.isdigit() or not 0 < int(port) < 65536:
                raise CommandError("--listen: must be host:port, such as 127.0.0.1:2525")
            return host.strip("[]"), int(port)
        if settings.URGENT_INBOUND_SMTP is None:
            raise CommandError(
                "URGENT_INBOUND_SMTP is not set: give host:port there or with --listen"
            )
        configured_host, configured_port = settings.URGENT_INBOUND_SMTP
        return str(configured_host), int(configured_port)
