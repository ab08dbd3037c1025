"""The client address: X-Forwarded-For is believed only through URGENT_TRUSTED_PROXIES."""

from __future__ import annotations

import ipaddress
from pathlib import Path
from typing import Any

import pytest
from django.contrib.auth.models import User
from django.test import Client, RequestFactory, override_settings

from urgent.core.client import client_address
from urgent.core.models import AuditEntry

PROXIES = [ipaddress.ip_network("10.0.0.0/8"), ipaddress.ip_network("2001:db8:ff::/48")]


def _address(remote: str, forwarded: str | None = None, proxies: Any = PROXIES) -> str:
    request = RequestFactory().get("/", REMOTE_ADDR=remote)
    if forwarded is not None:
        request.META["HTTP_X_FORWARDED_FOR"] = forwarded
    with override_settings(URGENT_TRUSTED_PROXIES=proxies):
        return client_address(request)


@pytest.mark.parametrize(
    ("remote", "forwarded", "expected"),
    [
        # A peer that is no proxy of ours is the client, whatever the header says.
        ("198.51.100.7", "203.0.113.5", "198.51.100.7"),
        # Through a trusted proxy: the address the proxy saw.
        ("10.0.0.2", "203.0.113.5", "203.0.113.5"),
        # A client forging the header: its forged hops are to the left of the real one.
        ("10.0.0.2", "192.0.2.66, 203.0.113.5", "203.0.113.5"),
        # Two trusted proxies in a row are both skipped.
        ("10.0.0.2", "192.0.2.66, 203.0.113.5, 10.1.1.1", "203.0.113.5"),
        # An untrusted peer cannot choose its address by sending the header.
        ("198.51.100.7", "10.0.0.3", "198.51.100.7"),
        # Unreadable hops stop the walk at the last trusted proxy.
        ("10.0.0.2", "garbage", "10.0.0.2"),
        ("10.0.0.2", "", "10.0.0.2"),
        # IPv6, with and without brackets and ports.
        ("2001:db8:ff::1", "[2001:db8:1::5]:443", "2001:db8:1::5"),
        ("10.0.0.2", "203.0.113.5:51234", "203.0.113.5"),
    ],
)
def test_rightmost_untrusted_hop_is_the_client(remote: str, forwarded: str, expected: str) -> None:
    assert _address(remote, forwarded) == expected


def test_without_trusted_proxies_the_header_is_ignored() -> None:
    assert _address("10.0.0.2", "203.0.113.5", proxies=[]) == "10.0.0.2"


@pytest.mark.django_db
def test_clients_behind_one_proxy_are_counted_apart() -> None:
    """Twenty wrong passwords from one client lock that client, not its proxy's neighbours."""
    User.objects.create_user("coord", password="correct horse battery", is_staff=True)
    with override_settings(URGENT_TRUSTED_PROXIES=PROXIES):
        guesser = Client(REMOTE_ADDR="10.0.0.2", HTTP_X_FORWARDED_FOR="203.0.113.5")
        for n in range(20):
            guesser.post("/staff/login/", {"username": f"someone{n}", "password": "wrong"})
        refused = guesser.post("/staff/login/", {"username": "x", "password": "wrong"})
        assert refused.status_code == 429
        owner = Client(REMOTE_ADDR="10.0.0.2", HTTP_X_FORWARDED_FOR="203.0.113.6")
        response = owner.post(
            "/staff/login/", {"username": "coord", "password": "correct horse battery"}
        )
        assert response.status_code == 302
    # The audit log names the client, not the proxy.
    failed = AuditEntry.objects.filter(action="staff.login_failed").values_list("ip", flat=True)
    assert set(failed) == {"203.0.113.5"}
    assert AuditEntry.objects.get(action="staff.login").ip == "203.0.113.6"


def test_no_code_reads_remote_addr_but_the_one_function() -> None:
    root = Path(__file__).resolve().parents[2] / "urgent"
    readers = [
        str(path.relative_to(root))
        for path in root.rglob("*.py")
        if "REMOTE_ADDR" in path.read_text() or "X_FORWARDED_FOR" in path.read_text()
    ]
    assert readers == ["core/client.py"]
