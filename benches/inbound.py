"""`urgent bench inbound [--messages N] [--clients C]`: the SMTP receiver under load.

Starts a receiver on a free loopback port, sends N "Keep me updated" requests naming unknown
cases from C concurrent SMTP clients (distinct invented senders at bench.example.org), and
prints how fast messages were accepted (each "250" means stored) and how long until every
one was routed. Replies go to Django's in-memory mail backend, not to the network; the rows
the run created are deleted afterwards.
"""

from __future__ import annotations

import argparse
import smtplib
import socket
import statistics
import time
from concurrent.futures import ThreadPoolExecutor
from email.message import EmailMessage
from email.utils import make_msgid

from django.conf import settings
from django.test.utils import override_settings

from urgent.core.vault import email_hash
from urgent.inbound.models import InboundMessage
from urgent.inbound.smtp import InboundController
from urgent.supporters.models import Supporter

DOMAIN = "bench.example.org"


def _message(n: int) -> bytes:
    message = EmailMessage()
    message["From"] = f"sender{n}@{DOMAIN}"
    message["To"] = "updates@example.org"
    message["Subject"] = f"Keep me updated on UA {9000 + n}/99"
    message["Message-ID"] = make_msgid(domain=DOMAIN)
    message.set_content("Please keep me informed.\n")
    return message.as_bytes()


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _send_batch(port: int, numbers: list[int]) -> list[float]:
    latencies = []
    with smtplib.SMTP("127.0.0.1", port, timeout=60) as client:
        for n in numbers:
            started = time.perf_counter()
            client.sendmail(f"sender{n}@{DOMAIN}", ["updates@example.org"], _message(n))
            latencies.append(time.perf_counter() - started)
    return latencies


def _cleanup(count: int) -> None:
    # Senders are sealed at rest; the bench's messages are found by their Message-IDs.
    InboundMessage.objects.filter(message_id__contains=f"@{DOMAIN}").delete()
    # Addresses are sealed: the bench's senders are found by their hashes.
    for start in range(0, count, 500):
        hashes = [email_hash(f"sender{n}@{DOMAIN}") for n in range(start, start + 500)]
        Supporter.objects.filter(email_hash__in=hashes).delete()


def run(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="urgent bench inbound", description=__doc__)
    parser.add_argument("--messages", type=int, default=200)
    parser.add_argument("--clients", type=int, default=4)
    args = parser.parse_args(argv)
    _cleanup(args.messages)
    port = _free_port()
    with override_settings(EMAIL_BACKEND="django.core.mail.backends.locmem.EmailBackend"):
        controller = InboundController(host="127.0.0.1", port=port)
        controller.start()
        try:
            numbers = list(range(args.messages))
            batches = [numbers[i :: args.clients] for i in range(args.clients)]
            started = time.perf_counter()
            with ThreadPoolExecutor(max_workers=args.clients) as pool:
                latencies = [
                    x
                    for batch in pool.map(_send_batch, [port] * len(batches), batches)
                    for x in batch
                ]
            accepted = time.perf_counter() - started
            pending = InboundMessage.objects.filter(
                message_id__contains=f"@{DOMAIN}", status=InboundMessage.Status.RECEIVED
            )
            deadline = time.monotonic() + 300
            while pending.exists() and time.monotonic() < deadline:
                time.sleep(0.05)
            routed = time.perf_counter() - started
        finally:
            controller.stop()
    stored = InboundMessage.objects.filter(message_id__contains=f"@{DOMAIN}").count()
    ordered = sorted(latencies)
    print(f"database: {settings.DATABASES['default']['ENGINE'].rsplit('.', 1)[-1]}")
    print(f"messages: {args.messages} from {args.clients} clients; stored: {stored}")
    print(f"accepted: {args.messages / accepted:.1f} msg/s ({accepted:.2f} s)")
    print(
        f"time to 250: median {statistics.median(ordered) * 1000:.1f} ms, "
        f"p95 {ordered[int(len(ordered) * 0.95) - 1] * 1000:.1f} ms"
    )
    print(f"all routed after: {routed:.2f} s ({args.messages / routed:.1f} msg/s)")
    _cleanup(args.messages)
    return 0 if stored == args.messages else 1


BENCHES = {"inbound": run}
