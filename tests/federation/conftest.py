from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.federation.fake import FakeInstance, fake_instance_serving


@pytest.fixture(autouse=True)
def own_keys(settings: Any, tmp_path: Path) -> None:
    """Each test has its own data directory, so its own signing key."""
    settings.DATA_DIR = tmp_path / "data"
    settings.DATA_DIR.mkdir()
    settings.URGENT_BASE_URL = "http://127.0.0.1:8000"


@pytest.fixture
def allow_private(settings: Any) -> None:
    """The fake instances live on loopback."""
    settings.URGENT_FEDERATION_ALLOW_PRIVATE = True


@pytest.fixture
def fake(allow_private: None) -> Iterator[FakeInstance]:
    with fake_instance_serving() as instance:
        yield instance
