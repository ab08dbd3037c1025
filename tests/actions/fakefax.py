"""A fake JSON fax service on loopback (the API of urgent.actions.fax), for new tests."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest


class FakeFax:
    """Answers POST with `submit_status` (or `fail_with` as an HTTP error); GET with
    `final_status`, the status a poll finds."""

    def __init__(self) -> None:
        self.requests: list[tuple[str, str]] = []
        self.fail_with: int | None = None
        self.submit_status = "queued"
        self.final_status = "queued"
        fake = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args: Any) -> None:
                pass

            def _send(self, code: int, body: dict[str, Any]) -> None:
                data = json.dumps(body).encode()
                self.send_response(code)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def do_POST(self) -> None:
                self.rfile.read(int(self.headers["Content-Length"]))
                fake.requests.append(("POST", self.path))
                if fake.fail_with:
                    self._send(fake.fail_with, {"error": "busy"})
                    return
                self._send(201, {"id": f"fx{len(fake.requests)}", "status": fake.submit_status})

            def do_GET(self) -> None:
                fake.requests.append(("GET", self.path))
                fax_id = self.path.rsplit("/", 1)[-1]
                self._send(200, {"id": fax_id, "status": fake.final_status, "pages": 1})

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/v1/faxes"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    @property
    def posts(self) -> int:
        return sum(1 for method, _path in self.requests if method == "POST")


@pytest.fixture
def fake_fax(settings: Any) -> Iterator[FakeFax]:
    fake = FakeFax()
    settings.URGENT_FAX = {"kind": "http", "url": fake.url, "domain": ""}
    yield fake
    fake.server.shutdown()
