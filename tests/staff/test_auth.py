"""Staff sign-in: password, second factor, throttling, roles, audit; every staff URL gated."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from django.contrib.auth.models import Group, User
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice

from urgent.core.models import AuditEntry
from urgent.core.roles import roles_ensure

pytestmark = pytest.mark.django_db

PUBLIC_STAFF_ROUTES = {"staff/login/", "staff/logout/", "staff/verify/", "staff/two-factor/"}


def current_code(device: TOTPDevice) -> str:
    return f"{totp(device.bin_key, step=device.step, t0=device.t0, digits=device.digits):06d}"


@pytest.fixture
def user() -> User:
    roles_ensure()
    user = User.objects.create_user("coord", password="correct horse battery", is_staff=True)
    user.groups.add(Group.objects.get(name="coordinator"))
    return user


def test_first_sign_in_enrols_totp_then_later_sign_ins_ask_for_the_code(
    client: Client, user: User
) -> None:
    response = client.post(
        "/staff/login/", {"username": "coord", "password": "correct horse battery"}
    )
    assert response.status_code == 302 and "/staff/two-factor/" in response["Location"]
    page = client.get(response["Location"])
    assert "<svg" in page.content.decode()
    device = TOTPDevice.objects.get(user=user, confirmed=False)

    response = client.post("/staff/two-factor/", {"token": "123"})
    assert "Enter the 6-digit code" in response.content.decode()
    response = client.post("/staff/two-factor/", {"token": current_code(device), "next": "/staff/"})
    assert response.status_code == 302 and response["Location"] == "/staff/"
    assert client.get("/staff/").status_code == 200
    device.refresh_from_db()
    assert device.confirmed

    client.post("/staff/logout/")
    assert client.get("/staff/").status_code == 302
    response = client.post(
        "/staff/login/", {"username": "coord", "password": "correct horse battery"}
    )
    assert "/staff/verify/" in response["Location"]
    # Signed in with the password only: staff pages still send you to the second factor.
    assert "/staff/verify/" in client.get("/staff/audit/")["Location"]
    admin_login = client.get("/admin/")["Location"]
    assert client.get(admin_login)["Location"].startswith("/staff/login/")
    wrong = "000000" if current_code(device) != "000000" else "111111"
    response = client.post("/staff/verify/", {"token": wrong})
    assert "not right" in response.content.decode()
    device.refresh_from_db()
    device.throttling_failure_count = 0
    device.throttling_failure_timestamp = None
    device.last_t = -1  # as if the next 30-second step had come: codes are single-use
    device.save()
    response = client.post("/staff/verify/", {"token": current_code(device), "next": "/admin/"})
    assert response["Location"] == "/admin/"
    assert client.get("/admin/").status_code == 200
    actions = list(AuditEntry.objects.values_list("action", flat=True))
    for expected in ["staff.login", "staff.otp_enrolled", "staff.logout", "staff.otp_failed"]:
        assert expected in actions
    assert "staff.otp_verified" in actions


def test_failed_sign_ins_are_throttled_and_audited(client: Client, user: User) -> None:
    for _ in range(8):
        response = client.post("/staff/login/", {"username": "coord", "password": "wrong"})
        assert "not right" in response.content.decode()
    response = client.post(
        "/staff/login/", {"username": "coord", "password": "correct horse battery"}
    )
    assert response.status_code == 429
    assert "Too many failed sign-ins" in response.content.decode()
    assert AuditEntry.objects.filter(action="staff.login_failed").count() == 8


def test_open_redirects_are_refused(client: Client, user: User) -> None:
    response = client.post(
        "/staff/login/",
        {"username": "coord", "password": "correct horse battery", "next": "https://evil.example"},
    )
    assert "evil.example" not in response["Location"]


def _staff_routes(resolver: URLResolver | None = None, prefix: str = "") -> Iterator[str]:
    for entry in (resolver or get_resolver()).url_patterns:
        route = prefix + str(entry.pattern)
        if isinstance(entry, URLResolver):
            yield from _staff_routes(entry, route)
        elif isinstance(entry, URLPattern) and route.startswith("staff/"):
            yield route


def _concrete(route: str) -> str:
    path = re.sub(r"<int:[^>]+>", "1", route)
    path = re.sub(r"<uuid:[^>]+>", "00000000-0000-0000-0000-000000000000", path)
    path = re.sub(r"<[^>]+>", "x", path)
    return "/" + path.lstrip("^").rstrip("$")


def test_every_staff_url_needs_sign_in_and_second_factor(
    client: Client, user: User, staff_client: Callable[..., Any]
) -> None:
    routes = sorted(set(_staff_routes()) - PUBLIC_STAFF_ROUTES)
    assert len(routes) >= 3
    for route in routes:
        path = _concrete(route)
        response = _request(client, path)
        assert response.status_code == 302, path
        assert response["Location"].startswith("/staff/login/"), path
    client.force_login(user)  # password only, no second factor
    for route in routes:
        path = _concrete(route)
        response = _request(client, path)
        assert response.status_code == 302 and "/staff/verify/" in response["Location"], path


def _request(client: Client, path: str) -> Any:
    """GET, or POST for the endpoints that only take POST (buttons)."""
    response = client.get(path)
    return client.post(path) if response.status_code == 405 else response


def test_roles_limit_what_staff_can_do(staff_client: Callable[..., Any]) -> None:
    viewer = staff_client("viewer")
    assert viewer.get("/staff/").status_code == 200
    assert viewer.get("/staff/audit/").status_code == 403


def test_audit_log_lists_and_exports_csv(staff_client: Callable[..., Any]) -> None:
    coordinator = staff_client("coordinator")
    AuditEntry.objects.create(actor_name="=cmd|'/C calc'!A0", action="case.update")
    html = coordinator.get("/staff/audit/").content.decode()
    assert "case.update" in html
    response = coordinator.get("/staff/audit.csv")
    body = b"".join(response.streaming_content).decode()
    assert body.startswith("at,actor,action")
    assert "case.update" in body
    assert AuditEntry.objects.filter(action="audit.export").exists()
