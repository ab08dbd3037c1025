"""What only PostgreSQL does for the queue, with real processes on the real server: the
advisory lock that makes budgeted claims take turns, budgets kept while several workers
claim at once, and the mailing sender's `synchronous_commit` off (and back on after).

SQLite runs skip these (its claims take turns through BEGIN IMMEDIATE); CI runs the suite
on PostgreSQL too.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap
import time
import zlib
from collections import Counter
from typing import Any

import psycopg
import pytest
from django.db import connection

from tests.actions.helpers import confirmed_letter
from tests.conftest import REPO
from tests.mailings.conftest import SmtpServer, mailing_make, supporter_make
from urgent.actions.models import LetterDelivery
from urgent.mailings import engine
from urgent.mailings.engine import sender

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(
        os.environ.get("DATABASE_URL", "").split(":", 1)[0] not in {"postgres", "postgresql"},
        reason="PostgreSQL only (DATABASE_URL=postgres://...); SQLite claims take turns",
    ),
]

_CLAIMER = textwrap.dedent(
    """
    import json, os, sys, time
    from pathlib import Path
    import django
    django.setup()
    from urgent.actions.services import deliveries_claim
    # A barrier: every worker, once set up, waits for the others, then all claim at once.
    ready, count = Path(sys.argv[1]), int(sys.argv[3])
    (ready / str(os.getpid())).touch()
    deadline = time.time() + 120
    while len(list(ready.iterdir())) < count and time.time() < deadline:
        time.sleep(0.001)
    got, empty = [], 0
    while empty < 3:
        ids = deliveries_claim(limit=int(sys.argv[2]))
        got += ids
        empty = 0 if ids else empty + 1
    print(json.dumps(got))
    """
)


def _test_database_url() -> str:
    db = connection.settings_dict
    return f"postgres://{db['USER']}@{db['HOST']}:{db['PORT']}/{db['NAME']}"


def _env(tmp_path: Any, **extra: str) -> dict[str, str]:
    return {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "config.settings",
        "DATABASE_URL": _test_database_url(),
        "URGENT_DATA_DIR": str(tmp_path),
        **extra,
    }


def _claimers(tmp_path: Any, count: int, limit: int, **extra: str) -> list[subprocess.Popen[str]]:
    ready = tmp_path / "ready"
    ready.mkdir(exist_ok=True)
    return [
        subprocess.Popen(
            [sys.executable, "-c", _CLAIMER, str(ready), str(limit), str(count)],
            env=_env(tmp_path, **extra),
            cwd=REPO,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for _ in range(count)
    ]


def _results(workers: list[subprocess.Popen[str]]) -> list[list[int]]:
    claimed = []
    for worker in workers:
        out, err = worker.communicate(timeout=180)
        assert worker.returncode == 0, err
        claimed.append(json.loads(out))
    return claimed


def test_workers_claiming_at_once_keep_each_officials_hourly_budget(
    demo: None, tmp_path: Any
) -> None:
    for i in range(30):
        confirmed_letter(f"writer{i}@example.org")  # 60 letters: 30 to each of two officials
    workers = _claimers(tmp_path, 4, 2, URGENT_OFFICIAL_MAX_PER_HOUR="7")
    claimed = _results(workers)
    everything = [pk for got in claimed for pk in got]
    assert len(everything) == len(set(everything))  # no letter claimed twice
    per_official = Counter(
        LetterDelivery.objects.filter(pk__in=everything).values_list("official__name", flat=True)
    )
    # Exactly the budget each: concurrent claims must not both spend the last of it.
    assert sorted(per_official.values()) == [7, 7], per_official
    assert sum(1 for got in claimed if got) >= 2  # the workers really claimed side by side
    paced = LetterDelivery.objects.filter(status=LetterDelivery.Status.QUEUED)
    assert paced.count() == 60 - 14
    assert all(d.error.startswith("paced:") for d in paced)


def test_a_budgeted_claim_waits_for_the_advisory_lock(demo: None, tmp_path: Any) -> None:
    confirmed_letter("a@example.org")
    lock = zlib.crc32(LetterDelivery._meta.db_table.encode())
    with psycopg.connect(_test_database_url()) as holder:
        holder.execute("SELECT pg_advisory_xact_lock(%s)", [lock])  # held until commit
        worker = _claimers(tmp_path, 1, 10)[0]
        # A real signal, not a sleep: the server lists the worker waiting for the lock.
        deadline = time.monotonic() + 60
        waiting = 0
        while waiting == 0 and time.monotonic() < deadline and worker.poll() is None:
            row = holder.execute(
                "SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND NOT granted"
                " AND objid = %s",
                [lock],
            ).fetchone()
            waiting = int(row[0]) if row else 0
            time.sleep(0.05)
        assert waiting == 1, worker.communicate(timeout=5)
        assert worker.poll() is None  # it could not claim while the lock was held
        assert not LetterDelivery.objects.filter(status=LetterDelivery.Status.SENDING).exists()
        holder.commit()  # releases the lock
    claimed = _results([worker])[0]
    assert len(claimed) == 2


class _Setting:
    """What `SHOW synchronous_commit` says on the sender's connection at each claim."""

    def __init__(self, claim: Any) -> None:
        self.claim = claim
        self.seen: list[str] = []

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        with connection.cursor() as cursor:
            cursor.execute("SHOW synchronous_commit")
            self.seen.append(cursor.fetchone()[0])
        return self.claim(*args, **kwargs)


def test_the_mailing_sender_commits_without_waiting_for_the_disk_then_restores_it(
    smtp_server: SmtpServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    for _ in range(3):
        supporter_make()
    mailing = mailing_make()
    spy = _Setting(sender.queue_claim)
    monkeypatch.setattr(sender, "queue_claim", spy)
    report = engine.mailing_run(mailing_id=mailing.pk)
    assert report.sent == 3 and len(smtp_server.received) == 3
    assert spy.seen and set(spy.seen) == {"off"}
    with connection.cursor() as cursor:
        cursor.execute("SHOW synchronous_commit")
        assert cursor.fetchone()[0] == "on"  # other work on this connection is durable
