"""Supporters' personal data encrypted at rest, with a key kept outside the database.

The data key file (URGENT_DATA_KEY_FILE, by default `data_key` in the data directory) holds
one key a line, `<key id> <32 random bytes in base64>`, the current key first and older
keys after it. Values are sealed with AES-256-GCM (authenticated: a changed byte is
refused, never misread) under the current key and stored as text,
`enc1:<key id>:<base64 of nonce, ciphertext and tag>`, so a value sealed under an older
key stays readable until `urgent rotate-data-key` has sealed it again under the new one.

Email addresses are found through a keyed hash (HMAC-SHA256 of the lowercased, stripped
address under a key derived from the current data key with HKDF): equal addresses give
equal hashes, and without the key file nobody can test a guessed address against the
database. While a rotation runs, look-ups try the hash under every key in the file.

The file is read again whenever it changes on disk, so running servers and workers start
sealing with a new key as soon as a rotation writes it, without a restart.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import json
import os
import secrets
import threading
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from cryptography.exceptions import InvalidTag
from django.conf import settings
from django.db import transaction

from config.keyfile import (
    DataKey,
    Keyring,
    VaultError,
    keyfile_read,
    keyfile_text,
)

PREFIX = "enc1:"
_NONCE_BYTES = 12
# How often (seconds) a process looks whether the key file changed on disk.
RECHECK_SECONDS = 1.0


def keyfile_write(path: Path, keys: tuple[DataKey, ...] | list[DataKey]) -> None:
    """Replace the key file atomically: a crash leaves the old file or the new, never half."""
    tmp = path.with_name(f".{path.name}.{secrets.token_hex(4)}.tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    try:
        with os.fdopen(fd, "w", encoding="ascii") as out:
            out.write(keyfile_text(keys))
            out.flush()
            os.fsync(out.fileno())
        os.replace(tmp, path)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    directory = os.open(path.parent, os.O_RDONLY)
    try:
        os.fsync(directory)
    finally:
        os.close(directory)
    vault_reload()


class _Loaded:
    lock = threading.Lock()
    ring: Keyring | None = None
    stamp: tuple[int, int] | None = None
    checked = 0.0


def _stamp(path: Path) -> tuple[int, int] | None:
    try:
        st = path.stat()
    except OSError:
        return None
    return (st.st_mtime_ns, st.st_size)


def keyring() -> Keyring:
    """The keys, read again when the file changed on disk (checked once a second)."""
    now = time.monotonic()
    ring = _Loaded.ring
    if ring is not None and now - _Loaded.checked < RECHECK_SECONDS:
        return ring
    path = Path(settings.URGENT_DATA_KEY_FILE)
    with _Loaded.lock:
        stamp = _stamp(path)
        if _Loaded.ring is None or stamp != _Loaded.stamp or _Loaded.ring.path != path:
            if stamp is None and _Loaded.ring is not None and _Loaded.ring.path == path:
                # Gone while running (a backup restore, a mistake): keep the keys in memory.
                _Loaded.checked = now
                return _Loaded.ring
            _Loaded.ring = Keyring(path=path, keys=keyfile_read(path))
            _Loaded.stamp = stamp
        _Loaded.checked = now
        return _Loaded.ring


def vault_reload() -> None:
    """Forget the keys held in memory: the next use reads the file again."""
    with _Loaded.lock:
        _Loaded.ring = None
        _Loaded.stamp = None


def seal(plain: str) -> str:
    """`plain` sealed under the current key, as text for a database column."""
    key = keyring().current
    nonce = os.urandom(_NONCE_BYTES)
    sealed = key.cipher.encrypt(nonce, plain.encode(), None)
    return f"{PREFIX}{key.key_id}:{base64.b64encode(nonce + sealed).decode('ascii')}"


def is_sealed(value: str) -> bool:
    return value.startswith(PREFIX)


def sealed_key_id(value: str) -> str:
    return value[len(PREFIX) : len(PREFIX) + 8]


def open_sealed(value: str) -> str:
    """The text `seal` sealed; VaultError when its key is not in the file or it was altered."""
    ring = keyring()
    key_id = sealed_key_id(value)
    key = ring.by_id.get(key_id)
    if key is None:
        raise VaultError(
            f"supporters' data was sealed with data key {key_id}, which the data key file "
            f"{ring.path} does not hold; without it supporters' data cannot be read "
            "(restore the key file from your backup)"
        )
    try:
        raw = base64.b64decode(value[len(PREFIX) + 9 :], validate=True)
        return key.cipher.decrypt(raw[:_NONCE_BYTES], raw[_NONCE_BYTES:], None).decode()
    except (binascii.Error, InvalidTag, UnicodeDecodeError) as exc:
        raise VaultError(
            f"a value sealed with data key {key_id} does not open with that key: the key "
            f"in {ring.path} is not the one it was sealed with, or the value was altered"
        ) from exc


def email_normalise(email: str) -> str:
    return email.strip().lower()


def email_hash(email: str, key: DataKey | None = None) -> str:
    """The keyed hash by which an address is found (under the current key by default)."""
    key = key or keyring().current
    normalised = email_normalise(email).encode()
    return hmac.new(key.hash_key, normalised, hashlib.sha256).hexdigest()


def email_hashes(email: str) -> list[str]:
    """The address's hash under every key in the file: what a look-up must try."""
    return [email_hash(email, key) for key in keyring().keys]


