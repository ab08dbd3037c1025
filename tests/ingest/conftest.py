from __future__ import annotations

from pathlib import Path

import pytest

SAMPLES = Path(__file__).resolve().parent / "samples"
REPO_ROOT = Path(__file__).resolve().parents[2]
CORPUS_DEV = REPO_ROOT / ".." / "shared" / "corpus" / "dev"


@pytest.fixture
def samples() -> Path:
    return SAMPLES
