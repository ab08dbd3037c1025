"""`urgent serve` runs the real production server and worker, and stops cleanly."""

from __future__ import annotations

import signal
import sqlite3
import stat
import subprocess
import time
import urllib.error
import urllib.request
import uuid
from contextlib import closing
from pathlib import Path

from tests.conftest import URGENT, free_port, run_urgent
from urgent.core.serving import serve_banner


def wait_for(url: str, timeout: float = 30) -> int:
    deadline = time.monotonic() + timeout
    while True:
        try:
            with urllib.request.urlopen(url, timeout=5) as response:
                return int(response.status)
        except urllib.error.HTTPError as exc:
            return exc.code
        except OSError:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.3)


ENQUEUE = "from urgent.core.sweeps import sweeps_now; print(sweeps_now.enqueue().id)"


def _task_status(data_dir: Path, task_id: str, timeout: float = 60) -> str:
    """The status of a queued task in the scratch database once it is no longer waiting
    (or at once with `timeout=0`): a worker that ran it is a worker that is up."""
    deadline = time.monotonic() + timeout
    while True:
        with closing(sqlite3.connect(data_dir / "urgent.sqlite3", timeout=10)) as db:
            row = db.execute(
                "SELECT status FROM django_tasks_database_dbtaskresult WHERE id = ?", (task_id,)
            ).fetchone()
        status = str(row[0]) if row else "missing"
        if status not in {"READY", "RUNNING"} or time.monotonic() > deadline:
            return status
        time.sleep(0.2)


def test_serve_migrated_demo_then_stop_with_ctrl_c(
    scratch_env: dict[str, str], tmp_path: Path
) -> None:
    assert run_urgent("migrate", "--noinput", env=scratch_env).returncode == 0
    demo = run_urgent("demo", env=scratch_env)
    assert demo.returncode == 0, demo.stderr
    assert "password:" in demo.stdout
    again = run_urgent("demo", env=scratch_env)
    assert "already present" in again.stdout
    _only_the_owner_reads_the_data(Path(scratch_env["URGENT_DATA_DIR"]), live=False)
    queued = run_urgent("shell", "-c", ENQUEUE, env=scratch_env)
    assert queued.returncode == 0, queued.stderr
    task_id = uuid.UUID(queued.stdout.strip().splitlines()[-1]).hex
    data_dir = Path(scratch_env["URGENT_DATA_DIR"])
    assert _task_status(data_dir, task_id, timeout=0) == "READY"

    port = free_port()
    log = (tmp_path / "serve.log").open("w+")
    proc = subprocess.Popen(
        [URGENT, "serve", "--bind", f"127.0.0.1:{port}", "--web-workers", "1"],
        env=scratch_env,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    try:
        assert wait_for(f"http://127.0.0.1:{port}/") == 200
        assert wait_for(f"http://127.0.0.1:{port}/cases/ua-101-26/") == 200
        assert wait_for(f"http://127.0.0.1:{port}/cases/no-such-case/") == 404
        assert wait_for(f"http://127.0.0.1:{port}/static/urgent/site.css") == 200
        # The web worker holds the database open: its WAL and shared-memory files exist.
        _only_the_owner_reads_the_data(Path(scratch_env["URGENT_DATA_DIR"]), live=True)
        # The worker is up when it has run a task queued before it started.
        assert _task_status(data_dir, task_id) == "SUCCESSFUL"
        proc.send_signal(signal.SIGINT)
        assert proc.wait(timeout=30) == 0
    finally:
        if proc.poll() is None:
            proc.kill()
    log.seek(0)
    output = log.read()
    assert "Urgent stopped." in output
    # The address it was told to listen on, and the workspace (not the Django admin).
    assert f"Urgent is running at http://127.0.0.1:{port} " in output
    assert f"Staff sign in at http://127.0.0.1:{port}/staff/" in output
    assert "/admin/" not in output
    assert "Traceback" not in output


def _only_the_owner_reads_the_data(data: Path, *, live: bool) -> None:
    """After a real migrate and writes, by separate processes: 0700 and 0600 throughout."""
    assert stat.S_IMODE(data.stat().st_mode) == 0o700
    names = {"urgent.sqlite3", "secret_key", "staff-login.txt"}
    if live:
        names |= {"urgent.sqlite3-wal", "urgent.sqlite3-shm"}
    assert names <= {p.name for p in data.iterdir()}
    for path in data.rglob("*"):
        mode = stat.S_IMODE(path.stat().st_mode)
        assert mode & 0o077 == 0, f"{path} is {mode:o}"


def test_worker_runs_queued_work_and_exits_in_batch_mode(scratch_env: dict[str, str]) -> None:
    assert run_urgent("migrate", "--noinput", env=scratch_env).returncode == 0
    result = run_urgent("worker", "--batch", env=scratch_env)
    assert result.returncode == 0, result.stderr


def test_the_banner_names_the_bound_address_and_the_workspace() -> None:
    assert serve_banner(bind="127.0.0.1:8140", base_url="http://127.0.0.1:8000") == [
        "Urgent is running at http://127.0.0.1:8140 (Ctrl-C to stop)",
        "Public address (URGENT_BASE_URL): http://127.0.0.1:8000",
        "Staff sign in at http://127.0.0.1:8140/staff/",
    ]
    assert serve_banner(bind="0.0.0.0:8000", base_url="http://127.0.0.1:8000") == [
        "Urgent is running at http://127.0.0.1:8000 (Ctrl-C to stop)",
        "Staff sign in at http://127.0.0.1:8000/staff/",
    ]
    assert serve_banner(bind="[::1]:8141", base_url="https://urgent.example.org")[0] == (
        "Urgent is running at http://[::1]:8141 (Ctrl-C to stop)"
    )
    unix = serve_banner(bind="unix:/run/urgent.sock", base_url="https://urgent.example.org")
    assert unix == [
        "Urgent is listening on unix:/run/urgent.sock (Ctrl-C to stop)",
        "Staff sign in at https://urgent.example.org/staff/",
    ]
