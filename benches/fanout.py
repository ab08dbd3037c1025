"""`urgent bench fanout`: one alert to N invented supporters, end to end, with real workers.

    urgent bench fanout --recipients N [--smtp HOST:PORT | --sink aiosmtpd|smtp-sink]
                        [--workers K] [--chaos K] [--dkim none|ed25519|rsa] [--rate R]

Everything runs in a scratch data directory (SQLite), never in the configured one: the
bench migrates it, creates N supporters, starts K `urgent worker` processes and an SMTP
sink (its own aiosmtpd counting sink, or Postfix's `smtp-sink` writing a dump file that is
counted afterwards), makes and starts the mailing, and waits until it is done. `--chaos K`
SIGKILLs a random worker K times at random points and starts it again at once.

Figures: seconds from the mailing's creation (which includes putting N rows in the queue)
to its last message, messages per second, the peak resident memory (VmHWM) of the
workers, and missing and duplicate recipients as counted by the receiving server. With
`--smtp` the server is someone else's and cannot be asked: those two are then left out.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from benches.scratch import ScratchDatabase

SMTP_SINK = next(
    (p for p in ("/usr/sbin/smtp-sink", "/usr/lib/postfix/smtp-sink") if Path(p).exists()),
    shutil.which("smtp-sink") or "",
)


@dataclass
class FanoutResult:
    recipients: int
    seconds: float = 0.0
    sent: int = 0
    failed: int = 0
    state: str = ""
    peak_rss_mb: float = 0.0
    worker_cpu: float = 0.0
    sink_cpu: float | None = None
    kills: int = 0
    received: int | None = None
    missing: int | None = None
    duplicates: int | None = None
    counted_by: str = ""
    notes: list[str] = field(default_factory=list)

    @property
    def per_second(self) -> float:
        return self.sent / self.seconds if self.seconds else 0.0


def _free_port() -> int:
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _urgent() -> list[str]:
    return [sys.executable, "-m", "urgent.core.cli"]


def _peak_rss_mb(pid: int) -> float:
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
    return 0.0


def _cpu_seconds(pid: int) -> float:
    """User and system CPU time a process used so far."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
    except (OSError, IndexError, ValueError):
        return 0.0


def _run(args: list[str], env: dict[str, str]) -> str:
    done = subprocess.run(args, env=env, capture_output=True, text=True, check=False)
    if done.returncode:
        raise RuntimeError(f"{' '.join(args[-3:])} failed:\n{done.stderr[-2000:]}")
    return done.stdout


class _Sink:
    """The receiving server and how it counts."""

    def __init__(self, kind: str, smtp: str | None, data: Path, env: dict[str, str]) -> None:
        self.kind = kind if not smtp else "external"
        self.proc: subprocess.Popen[bytes] | None = None
        self.out = data / "sink.json"
        # smtp-sink writes its dump as `nobody`, and the data directory is the owner's alone
        # (0700, kept so at start-up): the dump gets a directory of its own.
        self.dump_dir = Path(tempfile.mkdtemp(prefix="urgent-sink-"))
        self.dump = self.dump_dir / "smtp-sink.dump"
        if smtp:
            self.address = smtp
            return
        port = _free_port()
        self.address = f"127.0.0.1:{port}"
        if kind == "smtp-sink":
            if not SMTP_SINK:
                raise RuntimeError(
                    "Postfix's smtp-sink is not installed (Debian: apt-get install postfix)"
                )
            command = [SMTP_SINK, "-D", str(self.dump), f"127.0.0.1:{port}", "1024"]
            if os.geteuid() == 0:
                command[1:1] = ["-u", "nobody"]
                self.dump_dir.chmod(0o777)
            self.proc = subprocess.Popen(command, stderr=subprocess.DEVNULL)
        else:
            self.proc = subprocess.Popen(
                [
                    sys.executable,
                    "-m",
                    "benches.sink",
                    "--port",
                    str(port),
                    "--out",
                    str(self.out),
                ],
                env=env,
            )
            deadline = time.monotonic() + 30
            while not self.out.with_suffix(".ready").exists():
                if time.monotonic() > deadline or self.proc.poll() is not None:
                    raise RuntimeError("the aiosmtpd sink did not start (is aiosmtpd installed?)")
                time.sleep(0.1)

    def pid(self) -> int | None:
        return self.proc.pid if self.proc else None

    def finish(self) -> tuple[int, Counter[str]] | None:
        if self.proc is None:
            return None
        self.proc.send_signal(signal.SIGTERM)
        self.proc.wait(timeout=60)
        if self.kind == "smtp-sink":
            from benches.sink import smtp_sink_dump_count

            counted = smtp_sink_dump_count(self.dump) if self.dump.exists() else (0, Counter())
            shutil.rmtree(self.dump_dir, ignore_errors=True)
            return counted
        data = json.loads(self.out.read_text())
        return int(data["messages"]), Counter(data["counts"])


