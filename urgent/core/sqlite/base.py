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

An in-memory database (the test suite's) lives in one process, and its connections share
one cache, where a conflict is an immediate "table is locked" that no busy timeout waits
out. Writers there queue on a lock in the process instead of the file, and readers read
without table locks (`read_uncommitted`), so the same code runs unchanged on several
threads. This is the only way Urgent handles SQLite contention: nothing retries.

A write transaction now waits for the one before it however long that one lasts, where
SQLite's busy timeout would give up after 10 s and fail the request. Write transactions
must therefore stay short; the longest in Urgent is the one `INSERT ... SELECT` that fills
a mailing's queue.
"""

from __future__ import annotations

import fcntl
import os
import re
import threading
from collections import defaultdict
from typing import Any

from django.db import OperationalError
from django.db.backends.sqlite3 import base

# Writers of each in-memory database (by name), which only this process can open.
_MEMORY_WRITERS: defaultdict[str, threading.Lock] = defaultdict(threading.Lock)
_MEMORY_PATIENCE = 30.0

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

    def get_new_connection(self, conn_params: Any) -> Any:
        conn = super().get_new_connection(conn_params)
        if self.is_in_memory_db():
            conn.execute("PRAGMA read_uncommitted = 1")
        return conn

    def create_cursor(self, name: str | None = None) -> Any:
        cursor = self.connection.cursor(factory=CursorWrapper)
        cursor.owner = self
        return cursor

    def _writer_lock(self) -> None:
        if self._writer_locked:
            return
        if self.is_in_memory_db():
            lock = _MEMORY_WRITERS[str(self.settings_dict["NAME"])]
            if not lock.acquire(timeout=_MEMORY_PATIENCE):
                raise OperationalError("database is locked: another writer held it too long")
            self._writer_locked = True
            return
        if self._writer_fd is None:
            path = f"{self.settings_dict['NAME']}-writer.lock"
            # flock needs only an open file: read-only, so a process running as another
            # user that can read the database can queue with the rest.
            self._writer_fd = os.open(path, os.O_RDONLY | os.O_CREAT | os.O_CLOEXEC, 0o600)
        fcntl.flock(self._writer_fd, fcntl.LOCK_EX)
        self._writer_locked = True

    def _writer_unlock(self) -> None:
        if not self._writer_locked:
            return
        self._writer_locked = False
        if self.is_in_memory_db():
            _MEMORY_WRITERS[str(self.settings_dict["NAME"])].release()
        elif self._writer_fd is not None:
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
