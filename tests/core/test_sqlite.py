"""Writers on one SQLite file queue on its lock file and wake as soon as the last one ends."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from django.db.utils import ConnectionHandler

from config import env


@pytest.fixture(autouse=True)
def _own_databases(django_db_blocker: Any) -> Iterator[None]:
    """These tests open their own SQLite files, apart from the test database."""
    with django_db_blocker.unblock():
        yield


def _connection(path: Path) -> Any:
    return ConnectionHandler({"default": env.database_default(path)}).create_connection("default")


def _begin(connection: Any) -> None:
    """What `transaction.atomic()` does on entry, on a connection of the test's own."""
    connection.ensure_connection()
    connection._start_transaction_under_autocommit()


def _writer_waits_for(release: str, tmp_path: Path) -> None:
    first = _connection(tmp_path)
    first.cursor().execute("CREATE TABLE t (n INTEGER)")
    _begin(first)
    first.cursor().execute("INSERT INTO t VALUES (1)")
    began = threading.Event()
    errors: list[BaseException] = []

    def write() -> None:
        second = _connection(tmp_path)
        try:
            _begin(second)
            began.set()
            second.cursor().execute("INSERT INTO t VALUES (2)")
            second.commit()
        except BaseException as exc:
            errors.append(exc)
        finally:
            second.close()

    thread = threading.Thread(target=write)
    thread.start()
    assert not began.wait(0.3), "the second writer began while the first held the lock"
    released = time.monotonic()
    getattr(first, release)()
    assert began.wait(5), f"the second writer did not wake when the first one ended: {errors}"
    assert time.monotonic() - released < 0.5
    thread.join(5)
    assert not errors
    first.close()
    check = _connection(tmp_path)
    rows = check.cursor().execute("SELECT n FROM t ORDER BY n").fetchall()
    check.close()
    assert rows == ([(1,), (2,)] if release == "commit" else [(2,)])


def test_second_writer_waits_for_commit(tmp_path: Path) -> None:
    _writer_waits_for("commit", tmp_path)


def test_second_writer_waits_for_rollback(tmp_path: Path) -> None:
    _writer_waits_for("rollback", tmp_path)


def test_second_writer_waits_for_close(tmp_path: Path) -> None:
    _writer_waits_for("close", tmp_path)


def test_many_writers_lose_nothing(tmp_path: Path) -> None:
    setup = _connection(tmp_path)
    setup.cursor().execute("CREATE TABLE t (n INTEGER)")
    setup.close()

    def write(worker: int) -> None:
        connection = _connection(tmp_path)
        for n in range(50):
            _begin(connection)
            connection.cursor().execute("INSERT INTO t VALUES (%s)", [worker * 100 + n])
            connection.commit()
        connection.close()

    threads = [threading.Thread(target=write, args=(w,)) for w in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    check = _connection(tmp_path)
    assert check.cursor().execute("SELECT COUNT(DISTINCT n) FROM t").fetchone() == (400,)
    check.close()
    assert (tmp_path / "urgent.sqlite3-writer.lock").exists()


def test_memory_database_needs_no_lock_file(tmp_path: Path) -> None:
    settings = {**env.database_default(tmp_path), "NAME": ":memory:"}
    connection = ConnectionHandler({"default": settings}).create_connection("default")
    _begin(connection)
    connection.commit()
    connection.close()
    assert not list(tmp_path.iterdir())


def test_single_write_statement_waits_for_the_open_transaction(tmp_path: Path) -> None:
    first = _connection(tmp_path)
    first.cursor().execute("CREATE TABLE t (n INTEGER)")
    _begin(first)
    first.cursor().execute("INSERT INTO t VALUES (1)")
    done = threading.Event()

    def write() -> None:
        second = _connection(tmp_path)
        # A read never waits (WAL); the single UPDATE waits for the writer lock.
        assert second.cursor().execute("SELECT COUNT(*) FROM t").fetchone() == (0,)
        second.cursor().execute("UPDATE t SET n = n + 10")
        done.set()
        second.close()

    thread = threading.Thread(target=write)
    thread.start()
    assert not done.wait(0.3)
    first.commit()
    assert done.wait(5)
    thread.join(5)
    assert first.cursor().execute("SELECT n FROM t").fetchall() == [(11,)]
    first.close()