def fanout(
    *,
    recipients: int,
    workers: int = 2,
    connections: int = 1,
    chaos: int = 0,
    smtp: str | None = None,
    sink: str = "aiosmtpd",
    dkim: str = "none",
    rate: int = 0,
    lease: int | None = None,
    data_dir: Path | None = None,
    postgres: str = "",
    timeout: float = 3600,
    log: Any = None,
) -> FanoutResult:
    """Run the whole fan-out; the figures come back in a FanoutResult."""
    say = log or (lambda text: None)
    scratch = data_dir or Path(tempfile.mkdtemp(prefix="urgent-fanout-"))
    scratch.mkdir(parents=True, exist_ok=True)
    base_env = {
        k: v
        for k, v in os.environ.items()
        if k not in ("DJANGO_SETTINGS_MODULE", "DATABASE_URL") and not k.startswith("URGENT_")
    }
    env = {
        **base_env,
        "URGENT_DATA_DIR": str(scratch),
        "URGENT_FROM_EMAIL": "Urgent Bench <bench@urgent.example.org>",
        "URGENT_BASE_URL": "https://urgent.example.org",
        "URGENT_MAIL_RATE": str(rate),
        "URGENT_MAIL_LEASE_SECONDS": str(lease or (5 if chaos else 30)),
        "URGENT_MAIL_CONNECTIONS": str(connections),
    }
    if dkim != "none":
        env["URGENT_DKIM_KEY_FILE"] = str(_dkim_key(scratch, dkim))
        env["URGENT_DKIM_SELECTOR"] = "bench"
    try:
        with ScratchDatabase(scratch, postgres, keep=data_dir is not None) as database:
            return _send_all(
                database=database,
                env=env,
                scratch=scratch,
                recipients=recipients,
                workers=workers,
                chaos=chaos,
                smtp=smtp,
                sink=sink,
                timeout=timeout,
                say=say,
            )
    finally:
        if data_dir is None:
            shutil.rmtree(scratch, ignore_errors=True)


class _Workers:
    """The `urgent worker` processes of the run, with what the dead ones used."""

    def __init__(self, count: int, env: dict[str, str], scratch: Path) -> None:
        self.env, self.scratch = env, scratch
        self.started = 0
        self.peaks: list[float] = []
        self.cpu = 0.0
        self.procs = [self._start() for _ in range(count)]

    def _start(self) -> subprocess.Popen[bytes]:
        logfile = (self.scratch / f"worker-{self.started}.log").open("ab")
        self.started += 1
        return subprocess.Popen(
            [*_urgent(), "worker", "--interval", "0.2", "--sweep-interval", "1"],
            env=self.env,
            stdout=logfile,
            stderr=subprocess.STDOUT,
        )

    def kill_one(self) -> int:
        """SIGKILL a random worker and start it again; returns which."""
        victim = random.randrange(len(self.procs))  # noqa: S311
        proc = self.procs[victim]
        self.peaks.append(_peak_rss_mb(proc.pid))
        self.cpu += _cpu_seconds(proc.pid)
        proc.send_signal(signal.SIGKILL)
        proc.wait()
        self.procs[victim] = self._start()
        return victim

    def measure(self) -> tuple[float, float]:
        """(peak RSS in MB, CPU seconds) of every worker that ran."""
        peak = max([*self.peaks, *(_peak_rss_mb(p.pid) for p in self.procs)], default=0.0)
        return peak, self.cpu + sum(_cpu_seconds(p.pid) for p in self.procs)

    def stop(self) -> None:
        for proc in self.procs:
            if proc.poll() is None:
                proc.send_signal(signal.SIGTERM)
        for proc in self.procs:
            try:
                proc.wait(timeout=30)
            except subprocess.TimeoutExpired:
                proc.kill()


_COUNTED_BY = {
    "aiosmtpd": "the bench's aiosmtpd sink (recipients counted at each accepted message)",
    "smtp-sink": f"Postfix smtp-sink ({SMTP_SINK}), recipients counted from its -D dump",
    "external": "not counted: the server given with --smtp cannot be asked",
}


