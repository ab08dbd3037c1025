"""On PostgreSQL a self-reported action costs three round trips to the database, each a
statement prepared on the server once it has run a few times.

The request goes through Django's WSGI handler as under gunicorn (request signals, health
check of the kept connection, every middleware), outside any test transaction, and libpq's
own trace of the connection counts the messages that make the server answer.
"""

from __future__ import annotations

import io
import os
import sys
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

import pytest
from django.core.handlers.wsgi import WSGIHandler
from django.db import connection
from psycopg import pq

from tests.actions.helpers import solved
from urgent.actions.models import Action
from urgent.core.postgresql.base import PREPARE_THRESHOLD

pytestmark = pytest.mark.skipif(
    os.environ.get("DATABASE_URL", "").split(":", 1)[0] not in {"postgres", "postgresql"},
    reason="round trips are counted on PostgreSQL (DATABASE_URL=postgres://...)",
)

TOKEN = "k" * 32


def _environ(payload: str) -> dict[str, Any]:
    body = urlencode(
        {"csrfmiddlewaretoken": TOKEN, "channel": "phone", "altcha": payload, "website": ""}
    ).encode()
    return {
        "REQUEST_METHOD": "POST",
        "PATH_INFO": "/act/ua-101-26/record/",
        "QUERY_STRING": "",
        "SERVER_NAME": "testserver",
        "SERVER_PORT": "80",
        "SERVER_PROTOCOL": "HTTP/1.1",
        "REMOTE_ADDR": "192.0.2.44",
        "HTTP_HOST": "testserver",
        "HTTP_COOKIE": f"csrftoken={TOKEN}",
        "HTTP_ACCEPT_ENCODING": "gzip",
        "CONTENT_TYPE": "application/x-www-form-urlencoded",
        "CONTENT_LENGTH": str(len(body)),
        "wsgi.input": io.BytesIO(body),
        "wsgi.errors": sys.stderr,
        "wsgi.url_scheme": "http",
    }


def _post(app: WSGIHandler) -> str:
    statuses: list[str] = []

    def start_response(status: str, headers: Any, exc_info: Any = None) -> Any:
        statuses.append(status)
        return lambda data: None

    response = app(_environ(solved()), start_response)
    b"".join(response)
    response.close()
    return statuses[0]


@contextmanager
def traced() -> Iterator[Path]:
    """Every message the connection sends and receives, from libpq itself."""
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "trace"
        with path.open("w") as trace:
            connection.ensure_connection()
            pgconn = connection.connection.pgconn
            pgconn.trace(trace.fileno())
            pgconn.set_trace_flags(pq.Trace.SUPPRESS_TIMESTAMPS | pq.Trace.REGRESS_MODE)
            try:
                yield path
            finally:
                pgconn.untrace()


def _round_trips(trace: Path) -> list[str]:
    """What the connection sent, one entry per round trip: the messages up to each simple
    Query, or each Sync of the extended protocol, where it waits for the server."""
    trips, current = [], []
    for line in trace.read_text().splitlines():
        if not line.startswith("F"):
            continue
        current.append(line)
        if "\tQuery\t" in line or line.endswith("\tSync"):
            trips.append("\n".join(current))
            current = []
    return trips


@pytest.mark.django_db(transaction=True)
def test_recording_an_action_takes_three_round_trips_of_prepared_statements(demo: None) -> None:
    app = WSGIHandler()
    before = Action.objects.filter(case__slug="ua-101-26").count()
    assert _post(app).startswith("200")  # the thank-you page is rendered and kept
    with traced() as trace:
        assert _post(app).startswith("200")
        trips = _round_trips(trace)
    # The case's state, the client's rate-limit counter, the action with its officials;
    # no `SELECT 1` health check, no BEGIN or COMMIT of their own.
    assert len(trips) == 3, "\n\n".join(trips)
    assert "FROM cases_case" in trips[0]
    assert "INSERT INTO core_ratelimitcounter" in trips[1]
    assert '"actions_action"' in trips[2] and '"actions_action_officials"' in trips[2]
    for _ in range(PREPARE_THRESHOLD):
        assert _post(app).startswith("200")
    with traced() as trace:
        assert _post(app).startswith("200")
        trips = _round_trips(trace)
    # Prepared by now: each is bound to its statement on the server, nothing parsed again.
    assert len(trips) == 3, "\n\n".join(trips)
    assert all("\tBind\t" in trip and "\tParse\t" not in trip for trip in trips), trips
    assert Action.objects.filter(case__slug="ua-101-26").count() == before + 3 + PREPARE_THRESHOLD
