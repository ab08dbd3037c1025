"""Rate limits for public forms and inbound mail, correct across processes and machines.

A fixed-window counter per key lives in the database and is bumped with one atomic upsert
(`INSERT ... ON CONFLICT DO UPDATE ... RETURNING`, on SQLite 3.35+ and PostgreSQL).
"""

from __future__ import annotations

import hashlib
import time

from urgent.core.db import hot_cursor
from urgent.core.models import RateLimitCounter

_TABLE = RateLimitCounter._meta.db_table


def ratelimit_key(*parts: str) -> str:
    """A key that does not store the raw IP address or email it is made from."""
    digest = hashlib.blake2b("\x1f".join(parts).encode(), digest_size=16).hexdigest()
    return f"{parts[0]}:{digest}"


def ratelimit_hit(*, key: str, limit: int, window_seconds: int) -> bool:
    """Count one hit; True while the key is within `limit` hits in the current window."""
    window = int(time.time()) // window_seconds * window_seconds
    with hot_cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {_TABLE} (key, window_start, count) VALUES (%s, %s, 1) "  # noqa: S608
            "ON CONFLICT (key, window_start) DO UPDATE SET count = "
            f"{_TABLE}.count + 1 RETURNING count",
            [key, window],
        )
        row = cursor.fetchone()
    return bool(row) and int(row[0]) <= limit


def ratelimit_count(*, key: str, window_seconds: int) -> int:
    """Hits so far in the current window, without counting one."""
    window = int(time.time()) // window_seconds * window_seconds
    row = RateLimitCounter.objects.filter(key=key, window_start=window).values("count").first()
    return int(row["count"]) if row else 0


def ratelimit_prune(*, older_than_seconds: int = 2 * 86400) -> int:
    cutoff = int(time.time()) - older_than_seconds
    deleted, _ = RateLimitCounter.objects.filter(window_start__lt=cutoff).delete()
    return deleted
