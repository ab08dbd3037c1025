"""Django's PostgreSQL backend, with a health check that costs no round trip.

With CONN_HEALTH_CHECKS, Django asks a kept connection `SELECT 1` before the first query of
every request: one of the few round trips a self-reported action takes (docs/performance.md).
A server that ends a connection (a restart, `pg_terminate_backend`, an idle timeout, a
crashed backend) says so on the socket first: an error message, then the end of the stream.
So an idle connection whose socket has nothing to read is as usable as `SELECT 1` would
find it, and is kept without asking; one with something to read is asked as before, and
closed when the answer is an error. A connection inside a transaction is always asked.
"""

from __future__ import annotations

import select

from django.db.backends.postgresql import base
from psycopg import pq


class DatabaseWrapper(base.DatabaseWrapper):
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
