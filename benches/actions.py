"""`urgent bench letters N` and `urgent bench intake --clients C --seconds S`."""

from __future__ import annotations

import argparse
import http.client
import os
import secrets
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

from benches.scratch import ScratchDatabase
from urgent.core.serving import WEB_THREADS, WEB_WORKERS


def letters(argv: list[str]) -> int:
    """Render N personalised one-letter PDFs, then one N-letter evening pack."""
    parser = argparse.ArgumentParser(prog="urgent bench letters")
    parser.add_argument("count", type=int, nargs="?", default=200)
    args = parser.parse_args(argv)
    from urgent.actions.pdf import letters_pdf, paper_for

    page = _letter_page
    paper = paper_for("FR")
    letters_pdf(pages=[page(0)], paper=paper)  # parse the font once, as a server would
    started = time.perf_counter()
    size = 0
    for i in range(args.count):
        size += len(letters_pdf(pages=[page(i)], paper=paper))
    single = time.perf_counter() - started
    started = time.perf_counter()
    pack = letters_pdf(pages=[page(i) for i in range(args.count)], paper=paper)
    packed = time.perf_counter() - started
    print(f"letters: {args.count} personalised PDF letters, one file each")
    print(
        f"  {single:.2f} s, {args.count / single:.1f} letters/s, "
        f"{size / args.count / 1024:.1f} KiB each"
    )
    print(f"evening pack: {args.count} letters in one PDF")
    print(f"  {packed:.2f} s, {args.count / packed:.1f} letters/s, {len(pack) / 1024:.0f} KiB")
    return 0


def _letter_page(i: int) -> Any:
    """The i-th invented supporter's letter to an invented official, as one PDF page."""
    from django.utils import timezone

    from urgent.actions.letters import LetterSource, Signature, letter_compose
    from urgent.actions.pdf import LetterPage, date_in_language

    source = LetterSource(
        reference="UA 101/26",
        headline="Opposition activist at risk of torture",
        names=["Daniyar Orazmyradov"],
        asks=[
            "Disclose at once the fate and whereabouts of Daniyar Orazmyradov.",
            "If he is in custody, protect him from torture and other ill-treatment and give "
            "him access to his family, a lawyer of his choice and any medical care he needs.",
            "Release him immediately unless there is credible evidence that he committed an "
            "internationally recognised offence.",
        ],
        salutations=["Dear President,"],
    )
    recipient = [
        "Oraz Baymuradov",
        "President of Turkmenistan",
        "100 Example Plaza, Suite 500",
        "New York, NY 10017",
        "USA",
    ]
    signature = Signature(name=f"Supporter {i} Example", city="Lyon", country="FR")
    letter = letter_compose(
        source=source,
        language=("en", "fr", "es", "de")[i % 4],
        personal=f"I am writer number {i}, a nurse, and I care about justice.",
        signature=signature,
    )
    return LetterPage(
        recipient=recipient,
        sender=signature.lines("en"),
        date=date_in_language(timezone.localdate(), "en"),
        subject=letter.subject,
        body=letter.body,
        footer="UA 101/26",
    )


def _wait_ready(port: int, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
            conn.request("GET", "/act/challenge/")
            if conn.getresponse().status == 200:
                return
        except OSError:
            time.sleep(0.3)
    raise RuntimeError("the server did not start")


def _percentile(values: list[float], q: float) -> float:
    if not values:
        return float("nan")
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


def _intake_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="urgent bench intake")
    parser.add_argument("--clients", type=int, default=16)
    parser.add_argument("--seconds", type=float, default=10)
    parser.add_argument(
        "--web-workers", type=int, default=WEB_WORKERS, help="as for `urgent serve`"
    )
    parser.add_argument("--threads", type=int, default=WEB_THREADS, help="as for `urgent serve`")
    parser.add_argument(
        "--pow-max",
        type=int,
        default=1000,
        help="proof-of-work difficulty for this run (verifying costs the server the same "
        "at any difficulty; a lower one only spares the bench client time)",
    )
    parser.add_argument("--max-actions", type=int, default=0, help="challenges to solve")
    parser.add_argument(
        "--postgres",
        metavar="URL",
        default="",
        help="a PostgreSQL server (postgres://user@host:port/db) to make a scratch database "
        "on, instead of SQLite in the scratch data directory",
    )
    parser.add_argument(
        "--keep", action="store_true", help="keep the scratch data directory (and database)"
    )
    return parser


