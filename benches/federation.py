"""`urgent bench federation --followers N [--senders K]`: one case published to N followers.

Everything runs in a scratch data directory (SQLite), never in the configured one: the
bench migrates it, then runs itself again inside it (`--inside`). There it loads the demo
cases, starts N follower inboxes (`benches.fedsink`: real HTTP servers on loopback in one
other process, each verifying every signature and Content-Digest), makes N accepted
followers and sends a published case to all of them: one `Create` activity, N delivery
rows on the queue engine, drained by K sending threads (the worker's `deliveries_run`).

Figures: `seconds` from the activity's creation until every inbox holds it, verified;
`delivered`, the inboxes that hold it; the CPU time per delivery of the sending process
and of the inboxes' process.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

from django.db import connection

from urgent.cases.models import Case
from urgent.federation import keys
from urgent.federation.delivery import deliveries_due, deliveries_run
from urgent.federation.models import Delivery, Instance
from urgent.federation.services import case_activity_send
from urgent.web.demo import demo_load

ENV = {"URGENT_FEDERATION_ALLOW_PRIVATE": "true", "URGENT_BASE_URL": "http://127.0.0.1:9"}


def _urgent() -> str:
    return shutil.which("urgent") or str(Path(sys.executable).parent / "urgent")


def _cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def _send_all(senders: int) -> None:
    def drain() -> None:
        try:
            while deliveries_run(limit=10) or deliveries_due():
                pass
        finally:
            connection.close()

    threads = [threading.Thread(target=drain) for _ in range(senders)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()


def _inside(args: argparse.Namespace) -> int:
    demo_load()
    key = keys.key_current()
    pem = Path(tempfile.mkstemp(suffix=".pem")[1])
    pem.write_text(keys.public_key_pem(key.private_key.public_key()))
    keyargs = ["--key-id", key.key_id, "--key-pem", str(pem)]
    sink = subprocess.Popen(
        [sys.executable, "-m", "benches.fedsink", "--inboxes", str(args.followers), *keyargs],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    assert sink.stdin is not None and sink.stdout is not None
    try:
        ports = json.loads(sink.stdout.readline())
        Instance.objects.bulk_create(
            Instance(
                actor_url=f"http://127.0.0.1:{port}/federation/actor",
                inbox_url=f"http://127.0.0.1:{port}/federation/inbox",
                name=f"Follower {n}",
                follower_state=Instance.Follow.ACCEPTED,
            )
            for n, port in enumerate(ports)
        )
        case = Case.objects.filter(status=Case.Status.ACTIVE).first()
        assert case is not None

        def report() -> dict[str, float]:
            sink.stdin.write("report\n")  # type: ignore[union-attr]
            sink.stdin.flush()  # type: ignore[union-attr]
            return dict(json.loads(sink.stdout.readline()))  # type: ignore[union-attr]

        sink_cpu = report()["cpu"]
        cpu, started = _cpu(), time.perf_counter()
        case_activity_send(case=case, kind="Create")
        _send_all(args.senders)
        found = report()
        while found["delivered"] < args.followers and time.perf_counter() - started < 120:
            time.sleep(0.02)
            found = report()
        seconds = time.perf_counter() - started
        sender_cpu = _cpu() - cpu
        sent = Delivery.objects.filter(status=Delivery.Status.SENT).count()
        delivered = int(found["delivered"])
        print(f"followers: {args.followers}; sending threads: {args.senders}")
        print(f"seconds: {seconds:.2f}")
        print(f"delivered: {delivered} (verified by the inboxes; {sent} rows sent)")
        print(f"refused by the inboxes: {int(found['refused'])}")
        per = max(delivered, 1)
        print(f"cpu per delivery: sender {sender_cpu / per * 1000:.2f} ms, ", end="")
        print(f"inboxes {(found['cpu'] - sink_cpu) / per * 1000:.2f} ms")
        return 0 if delivered == args.followers else 1
    finally:
        sink.stdin.write("quit\n")
        sink.stdin.close()
        sink.wait(timeout=30)
        pem.unlink()


def run(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="urgent bench federation", description=__doc__)
    parser.add_argument("--followers", type=int, default=200)
    parser.add_argument("--senders", type=int, default=4)
    parser.add_argument("--inside", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.inside:
        return _inside(args)
    with tempfile.TemporaryDirectory(prefix="urgent-bench-federation-") as scratch:
        env = {
            k: v
            for k, v in os.environ.items()
            if k not in {"DATABASE_URL", "DJANGO_SETTINGS_MODULE"}
        }
        env.update(ENV, URGENT_DATA_DIR=scratch)
        subprocess.run(
            [_urgent(), "migrate", "--noinput"], env=env, check=True, capture_output=True
        )
        inner = [_urgent(), "bench", "federation", "--inside"]
        inner += ["--followers", str(args.followers), "--senders", str(args.senders)]
        return subprocess.run(inner, env=env, check=False).returncode


BENCHES = {"federation": run}
