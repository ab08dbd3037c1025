"""Fixtures the core tests share with the mailings tests (a real SMTP server on loopback)."""

from tests.mailings.conftest import smtp_server  # noqa: F401 (a fixture, found by name)
