"""Django's PostgreSQL backend, with a health check that costs no round trip and prepared
statements for the few hottest queries.

With CONN_HEALTH_CHECKS, Django asks a kept connection `SELECT 1` before the first query of
every request: one of the few round trips a self-reported action takes (docs/performance.md).
A server that ends a connection (a restart, `pg_terminate_backend`, an idle timeout, a
crashed backend) says so on the socket first: an error message, then the end of the stream.
So an idle connection whose socket has nothing to read is as usable as `SELECT 1` would
find it, and is kept without asking; one with something to read is asked as before, and
closed when the answer is an error. A connection inside a transaction is always asked.

Django binds parameters on the client: it writes every value into the SQL text, and the
server parses and plans each statement afresh. `prepared_cursor()` (through
`urgent.core.db.hot_cursor`, for the self-reported action's three statements) binds them on
the server instead, and psycopg prepares a statement on the connection once it has run
`PREPARE_THRESHOLD` times: after that the server only binds and executes it. Every other
query goes through Django's own cursors, which never prepare. (A pooler in front of the
database must keep prepared statements per connection: PgBouncer 1.21 or newer with
`max_prepared_statements`, or session pooling.)
"""

from __future__ import annotations

import select
from typing import Any

import psycopg
from django.db.backends.postgresql import base
from django.db.backends.utils import CursorWrapper
from psycopg import pq

PREPARE_THRESHOLD = 5


class DatabaseWrapper(base.DatabaseWrapper):
    def get_connection_params(self) -> dict[str, Any]:
        params: dict[str, Any] = super().get_connection_params()
        # Only server-bound cursors prepare: Django's own (client-bound) never do.
        if params.get("prepare_threshold") is None:
            params["prepare_threshold"] = PREPARE_THRESHOLD
        return params

    def prepared_cursor(self) -> CursorWrapper:
        """A cursor binding parameters on the server, prepared after a few runs; wrapped
        like Django's own (errors, query logging, the health check before it)."""
        self.close_if_health_check_failed()
        self.ensure_connection()
        with self.wrap_database_errors:
            cursor = psycopg.Cursor(self.connection)
            # As Django's create_cursor(): the cursor's time zone when the connection's differs.
            oid = base.TIMESTAMPTZ_OID  # type: ignore[attr-defined]
            loader = self.connection.adapters.get_loader(oid, pq.Format.TEXT)
            if self.timezone != getattr(loader, "timezone", self.timezone):
                base.register_tzloader(self.timezone, cursor)  # type: ignore[attr-defined]
            wrapped: CursorWrapper = self._prepare_cursor(cursor)  # type: ignore[attr-defined]
            return wrapped

    def is_usable(self) -> bool:
        conn = self.connection
        if conn is None:
            return False
        if _quiet(conn):
            return True
        return bool(super().is_usable())


def _quiet(conn: object) -> bool:
    """True when the connection is idle and the server has sent nothing since."""
    pgconn = getattr(conn, "pgconn", None)
    if pgconn is None or getattr(conn, "closed", True):
        return False
    if pgconn.transaction_status != pq.TransactionStatus.IDLE:
        return False
    try:
        readable, _w, _x = select.select([pgconn.socket], [], [], 0)
    except (OSError, ValueError):
        return False
    return not readable
