"""This instance's signing keys: Ed25519, kept as PEM files (mode 600) in the data directory.

`<data>/federation/ed25519-<created, ns since 1970>.pem`, one file per key. The newest key
signs; an older one is still published, for other instances to verify with, until a grace
period after the key that replaced it was made (`urgent federation_keys prune` deletes it
then). The first key is made the first time one is needed, under a lock file, so several
processes starting at once make one key, not several.
"""

from __future__ import annotations

import datetime
import fcntl
import hashlib
import os
import re
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ed25519
from django.conf import settings

# A replaced key stays published and valid for this long after its successor was made.
KEY_GRACE = datetime.timedelta(days=7)

_NAME = re.compile(r"^ed25519-(\d{19})\.pem$")


@dataclass(frozen=True)
class LocalKey:
    path: Path
    created_ns: int

    @property
    def created(self) -> datetime.datetime:
        return datetime.datetime.fromtimestamp(self.created_ns / 1e9, tz=datetime.UTC)

    @cached_property
    def private_key(self) -> ed25519.Ed25519PrivateKey:
        key = serialization.load_pem_private_key(self.path.read_bytes(), password=None)
        if not isinstance(key, ed25519.Ed25519PrivateKey):
            raise ValueError(f"{self.path} is not an Ed25519 private key")
        return key

    @cached_property
    def public_pem(self) -> str:
        return public_key_pem(self.private_key.public_key())

    @cached_property
    def fingerprint(self) -> str:
        return key_fingerprint(self.private_key.public_key())

    @property
    def key_id(self) -> str:
        return key_id_for(self.fingerprint)


def public_key_pem(key: ed25519.Ed25519PublicKey) -> str:
    return key.public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
    ).decode("ascii")


def key_fingerprint(key: ed25519.Ed25519PublicKey) -> str:
    """SHA-256 of the key's SubjectPublicKeyInfo (DER), in lower-case hex."""
    der = key.public_bytes(
        serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo
    )
    return hashlib.sha256(der).hexdigest()


def fingerprint_display(fingerprint: str) -> str:
    """Groups of four, upper case, for people to read out and compare: 3F2A 91C0 …"""
    text = fingerprint.upper()
    return " ".join(text[i : i + 4] for i in range(0, len(text), 4))


def actor_url() -> str:
    return f"{settings.URGENT_BASE_URL.rstrip('/')}/federation/actor"


def key_id_for(fingerprint: str) -> str:
    return f"{actor_url()}#key-{fingerprint[:16]}"


def keys_dir() -> Path:
    path = Path(settings.DATA_DIR) / "federation"
    path.mkdir(mode=0o700, exist_ok=True)
    return path


@contextmanager
def locked(directory: Path) -> Iterator[None]:
    with (directory / ".lock").open("a") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def _listed(directory: Path) -> list[LocalKey]:
    found = []
    for entry in directory.iterdir():
        match = _NAME.match(entry.name)
        if match:
            found.append(LocalKey(path=entry, created_ns=int(match.group(1))))
    return sorted(found, key=lambda k: k.created_ns)


def _write(directory: Path) -> LocalKey:
    created_ns = max([time.time_ns(), *(k.created_ns + 1 for k in _listed(directory))])
    path = directory / f"ed25519-{created_ns:019d}.pem"
    pem = ed25519.Ed25519PrivateKey.generate().private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    )
    # Created with mode 600 from the start: the key is never readable by others, not even
    # for a moment, and O_EXCL never overwrites a key.
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "wb") as handle:
        handle.write(pem)
        handle.flush()
        os.fsync(handle.fileno())
    return LocalKey(path=path, created_ns=created_ns)


def keys_all() -> list[LocalKey]:
    """Every key on disk, oldest first; makes the first key when there is none."""
    directory = keys_dir()
    keys = _listed(directory)
    if keys:
        return keys
    with locked(directory):
        return _listed(directory) or [_write(directory)]


def key_current() -> LocalKey:
    return keys_all()[-1]


def keys_published(*, now: datetime.datetime | None = None) -> list[LocalKey]:
    """The current key, then replaced keys still in their grace period, newest first."""
    now = now or datetime.datetime.now(tz=datetime.UTC)
    keys = keys_all()
    published = [keys[-1]]
    for older, newer in zip(reversed(keys[:-1]), reversed(keys[1:]), strict=True):
        if newer.created + KEY_GRACE <= now:
            break
        published.append(older)
    return published


def key_valid_until(key: LocalKey) -> datetime.datetime | None:
    """When a replaced key stops being valid; None for the current key."""
    keys = keys_all()
    later = [k for k in keys if k.created_ns > key.created_ns]
    return later[0].created + KEY_GRACE if later else None


def key_find(key_id: str) -> LocalKey | None:
    return next((k for k in keys_published() if k.key_id == key_id), None)


def key_rotate() -> tuple[LocalKey, LocalKey]:
    """Make a new current key; returns (the key it replaces, the new key)."""
    directory = keys_dir()
    old = key_current()
    with locked(directory):
        new = _write(directory)
    return old, new


def keys_prune(*, now: datetime.datetime | None = None) -> list[LocalKey]:
    """Delete replaced keys whose grace period is over; returns them."""
    published = {k.path for k in keys_published(now=now)}
    gone = [k for k in keys_all() if k.path not in published]
    for key in gone:
        _ = key.fingerprint  # read while the file exists: callers report what was deleted
        key.path.unlink(missing_ok=True)
    return gone
