from __future__ import annotations

import pytest

from urgent.core.ratelimit import ratelimit_hit, ratelimit_key, ratelimit_prune

pytestmark = pytest.mark.django_db


def test_rate_limit_counts_per_key_and_window() -> None:
    key = ratelimit_key("signup-ip", "203.0.113.7")
    assert "203.0.113.7" not in key
    results = [ratelimit_hit(key=key, limit=3, window_seconds=3600) for _ in range(5)]
    assert results == [True, True, True, False, False]
    other = ratelimit_key("signup-ip", "203.0.113.8")
    assert ratelimit_hit(key=other, limit=3, window_seconds=3600)
    assert ratelimit_prune(older_than_seconds=-10) == 2
