"""The data key file: its format, reading it and creating the first one (no Django here).

One key a line, `<key id> <32 random bytes in base64>`, the current key first and older
keys after it; lines starting with # are comments. It lives with the settings, below
every app, so that env.py can check the file while the settings are being built;
urgent.core.vault seals and opens values with the keys read here.
"""

from __future__ import annotations

import base64
import binascii
import contextlib
import os
import re
import secrets
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path

from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

_KEY_ID = re.compile(r"[0-9a-f]{8}")


class VaultError(Exception):
    """The data key file is missing, unreadable or malformed, or a value cannot be opened."""


@dataclass(frozen=True)
class DataKey:
    key_id: str
    secret: bytes

    @cached_property
    def cipher(self) -> AESGCM:
        return AESGCM(self.secret)

    @cached_property
    def hash_key(self) -> bytes:
        return HKDF(
            algorithm=hashes.SHA256(), length=32, salt=None, info=b"urgent email hash v1"
        ).derive(self.secret)


@dataclass(frozen=True)
class Keyring:
    path: Path
    keys: tuple[DataKey, ...]

    @property
    def current(self) -> DataKey:
        return self.keys[0]

    @cached_property
    def by_id(self) -> dict[str, DataKey]:
        return {k.key_id: k for k in self.keys}


def key_generate() -> DataKey:
    return DataKey(key_id=secrets.token_hex(4), secret=AESGCM.generate_key(bit_length=256))


def keyfile_text(keys: tuple[DataKey, ...] | list[DataKey]) -> str:
    lines = [
        "# Urgent data key file: supporters' personal data cannot be read without it.",
        "# Back it up apart from the database. The first key seals, the others only open.",
    ]
    lines += [f"{k.key_id} {base64.b64encode(k.secret).decode()}" for k in keys]
    return "\n".join(lines) + "\n"


def keyfile_parse(text: str, path: Path) -> tuple[DataKey, ...]:
    """The keys of a key file's text; VaultError naming the file and line when malformed."""
    keys: list[DataKey] = []
    for number, line in enumerate(text.splitlines(), start=1):
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        parts = line.split()
        problem = f"the data key file {path} is malformed at line {number}"
        if len(parts) != 2 or not _KEY_ID.fullmatch(parts[0]):
            raise VaultError(f"{problem}: expected '<8 hex digits> <base64 key>'")
        try:
            secret = base64.b64decode(parts[1], validate=True)
        except binascii.Error as exc:
            raise VaultError(f"{problem}: the key is not base64") from exc
        if len(secret) != 32:
            raise VaultError(f"{problem}: a key must be 32 bytes (256 bits)")
        keys.append(DataKey(key_id=parts[0], secret=secret))
    if not keys:
        raise VaultError(f"the data key file {path} holds no key")
    return tuple(keys)


def keyfile_read(path: Path) -> tuple[DataKey, ...]:
    try:
        text = path.read_text(encoding="ascii")
    except FileNotFoundError as exc:
        raise VaultError(
            f"the data key file {path} is missing; without it supporters' data cannot be "
            "read (restore it from your backup, or set URGENT_DATA_KEY_FILE)"
        ) from exc
    except (OSError, UnicodeDecodeError) as exc:
        raise VaultError(f"the data key file {path} cannot be read ({exc})") from exc
    return keyfile_parse(text, path)


def file_create_once(path: Path, text: str) -> None:
    """Write `text` to a new file at `path`, 0600, unless one exists already.

    Whole or not at all: the text is written to a file of its own first and then linked
    into place, which fails when another process got there first, so processes starting
    together never read a half-written file nor end up with different keys.
    """
    if path.exists():
        return
    tmp = path.with_name(f".{path.name}.{secrets.token_hex(4)}.new")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    try:
        with os.fdopen(fd, "w", encoding="ascii") as out:
            out.write(text)
            out.flush()
            os.fsync(out.fileno())
        with contextlib.suppress(FileExistsError):  # another process made it first
            os.link(tmp, path)
    finally:
        tmp.unlink(missing_ok=True)


def keyfile_create(path: Path) -> None:
    """A first key file, 0600, unless one exists already."""
    file_create_once(path, keyfile_text([key_generate()]))
