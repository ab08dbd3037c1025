"""Signed links, read exactly: each purpose expires on its own schedule, a link for one
purpose opens nothing else, and what a link carries comes back unchanged. Whoever holds a
live link acts as the supporter, so a link that outlives its time is a door left open."""

from __future__ import annotations

import time
import uuid
from typing import Any

import pytest
from django.core import signing

from urgent.supporters.links import (
    MAX_AGE,
    supporter_token,
    supporter_token_read,
    supporter_unsubscribe_headers,
    supporter_url,
)

WHO = uuid.UUID("6f1c1b7e-2a4d-4c1e-9a51-3c0f8d2e7b90")


def made_ago(monkeypatch: pytest.MonkeyPatch, seconds: float, **kwargs: Any) -> str:
    """A token signed `seconds` ago."""
    with monkeypatch.context() as patch:
        patch.setattr(
            signing.TimestampSigner,
            "timestamp",
            lambda self: signing.b62_encode(int(time.time() - seconds)),
        )
        return supporter_token(supporter_uuid=WHO, **kwargs)


@pytest.mark.parametrize("purpose", sorted(MAX_AGE))
def test_each_purpose_expires_on_its_own_schedule(
    monkeypatch: pytest.MonkeyPatch, purpose: str
) -> None:
    age = MAX_AGE[purpose].total_seconds()
    fresh = made_ago(monkeypatch, age - 120, purpose=purpose)
    stale = made_ago(monkeypatch, age + 120, purpose=purpose)
    assert supporter_token_read(token=fresh, purpose=purpose) == (WHO, "")
    assert supporter_token_read(token=stale, purpose=purpose) is None


def test_the_schedules_are_the_documented_ones() -> None:
    assert {p: a.days for p, a in MAX_AGE.items()} == {
        "confirm": 7,
        "preferences": 365,
        "unsubscribe": 730,
        "letter": 3,
    }


def test_a_link_opens_only_its_own_purpose() -> None:
    for purpose in MAX_AGE:
        token = supporter_token(supporter_uuid=WHO, purpose=purpose, extra="case:1")
        for other in MAX_AGE:
            expected = (WHO, "case:1") if other == purpose else None
            assert supporter_token_read(token=token, purpose=other) == expected


def test_what_a_link_carries_comes_back_unchanged() -> None:
    plain = supporter_token(supporter_uuid=WHO, purpose="preferences")
    assert supporter_token_read(token=plain, purpose="preferences") == (WHO, "")
    # No extra: the payload names the supporter only (shorter links).
    assert signing.TimestampSigner(salt="urgent.supporters.preferences").unsign_object(plain) == {
        "s": WHO.hex
    }
    tampered = plain[:-1] + ("A" if plain[-1] != "A" else "B")
    assert supporter_token_read(token=tampered, purpose="preferences") is None


def test_an_unknown_purpose_is_refused_by_name() -> None:
    with pytest.raises(ValueError, match="unknown link purpose 'admin'"):
        supporter_token(supporter_uuid=WHO, purpose="admin")
    assert supporter_token_read(token="x", purpose="admin") is None


def test_the_url_and_the_one_click_headers(settings: Any) -> None:
    settings.URGENT_BASE_URL = "https://urgent.example.org"
    url = supporter_url(supporter_uuid=WHO, purpose="confirm")
    token = url.removeprefix("https://urgent.example.org/s/confirm/").removesuffix("/")
    assert url == f"https://urgent.example.org/s/confirm/{token}/"
    assert supporter_token_read(token=token, purpose="confirm") == (WHO, "")
    headers = supporter_unsubscribe_headers(supporter_uuid=WHO, extra="case:abc")
    assert headers["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    link = headers["List-Unsubscribe"]
    assert link.startswith("<https://urgent.example.org/s/unsubscribe/") and link.endswith("/>")
    token = link.removeprefix("<https://urgent.example.org/s/unsubscribe/").removesuffix("/>")
    assert supporter_token_read(token=token, purpose="unsubscribe") == (WHO, "case:abc")
    assert set(headers) == {"List-Unsubscribe", "List-Unsubscribe-Post"}
