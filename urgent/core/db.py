"""Inserting a row without the ORM's per-call statement building, for the hottest paths.

`Model.objects.create()` builds its INSERT afresh on every call, which costs more than the
database takes to run it. On paths that a surge hits (a supporter recording an action),
the statement for a model is built once and reused; values still go through each field's
own conversion (`pre_save`, `get_db_prep_save`), so defaults, `auto_now` and UUIDs come out
exactly as `save()` would make them. Model signals are not sent: Urgent uses none.

Measured against the ORM on the intake's transaction (an Action and its two officials, on
SQLite, 2,000 in a row, one process): `save(force_insert=True)` plus `bulk_create` of the
links took 1,100 µs of CPU per action, these two 600 µs; `save()` alone costs 145 µs more
than `row_insert`, `bulk_create` of two links 350 µs more than `links_insert`. At the
intake's few hundred actions a second on two cores that is about a tenth of the CPU, so
these stay, for this one path only; everything else uses the ORM.

On PostgreSQL `row_insert_linked` writes the row and its many-to-many links in one
statement (a data-modifying CTE), which is its own transaction outside an atomic block: one
round trip where BEGIN, two INSERTs and COMMIT took four. SQLite has no data-modifying
CTEs, and its statements cost no round trip: there it is the two inserts in a transaction.
"""

from __future__ import annotations

from collections.abc import Sequence
from contextlib import AbstractContextManager, nullcontext
from functools import cache
from typing import Any

from django.db import connection, models, transaction

Columns = tuple[models.Field[Any, Any], ...]


@cache
def _insert_sql(model: type[models.Model], vendor: str) -> tuple[str, Columns]:
    meta = model._meta
    fields = tuple(f for f in meta.local_concrete_fields if f is not meta.auto_field)
    quote = connection.ops.quote_name
    pk = model._meta.pk
    assert pk is not None
    sql = (
        f"INSERT INTO {quote(model._meta.db_table)} "  # noqa: S608
        f"({', '.join(quote(f.column) for f in fields)}) "
        f"VALUES ({', '.join(['%s'] * len(fields))}) RETURNING {quote(pk.column)}"
    )
    return sql, fields


def hot_writes() -> AbstractContextManager[Any]:
    """Around a hot path's writes that each stand alone on PostgreSQL (there each statement
    is its own transaction, and the unlogged rate-limit counters commit without a flush):
    on SQLite one transaction, so the writer lock is taken and released once."""
    if connection.vendor == "postgresql":
        return nullcontext()
    return transaction.atomic()


def hot_cursor() -> Any:
    """A cursor for a statement run on every self-reported action: on PostgreSQL bound on
    the server and prepared after a few runs (urgent/core/postgresql); elsewhere Django's."""
    prepared = getattr(connection, "prepared_cursor", None)
    return prepared() if prepared is not None else connection.cursor()


def _row_values(obj: models.Model, fields: Columns) -> list[Any]:
    return [f.get_db_prep_save(f.pre_save(obj, True), connection) for f in fields]


def _row_saved(obj: models.Model, pk: Any) -> None:
    obj.pk = pk
    obj._state.adding = False
    obj._state.db = connection.alias


def row_insert(obj: models.Model) -> None:
    """INSERT `obj` (a new row) in one statement and set its primary key."""
    sql, fields = _insert_sql(type(obj), connection.vendor)
    with connection.cursor() as cursor:
        cursor.execute(sql, _row_values(obj, fields))
        row = cursor.fetchone()
    _row_saved(obj, row[0])


@cache
def _linked_sql(
    model: type[models.Model], through: type[models.Model], left: str, right: str
) -> str:
    quote = connection.ops.quote_name
    insert, _fields = _insert_sql(model, connection.vendor)
    pk = model._meta.pk
    assert pk is not None
    return (
        f"WITH new_row AS ({insert}) "  # noqa: S608
        f"INSERT INTO {quote(through._meta.db_table)} ({quote(left)}, {quote(right)}) "
        f"SELECT new_row.{quote(pk.column)}, linked.id "
        "FROM new_row, unnest(%s::bigint[]) AS linked(id) "
        f"RETURNING {quote(left)}"
    )


def row_insert_linked(
    obj: models.Model,
    *,
    through: type[models.Model],
    left: str,
    right: str,
    ids: Sequence[int],
) -> None:
    """INSERT `obj` and its many-to-many rows (`left` = obj, `right` = each of `ids`),
    all or nothing, and set its primary key."""
    if connection.vendor != "postgresql" or not ids:
        # Joins the caller's block (`hot_writes` on SQLite), or is a transaction of its own.
        with transaction.atomic(savepoint=False):
            row_insert(obj)
            links_insert(through, left=left, right=right, pairs=[(obj.pk, i) for i in ids])
        return
    _sql, fields = _insert_sql(type(obj), connection.vendor)
    sql = _linked_sql(type(obj), through, left, right)
    # Inside a caller's transaction a savepoint keeps it usable when the insert is refused
    # (a unique column); outside one, the statement is its own transaction.
    block = transaction.atomic() if connection.in_atomic_block else nullcontext()
    with block, hot_cursor() as cursor:
        cursor.execute(sql, [*_row_values(obj, fields), list(ids)])
        row = cursor.fetchone()
    _row_saved(obj, row[0])


def links_insert(
    through: type[models.Model], *, left: str, right: str, pairs: Sequence[tuple[int, int]]
) -> None:
    """Rows of a many-to-many table (`left_id`, `right_id`) in one statement."""
    if not pairs:
        return
    quote = connection.ops.quote_name
    sql = (
        f"INSERT INTO {quote(through._meta.db_table)} ({quote(left)}, {quote(right)}) "  # noqa: S608
        f"VALUES {', '.join(['(%s, %s)'] * len(pairs))}"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, [value for pair in pairs for value in pair])
