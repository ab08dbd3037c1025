"""How `urgent serve` sizes the web server, shared with `urgent bench intake`."""

from __future__ import annotations

import os

# Python runs one thread at a time per process: a process per core carries the load, one
# more covers a process waiting on the database, and a few threads in each keep slow
# clients and PDF downloads from holding a whole process. Measured with `urgent bench
# intake`, this beats two processes per core, which spend their time switching.
WEB_WORKERS = (os.cpu_count() or 1) + 1
WEB_THREADS = 4


def serve_banner(*, bind: str, base_url: str) -> list[str]:
    """What `urgent serve` prints: where it listens, and where staff sign in.

    The address is the one the server was bound to; the public address (URGENT_BASE_URL)
    is named as well when it is another one, as behind a reverse proxy.
    """
    if bind.startswith("unix:"):
        return [
            f"Urgent is listening on {bind} (Ctrl-C to stop)",
            f"Staff sign in at {base_url}/staff/",
        ]
    host, _sep, port = bind.rpartition(":")
    if host in {"", "0.0.0.0", "[::]", "::"}:  # noqa: S104 (naming it, not binding it)
        host = "127.0.0.1"
    local = f"http://{host}:{port}"
    lines = [f"Urgent is running at {local} (Ctrl-C to stop)"]
    public = base_url.rstrip("/")
    if public != local:
        lines.append(f"Public address (URGENT_BASE_URL): {public}")
    lines.append(f"Staff sign in at {local}/staff/")
    return lines
