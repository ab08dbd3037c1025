"""SIGKILL real `urgent worker` processes mid-mailing: nobody is lost, duplicates are bounded.

Runs the same machinery as `urgent bench fanout` on a scratch data directory: real worker
processes, a real SMTP sink in its own process counting what it accepted, and kills at
random points. A worker that dies holds a lease on its batch; the sweep of a surviving or
restarted worker puts those rows back once the lease runs out.
"""

from __future__ import annotations

from pathlib import Path

from benches.fanout import fanout


def test_killed_workers_lose_nobody(tmp_path: Path) -> None:
    result = fanout(
        recipients=500,
        workers=2,
        chaos=3,
        rate=150,  # about three seconds of sending, so the kills land mid-mailing
        lease=3,
        data_dir=tmp_path / "scratch",
        timeout=240,
    )
    assert result.state == "done", result
    assert result.kills == 3
    assert result.missing == 0
    assert result.sent == 500
    # One SMTP connection per worker: each kill can duplicate at most the one message
    # the server accepted in the instant before it.
    assert result.duplicates is not None and result.duplicates <= result.kills
    assert result.received == 500 + result.duplicates
