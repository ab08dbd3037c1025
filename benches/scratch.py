"""What the benchmarks share: a scratch database, SQLite or on a PostgreSQL server."""

from __future__ import annotations

import secrets
import sqlite3
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit, urlunsplit

from django.core.management.base import CommandError


class ScratchDatabase:
    """SQLite in a scratch data directory, or a fresh database made on a PostgreSQL server.

    `env` holds what the benchmark's `urgent` processes need (DATABASE_URL for PostgreSQL;
    nothing for SQLite, which lives in URGENT_DATA_DIR). Queries use `%s` placeholders on
    both. Used as a context manager, the PostgreSQL database is dropped at the end unless
    `keep`; the data directory is the caller's. A server that cannot be reached, or that
    refuses to make the database, is a CommandError naming it.
    """

    def __init__(self, scratch: Path, postgres: str = "", *, keep: bool = False) -> None:
        self.path = scratch / "urgent.sqlite3"
        self.server = postgres
        self.keep = keep
        self.name = ""
        self.url = ""
        self.env: dict[str, str] = {}
        if postgres:
            import psycopg

            if urlsplit(postgres).scheme not in {"postgres", "postgresql"}:
                raise CommandError(
                    f"--postgres: {postgres!r} is not a PostgreSQL URL; "
                    "use postgres://user@host:5432/database",
                    returncode=2,
                )
            self.name = f"urgent_bench_{secrets.token_hex(6)}"
            try:
                with psycopg.connect(postgres, autocommit=True, connect_timeout=10) as db:
                    db.execute(f'CREATE DATABASE "{self.name}"')
            except psycopg.Error as exc:
                reason = " ".join(str(exc).split())
                raise CommandError(
                    f"--postgres: cannot make a scratch database on {postgres}: {reason}",
                    returncode=2,
                ) from exc
            self.url = urlunsplit(urlsplit(postgres)._replace(path=f"/{self.name}"))
            self.env = {"DATABASE_URL": self.url}

    def __enter__(self) -> ScratchDatabase:
        return self

    def __exit__(self, *exc: object) -> None:
        if not self.keep:
            self.drop()

    def describe(self) -> str:
        if self.url:
            return f"PostgreSQL (scratch database {self.name})"
        return "SQLite in a scratch data directory"

    def connect(self) -> Any:
        """A read connection that sees each new commit (autocommit)."""
        if self.url:
            import psycopg

            return psycopg.connect(self.url, autocommit=True)
        return _Sqlite(self.path)

    def seconds_between(self, start: str, end: str) -> str:
        """SQL for the seconds between two timestamp columns."""
        if self.url:
            return f"EXTRACT(EPOCH FROM {end} - {start})"
        return f"(julianday({end}) - julianday({start})) * 86400"

    def count(self, table: str) -> int:
        db = self.connect()
        try:
            row = db.execute(f"SELECT COUNT(*) FROM {table}").fetchone()  # noqa: S608
        finally:
            db.close()
        return int(row[0]) if row else 0

    def backend_pids(self) -> list[int]:
        """Process ids of the PostgreSQL backends connected to the scratch database."""
        if not self.url:
            return []
        db = self.connect()
        try:
            rows = db.execute(
                "SELECT pid FROM pg_stat_activity WHERE datname = %s AND pid <> pg_backend_pid()",
                (self.name,),
            ).fetchall()
        finally:
            db.close()
        return [int(row[0]) for row in rows]

    def drop(self) -> None:
        if self.url:
            import psycopg

            with psycopg.connect(self.server, autocommit=True) as db:
                db.execute(f'DROP DATABASE IF EXISTS "{self.name}" WITH (FORCE)')


class _Sqlite:
    """sqlite3, read-only, taking `%s` placeholders like psycopg."""

    def __init__(self, path: Path) -> None:
        self.db = sqlite3.connect(f"file:{path}?mode=ro", uri=True, timeout=30)

    def execute(self, sql: str, params: tuple[Any, ...] = ()) -> sqlite3.Cursor:
        return self.db.execute(sql.replace("%s", "?"), params)

    def close(self) -> None:
        self.db.close()
