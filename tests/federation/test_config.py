"""Federation settings: a bad value stops start-up with one line naming the variable."""

from __future__ import annotations

import pytest

from config import env


@pytest.mark.parametrize("value", ["maybe", "2"])
def test_allow_private_must_be_true_or_false(monkeypatch: pytest.MonkeyPatch, value: str) -> None:
    monkeypatch.setenv("URGENT_FEDERATION_ALLOW_PRIVATE", value)
    with pytest.raises(env.ConfigError, match="URGENT_FEDERATION_ALLOW_PRIVATE"):
        env.federation_allow_private()


@pytest.mark.parametrize(("value", "expected"), [("", False), ("true", True), ("off", False)])
def test_allow_private_values(monkeypatch: pytest.MonkeyPatch, value: str, expected: bool) -> None:
    monkeypatch.setenv("URGENT_FEDERATION_ALLOW_PRIVATE", value)
    assert env.federation_allow_private() is expected


@pytest.mark.parametrize("value", ["a\nb", "<script>", "x" * 201])
def test_a_bad_name_is_refused(monkeypatch: pytest.MonkeyPatch, value: str) -> None:
    monkeypatch.setenv("URGENT_FEDERATION_NAME", value)
    with pytest.raises(env.ConfigError, match="URGENT_FEDERATION_NAME"):
        env.federation_name()


def test_the_name_is_trimmed(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("URGENT_FEDERATION_NAME", "  Section B ")
    assert env.federation_name() == "Section B"