def _send_all(
    *,
    database: ScratchDatabase,
    env: dict[str, str],
    scratch: Path,
    recipients: int,
    workers: int,
    chaos: int,
    smtp: str | None,
    sink: str,
    timeout: float,
    say: Any,
) -> FanoutResult:
    """Migrate, make the supporters, start the receiver and workers, send, count."""
    result = FanoutResult(recipients=recipients)
    env.update(database.env)
    say(f"scratch data directory: {scratch}; {database.describe()}")
    _run([*_urgent(), "migrate", "--noinput", "-v", "0"], env)
    say(f"creating {recipients:,} invented supporters ...")
    _run([sys.executable, "-m", "benches.fanout", "setup", str(recipients)], env)
    receiver = _Sink(sink, smtp, scratch, env)
    result.counted_by = _COUNTED_BY[receiver.kind]
    env["EMAIL_URL"] = f"smtp://{receiver.address}"
    running: _Workers | None = None
    try:
        running = _Workers(workers, env, scratch)
        time.sleep(2.0)
        say(f"{workers} workers started; sending to {receiver.address} ...")
        output = _run([sys.executable, "-m", "benches.fanout", "start"], env)
        mailing_id = int(output.strip().split()[-1])
        db = database.connect()
        _watch(db, mailing_id, running, result, chaos=chaos, timeout=timeout, say=say)
        _totals(db, database, mailing_id, result)
        db.close()
        result.peak_rss_mb, result.worker_cpu = running.measure()
        sink_pid = receiver.pid()
        result.sink_cpu = _cpu_seconds(sink_pid) if sink_pid else None
    finally:
        if running is not None:
            running.stop()
        counted = receiver.finish()
    if counted is not None:
        messages, counts = counted
        expected = {f"s{i}@example.org" for i in range(recipients)}
        result.received = messages
        result.missing = len(expected - set(counts))
        result.duplicates = sum(n - 1 for n in counts.values() if n > 1)
    return result


def _watch(
    db: Any,
    mailing_id: int,
    running: _Workers,
    result: FanoutResult,
    *,
    chaos: int,
    timeout: float,
    say: Any,
) -> None:
    """Wait for the mailing to end, killing workers at random points with --chaos."""
    kill_at = sorted(random.uniform(0.1, 0.85) * result.recipients for _ in range(chaos))  # noqa: S311
    deadline = time.monotonic() + timeout
    last_line = 0.0
    while True:
        state, sent = db.execute(
            "SELECT state, (SELECT COUNT(*) FROM mailings_delivery WHERE mailing_id = m.id "
            "AND status = 'sent') FROM mailings_mailing m WHERE id = %s",
            (mailing_id,),
        ).fetchone()
        if state in ("done", "paused", "cancelled"):
            result.state = state
            return
        if kill_at and sent >= kill_at[0]:
            kill_at.pop(0)
            victim = running.kill_one()
            result.kills += 1
            say(f"chaos: killed worker {victim} at {sent:,} sent; starting it again")
        if time.monotonic() > deadline:
            result.state = state
            result.notes.append(f"gave up after {timeout:.0f} s")
            return
        if time.monotonic() - last_line > 5:
            say(f"  {sent:,} sent")
            last_line = time.monotonic()
        time.sleep(0.1 if chaos else 0.5)


def _totals(db: Any, database: ScratchDatabase, mailing_id: int, result: FanoutResult) -> None:
    row = db.execute(
        f"SELECT {database.seconds_between('created_at', 'finished_at')}, "  # noqa: S608
        "(SELECT COUNT(*) FROM mailings_delivery WHERE mailing_id = m.id AND status = 'sent'),"
        "(SELECT COUNT(*) FROM mailings_delivery WHERE mailing_id = m.id AND status = 'failed')"
        " FROM mailings_mailing m WHERE id = %s",
        (mailing_id,),
    ).fetchone()
    result.seconds = float(row[0] or 0.0)
    result.sent, result.failed = int(row[1]), int(row[2])


def _dkim_key(scratch: Path, kind: str) -> Path:
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric import ed25519, rsa

    key: Any = (
        ed25519.Ed25519PrivateKey.generate()
        if kind == "ed25519"
        else rsa.generate_private_key(public_exponent=65537, key_size=2048)
    )
    path = scratch / f"dkim-{kind}.pem"
    path.write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )
    return path


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="urgent bench fanout", description=__doc__.split("\n")[0])
    parser.add_argument("--recipients", type=int, default=10_000)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument(
        "--connections", type=int, default=1, help="SMTP connections (threads) per worker"
    )
    parser.add_argument("--chaos", type=int, default=0, help="SIGKILL a worker this many times")
    parser.add_argument("--smtp", help="HOST:PORT of a server to send to (not counted)")
    parser.add_argument(
        "--sink",
        choices=["aiosmtpd", "smtp-sink"],
        default="aiosmtpd",
        help="the local server to start when --smtp is not given",
    )
    parser.add_argument("--dkim", choices=["none", "ed25519", "rsa"], default="none")
    parser.add_argument("--rate", type=int, default=0, help="URGENT_MAIL_RATE for the workers")
    parser.add_argument(
        "--data-dir", type=Path, help="keep the scratch directory (and database) here"
    )
    parser.add_argument(
        "--postgres",
        metavar="URL",
        default="",
        help="a PostgreSQL server (postgres://user@host:port/db) to make a scratch database "
        "on, instead of SQLite in the scratch directory",
    )
    return parser


