"""Follower inboxes for `urgent bench federation`: many real HTTP servers on loopback in one
process, each verifying every request's signature and digest as a receiving instance does.

Run as `python -m benches.fedsink --inboxes N --key-id ID --key-pem FILE`. It prints one
JSON line with the ports it listens on, then answers commands on stdin: `report` prints a
JSON line (inboxes that received a verified activity, requests refused, this process's CPU
seconds), `quit` stops. An inbox answers 202 to a verified POST, 401 to any other.
"""

from __future__ import annotations

import argparse
import json
import resource
import sys
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

from cryptography.hazmat.primitives.serialization import load_pem_public_key

from urgent.federation.errors import Refusal
from urgent.federation.signing import signature_verify


class Inbox(ThreadingHTTPServer):
    daemon_threads = True
    key_id = ""
    public_key: Any = None

    def __init__(self) -> None:
        super().__init__(("127.0.0.1", 0), _Handler)
        self.verified: set[str] = set()
        self.refused = 0
        self.lock = threading.Lock()


class _Handler(BaseHTTPRequestHandler):
    server: Inbox

    def log_message(self, format: str, *args: Any) -> None:
        pass

    def do_POST(self) -> None:
        body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
        url = f"http://127.0.0.1:{self.server.server_address[1]}{self.path}"
        try:
            signature_verify(
                method="POST",
                url=url,
                headers=dict(self.headers.items()),
                body=body,
                key_id=self.server.key_id,
                public_key=self.server.public_key,
            )
            activity = json.loads(body)["id"]
        except (Refusal, ValueError, KeyError):
            with self.server.lock:
                self.server.refused += 1
            status = 401
        else:
            with self.server.lock:
                self.server.verified.add(activity)
            status = 202
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", "2")
        self.end_headers()
        self.wfile.write(b"{}")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--inboxes", type=int, required=True)
    parser.add_argument("--key-id", required=True)
    parser.add_argument("--key-pem", type=Path, required=True)
    args = parser.parse_args()
    Inbox.key_id = args.key_id
    Inbox.public_key = load_pem_public_key(args.key_pem.read_bytes())
    inboxes = [Inbox() for _ in range(args.inboxes)]
    for inbox in inboxes:
        threading.Thread(target=inbox.serve_forever, daemon=True).start()
    print(json.dumps([inbox.server_address[1] for inbox in inboxes]), flush=True)
    for line in sys.stdin:
        if line.strip() == "report":
            usage = resource.getrusage(resource.RUSAGE_SELF)
            report = {
                "delivered": sum(1 for inbox in inboxes if inbox.verified),
                "refused": sum(inbox.refused for inbox in inboxes),
                "cpu": usage.ru_utime + usage.ru_stime,
            }
            print(json.dumps(report), flush=True)
        elif line.strip() == "quit":
            break
    # The servers' threads are daemons: leaving ends them (a shutdown() each would wait up
    # to half a second per server, one after the other).


if __name__ == "__main__":
    main()
