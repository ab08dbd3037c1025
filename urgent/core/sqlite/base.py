"""Django's SQLite backend, with writers queueing on a lock file instead of polling.

SQLite lets one connection write at a time. A connection that finds the database locked
waits in SQLite's busy handler, which sleeps 1, 2, 5, 10 ... up to 100 ms between tries and
lets a newcomer overtake a writer that has waited long: under a surge of supporters taking
action, a few requests wait a second or more while the rest take milliseconds.

Here every write transaction (`transaction.atomic()`, which begins IMMEDIATE) and every
single INSERT, UPDATE or DELETE outside one first takes an exclusive `flock` on
`<database>-writer.lock`, one open file per connection, so threads and processes alike
sleep in the kernel and the next writer wakes as soon as the last one commits or rolls
back. SQLite's own lock and busy timeout still guard every write, so a writer that does not
take the file lock (another program, a statement that writes through a CTE) stays correct.
In-memory databases (the test suite's default) need no file lock.

A write transaction now waits for the one before it however long that one lasts, where
SQLite's busy timeout would give up after 10 s and fail the request. Write transactions
must therefore stay short; the longest in Urgent is the one `INSERT ... SELECT` that fills
a mailing's queue.
"""

from __future__ import annotations

import fcntl
import os
import re
from typing import Any

from django.db.backends.sqlite3 import base

_WRITE = re.compile(r"\s*(INSERT|UPDATE|DELETE|REPLACE)\b", re.IGNORECASE)


class CursorWrapper(base.SQLiteCursorWrapper):
    """A writing statement outside a transaction holds the writer lock while it runs."""

    owner: DatabaseWrapper | None = None

    def _held(self, query: str) -> DatabaseWrapper | None:
        """The connection whose writer lock this statement must hold, if any."""
        owner = self.owner
        if owner is None or self.connection.in_transaction or not _WRITE.match(query):
            return None
        owner._writer_lock()
        return owner

    def execute(self, query: str, params: Any = None) -> Any:
        owner = self._held(query)
        try:
            return super().execute(query, params)
        finally:
            if owner is not None:
                owner._writer_unlock()

    def executemany(self, query: str, param_list: Any) -> Any:
        owner = self._held(query)
        try:
            return super().executemany(query, param_list)
        finally:
            if owner is not None:
                owner._writer_unlock()


class DatabaseWrapper(base.DatabaseWrapper):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._writer_fd: int | None = None
        self._writer_locked = False

    def create_cursor(self, name: str | None = None) -> Any:
        cursor = self.connection.cursor(factory=CursorWrapper)
        if not self.is_in_memory_db():
            cursor.owner = self
        return cursor

    def _writer_lock(self) -> None:
        if self.is_in_memory_db():
            return
        if self._writer_fd is None:
            path = f"{self.settings_dict['NAME']}-writer.lock"
            # flock needs only an open file: read-only, so a process running as another
            # user that can read the database can queue with the rest.
            self._writer_fd = os.open(path, os.O_RDONLY | os.O_CREAT | os.O_CLOEXEC, 0o644)
        fcntl.flock(self._writer_fd, fcntl.LOCK_EX)
        self._writer_locked = True

    def _writer_unlock(self) -> None:
        if self._writer_locked and self._writer_fd is not None:
            self._writer_locked = False
            fcntl.flock(self._writer_fd, fcntl.LOCK_UN)

    def _start_transaction_under_autocommit(self) -> None:
        self._writer_lock()
        try:
            super()._start_transaction_under_autocommit()  # type: ignore[misc]
        except BaseException:
            self._writer_unlock()
            raise

    def _commit(self) -> None:
        try:
            super()._commit()  # type: ignore[misc]
        finally:
            self._writer_unlock()

    def _rollback(self) -> None:
        try:
            super()._rollback()  # type: ignore[misc]
        finally:
            self._writer_unlock()

    def _close(self) -> None:
        try:
            super()._close()  # type: ignore[misc]
        finally:
            self._writer_unlock()
            if self._writer_fd is not None:
                os.close(self._writer_fd)
                self._writer_fd = None
