"""HTTPS hardening: Strict-Transport-Security on an https site; personal pages never cached."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from django.test import Client, override_settings

pytestmark = pytest.mark.django_db


def test_strict_transport_security_when_the_base_url_is_https() -> None:
    with override_settings(URGENT_BASE_URL="https://urgent.example.org"):
        response = Client().get("/")
    assert response["Strict-Transport-Security"] == "max-age=31536000; includeSubDomains"
    with override_settings(URGENT_BASE_URL="http://127.0.0.1:8000"):
        assert "Strict-Transport-Security" not in Client().get("/")


def _no_store(response: Any) -> bool:
    return "no-store" in response.get("Cache-Control", "")


def test_staff_pages_and_signed_link_pages_are_never_stored(
    staff_client: Callable[..., Any],
) -> None:
    anonymous = Client()
    for path in [
        "/staff/login/",
        "/s/preferences/not-a-token/",
        "/s/confirm/not-a-token/",
        "/s/unsubscribe/not-a-token/",
        "/act/confirm/not-a-token/",
        "/api/v1/staff/cases",
    ]:
        assert _no_store(anonymous.get(path)), path
    assert _no_store(anonymous.post("/s/preferences/not-a-token/export/"))
    coordinator = staff_client("coordinator")
    for path in ["/staff/", "/staff/audit/", "/staff/mail/", "/admin/"]:
        response = coordinator.get(path)
        assert response.status_code == 200, path
        assert _no_store(response), path
    # Public pages may be cached, unless a signed-in person is looking at them.
    assert not _no_store(anonymous.get("/"))
    assert _no_store(coordinator.get("/"))
