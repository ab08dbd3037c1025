"""A counting SMTP sink for `urgent bench fanout`: accepts everything, counts recipients.

Run as `python -m benches.sink --port PORT --out FILE`. On SIGTERM it writes JSON
to FILE: the number of messages, and every recipient address with how often it arrived,
so the bench can report missing and duplicate recipients as the receiving server saw them.
Each recipient is counted when the server answers 250 to the message's final dot, which is
the moment the sender may consider it delivered.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import signal
from collections import Counter
from pathlib import Path
from typing import Any


class CountingHandler:
    def __init__(self) -> None:
        self.counts: Counter[str] = Counter()
        self.messages = 0

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        self.messages += 1
        self.counts.update(address.lower() for address in envelope.rcpt_tos)
        return "250 2.0.0 Ok: counted"


def smtp_sink_dump_count(path: Path) -> tuple[int, Counter[str]]:
    """Messages and recipients in a Postfix smtp-sink dump file (`smtp-sink -D FILE`)."""
    counts: Counter[str] = Counter()
    messages = 0
    with path.open("rb") as dump:
        for line in dump:
            if line.startswith(b"X-Mail-Args:"):
                messages += 1
            elif line.startswith(b"X-Rcpt-Args:"):
                address = line.split(b":", 1)[1].strip().split()[0].strip(b"<>")
                counts[address.decode("ascii", "replace").lower()] += 1
    return messages, counts


def main() -> None:
    from aiosmtpd.controller import Controller

    parser = argparse.ArgumentParser()
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--out", type=Path, required=True)
    args = parser.parse_args()
    handler = CountingHandler()
    controller = Controller(handler, hostname=args.host, port=args.port, data_size_limit=10_000_000)
    controller.start()
    stop = asyncio.Event()
    loop = asyncio.new_event_loop()
    for sig in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(sig, stop.set)
    args.out.with_suffix(".ready").write_text("ready")
    loop.run_until_complete(stop.wait())
    controller.stop()
    args.out.write_text(json.dumps({"messages": handler.messages, "counts": handler.counts}))


if __name__ == "__main__":
    main()
