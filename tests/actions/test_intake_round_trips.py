"""On PostgreSQL a self-reported action costs three round trips to the database.

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


def _asked(trace: Path) -> list[str]:
    """The messages that each wait for the server: a simple Query, or a Sync."""
    lines = trace.read_text().splitlines()
    return [
        line for line in lines if line.startswith("F") and ("\tQuery\t" in line or "\tSync" in line)
    ]


@pytest.mark.django_db(transaction=True)
def test_recording_an_action_takes_three_round_trips(demo: None) -> None:
    app = WSGIHandler()
    assert _post(app).startswith("200")  # the thank-you page is rendered and kept
    with traced() as trace:
        assert _post(app).startswith("200")
        asked = _asked(trace)
    assert Action.objects.filter(case__slug="ua-101-26").count() >= 2
    # The case's state, the client's rate-limit counter, the action with its officials;
    # no `SELECT 1` health check, no BEGIN or COMMIT of their own.
    assert len(asked) == 3, "\n".join(asked)
    assert "cases_case" in asked[0]
    assert "core_ratelimitcounter" in asked[1]
    assert "actions_action" in asked[2] and "actions_action_officials" in asked[2]