def intake(argv: list[str]) -> int:
    """Run `urgent serve --no-worker` on a scratch data directory and record self-reported
    actions through the real form endpoint with every check on: CSRF, proof of work (solved
    before the timed window), honeypot, rate limits and the one-action-per-challenge rule."""
    args = _intake_parser().parse_args(argv)

    urgent = str(Path(sys.executable).with_name("urgent"))
    port = _free_port()
    key = secrets.token_urlsafe(40)
    scratch = Path(tempfile.mkdtemp(prefix="urgent-bench-intake-"))
    env = {
        k: v for k, v in os.environ.items() if k not in {"DJANGO_SETTINGS_MODULE", "DATABASE_URL"}
    }
    env.update(
        {
            "URGENT_DATA_DIR": str(scratch),
            "SECRET_KEY": key,
            "URGENT_BASE_URL": f"http://127.0.0.1:{port}",
            "URGENT_POW_MAX_NUMBER": str(args.pow_max),
            # Every client comes from 127.0.0.1: the per-address limit is still counted on
            # every request, only set high enough for one address to carry the whole load.
            "URGENT_ACTIONS_PER_IP_PER_HOUR": str(10**9),
        }
    )
    try:
        with ScratchDatabase(scratch, args.postgres, keep=args.keep) as database:
            env.update(database.env)
            outcome = _measure(args, env, database, urgent, port, key)
    finally:
        if not args.keep:
            shutil.rmtree(scratch, ignore_errors=True)
    if outcome is None:
        return 1
    run, stored, described = outcome
    ok, elapsed = run.ok, run.elapsed
    print(
        f"intake: {args.clients} clients, {elapsed:.1f} s, gunicorn {args.web_workers} workers x "
        f"{args.threads} threads, {described}"
    )
    print(f"  {ok / elapsed:.0f} actions/s ({ok} responses 2xx, {run.other} other)")
    print(
        "  latency ms: p50 {:.1f}  p95 {:.1f}  p99 {:.1f}  max {:.1f}".format(
            *(1000 * _percentile(run.latencies, q) for q in (0.5, 0.95, 0.99, 1.0))
        )
    )
    print(f"  bench client: {100 * run.client_cpu / elapsed:.0f}% of one core (same machine)")
    if ok:
        # CPU per action does not depend on what else the machine runs; the rate does.
        web, base, client = (1000 * cpu / ok for cpu in (run.web_cpu, run.db_cpu, run.client_cpu))
        print(
            f"  CPU per action: web {web:.2f} ms, database {base:.2f} ms, bench client "
            f"{client:.2f} ms: {(os.cpu_count() or 1) * 1000 / (web + base + client):.0f} "
            f"actions/s would fill this machine's {os.cpu_count()} cores"
        )
    print(
        f"  stored actions: {stored} "
        f"({'matches' if stored == ok else 'DOES NOT MATCH'} the 2xx count)"
    )
    return 0 if stored == ok and run.other == 0 else 1


def _measure(
    args: argparse.Namespace,
    env: dict[str, str],
    database: ScratchDatabase,
    urgent: str,
    port: int,
    key: str,
) -> tuple[_Run, int, str] | None:
    """Migrate, load the demo, serve, drive; the results, stored actions and the database."""
    from django.test import override_settings

    from urgent.actions.pow import challenge_new, challenge_solve

    for command in (["migrate", "--noinput"], ["demo"]):
        done = subprocess.run(
            [urgent, *command], env=env, capture_output=True, text=True, check=False
        )
        if done.returncode:
            print(done.stderr, file=sys.stderr)
            return None
    budget = args.max_actions or int(2000 * args.seconds)
    print(f"solving {budget} proof-of-work challenges before the timed window ...", flush=True)
    with override_settings(SECRET_KEY=key, URGENT_POW_MAX_NUMBER=args.pow_max):
        solutions = [challenge_solve(challenge_new()) for _ in range(budget)]
    server = subprocess.Popen(
        [
            urgent,
            "serve",
            "--no-worker",
            "--bind",
            f"127.0.0.1:{port}",
            "--web-workers",
            str(args.web_workers),
            "--threads",
            str(args.threads),
        ],
        env={**env, "GUNICORN_CMD_ARGS": "--access-logfile=/dev/null"},
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )
    try:
        _wait_ready(port)
        baseline = database.count("actions_action")
        result = _drive(
            port,
            args.clients,
            args.seconds,
            solutions,
            cpu=lambda: _server_cpu(server.pid, database),
        )
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        try:
            server.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(server.pid, signal.SIGKILL)
    return result, database.count("actions_action") - baseline, database.describe()