@dataclass(frozen=True)
class SealedTable:
    """Where sealed values live: a table, its sealed columns and its email hash, if any."""

    table: str
    columns: tuple[str, ...]
    pk: str = "id"
    email: str | None = None
    email_hash: str | None = None


@dataclass
class ResealCount:
    rows: int = 0
    values: int = 0


def _resealed(value: str | None, current: DataKey, unseal: bool) -> str | None:
    """The value as it should be stored now, or None when it is right as it is."""
    if value is None or value == "":
        return None
    if unseal:
        return open_sealed(value) if is_sealed(value) else None
    if is_sealed(value):
        if sealed_key_id(value) == current.key_id:
            return None
        return seal(open_sealed(value))
    return seal(value)


def table_reseal(
    connection: Any, spec: SealedTable, *, batch: int = 500, unseal: bool = False
) -> ResealCount:
    """Seal every value of the table's columns under the current key, a batch at a time.

    Plain values are sealed, values under an older key sealed again, and the email hash
    recomputed under the current key. Each batch commits on its own and a row already
    right is left alone, so after a crash running it again carries on where it stopped.
    `unseal` turns values back into plain text (undoing the migration).
    """
    quote = connection.ops.quote_name
    wanted = [*spec.columns, *([spec.email_hash] if spec.email_hash else [])]
    select = (
        f"SELECT {quote(spec.pk)}, {', '.join(quote(c) for c in wanted)} "  # noqa: S608
        f"FROM {quote(spec.table)} WHERE {quote(spec.pk)} > %s ORDER BY {quote(spec.pk)} LIMIT %s"
    )
    count = ResealCount()
    last: Any = -1
    while True:
        with transaction.atomic(using=connection.alias), connection.cursor() as cursor:
            cursor.execute(select, [last, batch])
            rows = cursor.fetchall()
            if not rows:
                return count
            last = rows[-1][0]
            for row in rows:
                changes = _row_changes(spec, dict(zip(wanted, row[1:], strict=True)), unseal)
                if not changes:
                    continue
                # Only if nobody changed the row meanwhile: a server's write is never undone
                # (a row skipped here is found by the census and sealed on the next run).
                was = {c: row[1 + wanted.index(c)] for c in changes if c in spec.columns}
                sets = ", ".join(f"{quote(c)} = %s" for c in changes)
                same = "".join(f" AND {quote(c)} = %s" for c in was)
                cursor.execute(
                    f"UPDATE {quote(spec.table)} SET {sets} "  # noqa: S608
                    f"WHERE {quote(spec.pk)} = %s{same}",
                    [*changes.values(), row[0], *was.values()],
                )
                count.rows += cursor.rowcount
                count.values += len(changes) if cursor.rowcount else 0


def _row_changes(spec: SealedTable, row: dict[str, Any], unseal: bool) -> dict[str, Any]:
    current = keyring().current
    changes: dict[str, Any] = {}
    for column in spec.columns:
        value = row[column]
        if value is not None and not isinstance(value, str):
            value = json.dumps(value)  # a JSON column read by a driver that decodes it
        new = _resealed(value, current, unseal)
        if new is not None:
            changes[column] = new
    if spec.email and spec.email_hash and not unseal:
        email = row[spec.email]
        plain = open_sealed(email) if email and is_sealed(email) else email
        wanted = email_hash(plain, current) if plain else None
        if wanted != row[spec.email_hash]:
            changes[spec.email_hash] = wanted
    return changes


def sealed_key_ids(connection: Any, spec: SealedTable) -> dict[str, int]:
    """How many values of the table are sealed under each key id ("plain": not sealed)."""
    quote = connection.ops.quote_name
    found: dict[str, int] = {}
    with connection.cursor() as cursor:
        for column in map(quote, spec.columns):
            cursor.execute(
                f"SELECT CASE WHEN {column} LIKE %s THEN SUBSTR({column}, %s, 8) "  # noqa: S608
                f"ELSE 'plain' END, COUNT(*) FROM {quote(spec.table)} "
                f"WHERE {column} IS NOT NULL AND {column} <> '' GROUP BY 1",
                [PREFIX + "%", len(PREFIX) + 1],
            )
            for key_id, n in cursor.fetchall():
                found[key_id] = found.get(key_id, 0) + n
    return found
