from __future__ import annotations

import os
import socket
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
SHARED = REPO.parent / "shared"
URGENT = str(Path(sys.executable).with_name("urgent"))


@pytest.fixture
def demo(db: None) -> None:
    from urgent.web.demo import demo_load

    demo_load()


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def urgent_env(data_dir: Path, **extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k != "DJANGO_SETTINGS_MODULE"}
    env.update({"URGENT_DATA_DIR": str(data_dir), **extra})
    return env


def run_urgent(
    *args: str, env: dict[str, str], timeout: float = 120
) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [URGENT, *args], env=env, capture_output=True, text=True, timeout=timeout, check=False
    )


@pytest.fixture
def scratch_env(tmp_path: Path) -> Iterator[dict[str, str]]:
    """Environment for a separate `urgent` process with its own data directory."""
    yield urgent_env(tmp_path / "data")