def _drive(
    port: int,
    clients: int,
    seconds: float,
    solutions: list[str],
    *,
    cpu: Callable[[], tuple[float, float]],
) -> _Run:
    """Post the solutions from `clients` keep-alive connections for `seconds`."""
    lock = threading.Lock()
    pool = iter(solutions)
    latencies: list[float] = []
    counts = {"ok": 0, "other": 0}
    start = threading.Event()
    stop_at = [0.0]

    def client() -> None:
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        token, headers = _csrf(conn, port)
        mine: list[float] = []
        ok = other = 0
        start.wait()
        while time.perf_counter() < stop_at[0]:
            with lock:
                payload = next(pool, None)
            if payload is None:
                break
            body = urlencode(
                {"csrfmiddlewaretoken": token, "channel": "phone", "altcha": payload, "website": ""}
            )
            began = time.perf_counter()
            conn.request("POST", "/act/ua-101-26/record/", body=body, headers=headers)
            response = conn.getresponse()
            response.read()
            mine.append(time.perf_counter() - began)
            if 200 <= response.status < 300:
                ok += 1
            else:
                other += 1
        with lock:
            latencies.extend(mine)
            counts["ok"] += ok
            counts["other"] += other

    threads = [threading.Thread(target=client) for _ in range(clients)]
    for thread in threads:
        thread.start()
    time.sleep(1)  # every client has its cookie
    before = (time.process_time(), *cpu())
    began = time.perf_counter()
    stop_at[0] = began + seconds
    start.set()
    for thread in threads:
        thread.join()
    elapsed = time.perf_counter() - began
    after = (time.process_time(), *cpu())
    used = [end - begin for end, begin in zip(after, before, strict=True)]
    return _Run(latencies, counts["ok"], counts["other"], elapsed, *used)


@dataclass(frozen=True)
class _Run:
    latencies: list[float]
    ok: int
    other: int
    elapsed: float
    client_cpu: float  # CPU seconds of the bench's own clients
    web_cpu: float  # of `urgent serve` and its gunicorn processes
    db_cpu: float  # of the PostgreSQL backends serving the scratch database (0 on SQLite)


def _server_cpu(server: int, database: ScratchDatabase) -> tuple[float, float]:
    """CPU seconds used so far by the server process and its descendants (gunicorn and its
    workers), and by the PostgreSQL backends on the scratch database; from /proc (Linux,
    every process on this machine)."""
    parents: dict[int, int] = {}
    seconds: dict[int, float] = {}
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue  # the process ended
        pid = int(stat.parent.name)
        # After the name: state, ppid, ..., utime (the 12th field), stime (the 13th).
        parents[pid] = int(fields[1])
        seconds[pid] = (int(fields[11]) + int(fields[12])) / _TICKS
    web = set()
    for pid in parents:
        ancestor = pid
        while ancestor > 1 and ancestor != server:
            ancestor = parents.get(ancestor, 0)
        if ancestor == server:
            web.add(pid)
    backends = set(database.backend_pids())
    return sum(seconds[p] for p in web), sum(seconds.get(p, 0.0) for p in backends)


_TICKS = os.sysconf("SC_CLK_TCK")


def _csrf(conn: http.client.HTTPConnection, port: int) -> tuple[str, dict[str, str]]:
    """A CSRF token from the case page, and the headers a form post needs with it."""
    conn.request("GET", "/cases/ua-101-26/")
    response = conn.getresponse()
    cookies = response.headers.get_all("Set-Cookie") or []
    response.read()
    token = next(c.split(";")[0].split("=", 1)[1] for c in cookies if c.startswith("csrftoken="))
    return token, {
        "Content-Type": "application/x-www-form-urlencoded",
        "Cookie": f"csrftoken={token}",
        "Referer": f"http://127.0.0.1:{port}/cases/ua-101-26/",
    }


def _free_port() -> int:
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


BENCHES = {"letters": letters, "intake": intake}
