"""The PostgreSQL backend's health check: no round trip while the server is quiet, and a
connection the server ended is noticed and replaced before a request uses it."""

from __future__ import annotations

import os
import select

import pytest
from django.db import close_old_connections, connection, connections

from urgent.core.models import RateLimitCounter

pytestmark = [
    pytest.mark.skipif(
        os.environ.get("DATABASE_URL", "").split(":", 1)[0] not in {"postgres", "postgresql"},
        reason="the PostgreSQL backend runs on PostgreSQL (DATABASE_URL=postgres://...)",
    ),
    pytest.mark.django_db(transaction=True),
]


def _backend_pid() -> int:
    connection.ensure_connection()
    return int(connection.connection.info.backend_pid)


def test_a_connection_the_server_ended_is_replaced_at_the_next_request() -> None:
    pid = _backend_pid()
    assert connection.is_usable()
    other = connections.create_connection("default")
    try:
        with other.cursor() as cursor:
            cursor.execute("SELECT pg_terminate_backend(%s)", [pid])
    finally:
        other.close()
    # The server says so on the socket: wait for that, as the next request would find it.
    socket = connection.connection.pgconn.socket
    assert select.select([socket], [], [], 10)[0], "the server did not end the connection"
    assert not connection.is_usable()
    close_old_connections()  # what Django does when a request starts
    assert RateLimitCounter.objects.count() == 0  # no error: a new connection
    assert _backend_pid() != pid


def test_an_idle_connection_is_kept_without_asking_the_server() -> None:
    pid = _backend_pid()
    for _ in range(3):
        close_old_connections()
        assert RateLimitCounter.objects.count() == 0
    assert _backend_pid() == pid


def test_rate_limit_counters_are_unlogged() -> None:
    """Bumping a counter then commits without waiting for the disk (core/migrations/0005)."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT relpersistence FROM pg_class WHERE relname = %s",
            [RateLimitCounter._meta.db_table],
        )
        assert cursor.fetchone() == ("u",)
