from __future__ import annotations

import os
import socket
import subprocess
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest

REPO = Path(__file__).resolve().parents[1]
SHARED = REPO.parent / "shared"
URGENT = str(Path(sys.executable).with_name("urgent"))


@pytest.fixture
def demo(db: None) -> None:
    from urgent.web.demo import demo_load

    demo_load()


@pytest.fixture
def staff_client(db: None, client: Any) -> Callable[..., Any]:
    """A test client signed in as staff with a role, second factor verified."""

    def make(role: str = "coordinator", username: str | None = None) -> Any:
        from django.contrib.auth.models import Group, User
        from django_otp import DEVICE_ID_SESSION_KEY
        from django_otp.plugins.otp_totp.models import TOTPDevice

        from urgent.core.roles import roles_ensure

        roles_ensure()
        user = User.objects.create_user(
            username or f"{role}-user", password="correct horse battery", is_staff=True
        )
        user.groups.add(Group.objects.get(name=role))
        device = TOTPDevice.objects.create(user=user, name="test", confirmed=True)
        client.force_login(user)
        session = client.session
        session[DEVICE_ID_SESSION_KEY] = device.persistent_id
        session.save()
        client.user = user
        return client

    return make


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@contextmanager
def smtp_serving(handler: Any, settings: Any, *, port: int | None = None) -> Iterator[int]:
    """Run an aiosmtpd `handler` on loopback and send Django's mail to it; yields the port."""
    from aiosmtpd.controller import Controller

    port = port or free_port()
    controller = Controller(handler, hostname="127.0.0.1", port=port)
    controller.start()
    settings.EMAIL_BACKEND = "urgent.core.mail.smtp.EmailBackend"
    settings.EMAIL_HOST = "127.0.0.1"
    settings.EMAIL_PORT = port
    settings.EMAIL_USE_TLS = False
    settings.EMAIL_USE_SSL = False
    settings.EMAIL_HOST_USER = ""
    settings.EMAIL_HOST_PASSWORD = ""
    settings.EMAIL_TIMEOUT = 10
    try:
        yield port
    finally:
        controller.stop()


def urgent_env(data_dir: Path, **extra: str) -> dict[str, str]:
    # Its own data directory and so its own SQLite database, even in the PostgreSQL run:
    # the PostgreSQL database outside the test database is shared by every run.
    env = {
        k: v for k, v in os.environ.items() if k not in {"DJANGO_SETTINGS_MODULE", "DATABASE_URL"}
    }
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