def _print(result: FanoutResult, workers: int) -> None:
    def shown(value: int | None) -> str:
        return "not counted" if value is None else f"{value:,}"

    print(f"recipients         {result.recipients:,}")
    print(f"state              {result.state}")
    print(f"seconds            {result.seconds:.1f}  (mailing created, queue filled, all sent)")
    print(f"messages/s         {result.per_second:,.0f}")
    print(f"sent / failed      {result.sent:,} / {result.failed:,}  (Delivery rows)")
    print(f"peak worker RSS    {result.peak_rss_mb:.0f} MB  (VmHWM, largest of {workers})")
    if result.sent:
        per = result.worker_cpu / result.sent * 1e6
        sink = f", receiver {result.sink_cpu / result.sent * 1e6:.0f} µs" if result.sink_cpu else ""
        print(f"CPU per message    workers {per:.0f} µs{sink}  (whole run, start-up included)")
    print(f"workers killed     {result.kills}")
    print(f"received messages  {shown(result.received)}")
    print(f"missing            {shown(result.missing)}")
    print(f"duplicates         {shown(result.duplicates)}")
    print(f"counted by         {result.counted_by}")
    for note in result.notes:
        print(f"note               {note}")


def run(argv: list[str]) -> int:
    parser = _parser()
    args = parser.parse_args(argv)
    if args.recipients < 1 or args.workers < 1 or not 1 <= args.connections <= 64:
        parser.error("--recipients and --workers must be at least 1, --connections 1 to 64")
    result = fanout(
        recipients=args.recipients,
        workers=args.workers,
        connections=args.connections,
        chaos=args.chaos,
        smtp=args.smtp,
        sink=args.sink,
        dkim=args.dkim,
        rate=args.rate,
        data_dir=args.data_dir,
        postgres=args.postgres,
        log=lambda text: print(text, file=sys.stderr, flush=True),
    )
    _print(result, args.workers)
    ok = result.state == "done" and not result.missing
    return 0 if ok else 1


BENCHES = {"fanout": run}


# -- steps run inside the scratch environment (python -m benches.fanout STEP) ------


def _setup(count: int) -> None:
    import uuid

    from urgent.supporters.models import Supporter

    languages = ("en", "fr", "es", "en", "de")
    batch: list[Supporter] = []
    for i in range(count):
        batch.append(
            Supporter(
                uuid=uuid.uuid4(),
                email=f"s{i}@example.org",
                name="" if i % 10 == 0 else f"Invented Person {i}",
                language=languages[i % len(languages)],
                status=Supporter.Status.ACTIVE,
            )
        )
        if len(batch) == 5000:
            Supporter.objects.bulk_create(batch)
            batch = []
    Supporter.objects.bulk_create(batch)


def _start() -> None:
    from urgent.mailings import services
    from urgent.supporters.models import Supporter

    mailing = services.mailing_create(
        kind="alert",
        name="Bench alert UA 999/26",
        template_prefix="mailings/alert",
        context={
            "case": {
                "reference": "UA 999/26",
                "headline": "Invented journalist held incommunicado",
                "country_name": "Examplestan",
                "url": "https://urgent.example.org/cases/ua-999-26/",
                "asks": ["Release her immediately", "Let her see her family and a lawyer"],
                "deadline": "31 December 2026",
                "summary": "An invented journalist was taken from her home by people in "
                "plain clothes and has not been seen since.",
            }
        },
    )
    services.mailing_audience_add(mailing=mailing, supporters=Supporter.objects.all())
    services.mailing_start(mailing=mailing)
    print(f"mailing {mailing.pk}")


if __name__ == "__main__":
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    import django

    django.setup()
    step = sys.argv[1]
    if step == "setup":
        _setup(int(sys.argv[2]))
    elif step == "start":
        _start()
    else:
        raise SystemExit(f"unknown step {step!r}")
