"""Real Urgent instances for integration tests: each its own `urgent serve` process, data
directory and SQLite database, on a loopback port; staff sign in over HTTP with a password
and a TOTP code, as people do. Start, stop and restart them one by one.
"""

from __future__ import annotations

import re
import signal
import subprocess
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TypeVar

import requests
from django_otp.oath import totp

from tests.conftest import URGENT, free_port, run_urgent, urgent_env

PASSWORD = "correct horse battery staple"
T = TypeVar("T")

_MAKE_STAFF = """
from django.contrib.auth.models import Group, User
from django_otp.plugins.otp_totp.models import TOTPDevice
from urgent.core.roles import roles_ensure
roles_ensure()
user = User.objects.create_user({username!r}, password={password!r}, is_staff=True)
user.groups.add(Group.objects.get(name={role!r}))
print(TOTPDevice.objects.create(user=user, name="test", confirmed=True).key)
"""


def _csrf(html: str) -> str:
    match = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', html)
    assert match, "no CSRF token on the page"
    return match.group(1)


@dataclass
class RunningInstance:
    name: str
    data_dir: Path
    port: int = field(default_factory=free_port)
    process: subprocess.Popen[bytes] | None = None
    totp_keys: dict[str, str] = field(default_factory=dict)
    sessions: dict[str, requests.Session] = field(default_factory=dict)

    @property
    def base(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def env(self) -> dict[str, str]:
        return urgent_env(
            self.data_dir,
            URGENT_BASE_URL=self.base,
            URGENT_FEDERATION_ALLOW_PRIVATE="true",
            URGENT_FEDERATION_NAME=self.name,
        )

    @property
    def log(self) -> Path:
        return self.data_dir / "serve.log"

    def urgent(self, *args: str) -> subprocess.CompletedProcess[str]:
        result = run_urgent(*args, env=self.env)
        assert result.returncode == 0, result.stderr
        return result

    def migrate(self) -> subprocess.Popen[bytes]:
        self.data_dir.mkdir(parents=True, exist_ok=True)
        return subprocess.Popen(
            [URGENT, "migrate", "--noinput"], env=self.env, stdout=subprocess.DEVNULL
        )

    def launch(self) -> None:
        """Start `urgent serve` (web and worker) without waiting for it."""
        with self.log.open("ab") as log:
            self.process = subprocess.Popen(
                [URGENT, "serve", "--bind", f"127.0.0.1:{self.port}", "--web-workers", "1"],
                env=self.env,
                stdout=log,
                stderr=subprocess.STDOUT,
            )

    def wait_up(self) -> None:
        wait_until(lambda: self._up(), timeout=90, what=f"{self.name} to start")

    def start(self) -> None:
        """Start, or start again after `stop`, and wait until it answers."""
        self.launch()
        self.wait_up()

    def _up(self) -> bool:
        assert self.process is not None and self.process.poll() is None, self.log.read_text()
        try:
            return requests.get(f"{self.base}/.well-known/urgent", timeout=10).ok
        except requests.RequestException:
            return False

    def stop(self) -> None:
        if self.process is None or self.process.poll() is not None:
            return
        self.process.send_signal(signal.SIGINT)
        try:
            self.process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()

    def staff(self, username: str, role: str = "coordinator") -> subprocess.Popen[str]:
        """Start making a staff user with a confirmed TOTP device; `staff_made` finishes it."""
        code = _MAKE_STAFF.format(username=username, password=PASSWORD, role=role)
        return subprocess.Popen(
            [URGENT, "shell", "-c", code], env=self.env, stdout=subprocess.PIPE, text=True
        )

    def staff_made(self, username: str, process: subprocess.Popen[str]) -> None:
        out, _ = process.communicate(timeout=120)
        assert process.returncode == 0, out
        self.totp_keys[username] = out.strip().splitlines()[-1]

    def session(self, username: str) -> requests.Session:
        """One signed-in session per user: a second factor's code is taken once only."""
        if username not in self.sessions:
            self.sessions[username] = self.signed_in(username)
        return self.sessions[username]

    def signed_in(self, username: str) -> requests.Session:
        """A browser-like session past the password and the second factor."""
        session = requests.Session()
        page = session.get(f"{self.base}/staff/login/", timeout=10)
        response = session.post(
            f"{self.base}/staff/login/",
            data={
                "csrfmiddlewaretoken": _csrf(page.text),
                "username": username,
                "password": PASSWORD,
                "next": "/staff/",
            },
            timeout=10,
        )
        assert "/staff/verify/" in response.url, response.text[:500]
        token = f"{totp(bytes.fromhex(self.totp_keys[username])):06d}"
        response = session.post(
            response.url,
            data={"csrfmiddlewaretoken": _csrf(response.text), "token": token, "next": "/staff/"},
            timeout=10,
        )
        assert response.url == f"{self.base}/staff/", response.text[:500]
        return session

    def post_form(self, session: requests.Session, path: str, data: dict[str, str]) -> Any:
        """POST a staff form the way a browser does, with the CSRF token of the page."""
        token = session.cookies.get("csrftoken")
        return session.post(
            f"{self.base}{path}",
            data={"csrfmiddlewaretoken": token, **data},
            timeout=30,
        )

    def fingerprint(self) -> str:
        known = requests.get(f"{self.base}/.well-known/urgent", timeout=10).json()
        return str(known["fingerprint"])


def wait_until(check: Callable[[], T], *, timeout: float = 30, what: str = "it") -> T:
    deadline = time.monotonic() + timeout
    while True:
        value = check()
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError(f"waited {timeout} s for {what}")
        time.sleep(0.3)


@contextmanager
def instances_running(
    root: Path, *names: str, coordinator: str = "coord"
) -> Iterator[list[RunningInstance]]:
    """Migrate and start one instance per name, each with a coordinator (all in parallel);
    stop them all at the end, and fail if any logged a traceback."""
    running = [RunningInstance(name, root / f"instance-{i}") for i, name in enumerate(names)]
    migrations = [instance.migrate() for instance in running]
    assert all(m.wait(timeout=300) == 0 for m in migrations)
    made = [instance.staff(coordinator) for instance in running]
    for instance, process in zip(running, made, strict=True):
        instance.staff_made(coordinator, process)
    try:
        for instance in running:
            instance.launch()
        for instance in running:
            instance.wait_up()
        yield running
    finally:
        for instance in running:
            instance.stop()
        for instance in running:
            if instance.log.exists():
                assert "Traceback" not in instance.log.read_text(), instance.log.read_text()


def follow_accepted(section: RunningInstance, issuing: RunningInstance) -> None:
    """`section`'s coordinator follows `issuing` by its address; its coordinator accepts."""
    b_staff, a_staff = section.session("coord"), issuing.session("coord")
    page = section.post_form(b_staff, "/staff/federation/lookup/", {"address": issuing.base})
    found = dict(re.findall(r'name="(actor_url|fingerprint)" value="([^"]+)"', page.text))
    followed = section.post_form(b_staff, "/staff/federation/follow/", found)
    assert "Follow request sent" in followed.text, followed.text[:500]

    def request_shown() -> str | None:
        home = a_staff.get(f"{issuing.base}/staff/federation/", timeout=10).text
        for pk in re.findall(r"/staff/federation/instances/(\d+)/accept/", home):
            detail = a_staff.get(f"{issuing.base}/staff/federation/instances/{pk}/", timeout=10)
            if section.name in detail.text:
                return str(pk)
        return None

    pk = wait_until(request_shown, timeout=60, what=f"{section.name}'s follow request")
    accepted = issuing.post_form(a_staff, f"/staff/federation/instances/{pk}/accept/", {})
    assert "now follows this instance" in accepted.text

    def accepted_seen() -> bool:
        return 'id="following-state">Accepted' in b_staff.get(followed.url, timeout=10).text

    wait_until(accepted_seen, timeout=60, what=f"the Accept to reach {section.name}")


def shell(instance: RunningInstance, code: str) -> str:
    """Run Python in the instance's own `urgent shell` (its database, its settings); the last
    line it printed (the shell prints its own lines before)."""
    result = run_urgent("shell", "-c", code, env=instance.env, timeout=180)
    assert result.returncode == 0, result.stderr[-3000:]
    lines = result.stdout.strip().splitlines()
    return lines[-1] if lines else ""
