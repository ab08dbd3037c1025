"""Rotating the data key: a new key first in the file, every sealed value sealed again.

Run by `urgent rotate-data-key`. The steps are each safe to repeat, so a rotation stopped
halfway (a crash, Ctrl-C) is finished by running the command again with `--resume`:

1. a new key is put first in the key file (written atomically, 0600); running servers and
   workers see it within a second and seal new values with it;
2. every table with sealed columns is read in batches, and each value sealed under an older
   key (or still plain) is sealed again under the new one, with the email hash recomputed;
   a batch commits on its own, and a row changed meanwhile is left for the next run;
3. the values are counted by key; the older keys are dropped from the file only when no
   value uses them any more.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field

from django.apps import apps
from django.db import DatabaseError, connection

from config.keyfile import key_generate, keyfile_read
from urgent.core.audit import audit_record
from urgent.core.encrypted import EmailHashField, EncryptedField
from urgent.core.vault import (
    PREFIX,
    RECHECK_SECONDS,
    SealedTable,
    keyfile_write,
    keyring,
    open_sealed,
    sealed_key_id,
    sealed_key_ids,
    table_reseal,
)


@dataclass
class RotationReport:
    new_key_id: str
    resealed: dict[str, int] = field(default_factory=dict)
    left: dict[str, int] = field(default_factory=dict)
    dropped: list[str] = field(default_factory=list)


def sealed_tables() -> list[SealedTable]:
    """Every table with sealed columns, read from the models (and its email hash, if any)."""
    found = []
    for model in apps.get_models():
        meta = model._meta
        if meta.proxy or not meta.managed:
            continue
        fields = [f for f in meta.local_concrete_fields if isinstance(f, EncryptedField)]
        if not fields:
            continue
        hashed = [f for f in meta.local_concrete_fields if isinstance(f, EmailHashField)]
        hash_field = hashed[0] if hashed else None
        pk = meta.pk
        assert pk is not None
        found.append(
            SealedTable(
                table=meta.db_table,
                columns=tuple(f.column for f in fields),
                pk=pk.column,
                email=meta.get_field(hash_field.source).column if hash_field else None,  # type: ignore[union-attr]
                email_hash=hash_field.column if hash_field else None,
            )
        )
    return found


def data_key_rotate(
    *, new_key: bool = True, batch: int = 500, say: Callable[[str], None] = print
) -> RotationReport:
    """Rotate (or, with new_key=False, finish a rotation); see the module's docstring."""
    path = keyring().path
    keys = keyfile_read(path)
    if new_key:
        keys = (key_generate(), *keys)
        keyfile_write(path, keys)
        say(f"new data key {keys[0].key_id} written first in {path}")
        # Other processes look at the file once a second: let them all take the new key
        # before sealing, so few values are sealed under the old one meanwhile.
        time.sleep(2 * RECHECK_SECONDS)
    current = keys[0]
    report = RotationReport(new_key_id=current.key_id)
    tables = sealed_tables()
    for spec in tables:
        count = table_reseal(connection, spec, batch=batch)
        report.resealed[spec.table] = count.rows
        say(f"{spec.table}: {count.rows} rows sealed again ({count.values} values)")
    for spec in tables:
        for key_id, n in sealed_key_ids(connection, spec).items():
            if key_id != current.key_id:
                report.left[key_id] = report.left.get(key_id, 0) + n
    old = list(keys[1:])
    if report.left:
        for key_id, n in sorted(report.left.items()):
            say(f"{n} values still sealed under {key_id}: run `urgent rotate-data-key --resume`")
    elif old:
        keyfile_write(path, [current])
        report.dropped = [k.key_id for k in old]
        say(f"no value uses {', '.join(report.dropped)} any more: dropped from {path}")
    audit_record(
        actor=None,
        action="data_key.rotate",
        after={
            "key_id": current.key_id,
            "new_key": new_key,
            "rows_resealed": sum(report.resealed.values()),
            "dropped": report.dropped,
            "values_left_on_old_keys": sum(report.left.values()),
        },
    )
    return report


def data_key_check() -> None:
    """VaultError when the key file lacks a key that stored values are sealed with.

    Run when `urgent serve` starts, so a lost or replaced key file stops the server with a
    clear message instead of failing on every page that reads a supporter. Looks at the
    oldest and newest sealed value of each column (two indexed reads each), which catches a
    key file replaced before or after new values were sealed with it.
    """
    ring = keyring()
    quote = connection.ops.quote_name
    for spec in sealed_tables():
        for column in map(quote, spec.columns):
            for order in ("ASC", "DESC"):
                sql = (
                    f"SELECT {column} FROM {quote(spec.table)} WHERE {column} LIKE %s "  # noqa: S608
                    f"ORDER BY {quote(spec.pk)} {order} LIMIT 1"
                )
                try:
                    with connection.cursor() as cursor:
                        cursor.execute(sql, [PREFIX + "%"])
                        row = cursor.fetchone()
                except DatabaseError:
                    return  # not migrated yet: nothing is sealed
                if row and sealed_key_id(str(row[0])) not in ring.by_id:
                    open_sealed(str(row[0]))  # raises the error naming the key and the file
