"""SIGKILL real `urgent worker` processes mid-mailing: nobody is lost, duplicates are bounded.

Runs the same machinery as `urgent bench fanout` on a scratch data directory: real worker
processes, a real SMTP sink in its own process counting what it accepted, and kills at
random points. A worker that dies holds a lease on its batch; the sweep of a surviving or
restarted worker puts those rows back once the lease runs out.

The workers use the database the suite runs on: SQLite by default, and a fresh scratch
database on the same PostgreSQL server when DATABASE_URL names one (CI runs both), where
claims use SKIP LOCKED and the sender commits with `synchronous_commit` off.
"""

from __future__ import annotations

import os
from pathlib import Path
from urllib.parse import urlsplit

from benches.fanout import fanout


def _postgres() -> str:
    url = os.environ.get("DATABASE_URL", "")
    return url if urlsplit(url).scheme in {"postgres", "postgresql"} else ""


def test_killed_workers_lose_nobody(tmp_path: Path) -> None:
    postgres = _postgres()
    scratch = tmp_path / "scratch"
    result = fanout(
        recipients=500,
        workers=2,
        chaos=3,
        rate=150,  # about three seconds of sending, so the kills land mid-mailing
        lease=3,
        data_dir=scratch,
        postgres=postgres,
        timeout=240,
    )
    # The workers really ran on the database chosen: SQLite leaves its file behind.
    assert (scratch / "urgent.sqlite3").exists() == (not postgres)
    assert result.state == "done", result
    assert result.kills == 3
    assert result.missing == 0
    assert result.sent == 500
    # One SMTP connection per worker: each kill can duplicate at most the one message
    # the server accepted in the instant before it.
    assert result.duplicates is not None and result.duplicates <= result.kills
    assert result.received == 500 + result.duplicates
