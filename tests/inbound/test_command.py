"""`urgent inbound` as its own process, as `urgent serve` starts it."""

from __future__ import annotations

import signal
import smtplib
import socket
import subprocess
import time
from typing import Any

import pytest
from django.core.management import CommandError, call_command

from tests.conftest import URGENT, free_port, run_urgent
from tests.inbound.samples import request_mail


def wait_listening(port: int, proc: subprocess.Popen[str], timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        assert proc.poll() is None, proc.communicate()
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=1):
                return
        except OSError:
            time.sleep(0.2)
    raise AssertionError("the receiver did not start listening")


def _stored(env: dict[str, str]) -> int:
    count = run_urgent(
        "shell",
        "-c",
        "from urgent.inbound.models import InboundMessage as M; print(M.objects.count())",
        env=env,
    )
    return int(count.stdout.strip().splitlines()[-1])


def test_receiver_runs_alone_keeps_what_it_accepts_and_stops_cleanly(
    scratch_env: dict[str, str],
) -> None:
    assert run_urgent("migrate", "-v", "0", env=scratch_env).returncode == 0
    port = free_port()
    env = {**scratch_env, "URGENT_INBOUND_SMTP": f"127.0.0.1:{port}"}
    # With DATABASE_URL set (CI's PostgreSQL run) the scratch process shares one database
    # across runs, so count what this run adds.
    before = _stored(env)
    proc = subprocess.Popen(
        [URGENT, "inbound"], env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
    )
    try:
        wait_listening(port, proc)
        with smtplib.SMTP("127.0.0.1", port, timeout=20) as client:
            client.sendmail(
                "bo@example.org",
                ["someone@urgent.example.org"],
                request_mail("Hello", to="someone@urgent.example.org"),
            )
    finally:
        proc.send_signal(signal.SIGTERM)
        out, err = proc.communicate(timeout=30)
    assert proc.returncode == 0, err
    assert f"Urgent inbound mail on 127.0.0.1:{port}" in out
    assert "Urgent inbound mail stopped." in out

    assert _stored(env) == before + 1
    retried = run_urgent("inbound", "--retry", env=env)
    assert retried.returncode == 0 and retried.stdout.startswith("routed ")


def test_the_command_says_what_is_missing(settings: Any) -> None:
    settings.URGENT_INBOUND_SMTP = None
    with pytest.raises(CommandError, match="URGENT_INBOUND_SMTP is not set"):
        call_command("inbound")
    with pytest.raises(CommandError, match="--listen: must be host:port"):
        call_command("inbound", "--listen", "nowhere")
