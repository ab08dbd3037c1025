"""The real development corpus, read from the shared checkout next to the repository."""

from __future__ import annotations

import re

import pytest

from benches.ingest import run

from .conftest import CORPUS_DEV


def test_dev_corpus_f1_via_scorer(tmp_path, capsys):
    if not (CORPUS_DEV / "000.txt").is_file():
        pytest.skip("shared corpus not checked out next to the repository (../shared/corpus/dev)")
    assert run([str(CORPUS_DEV), "--out", str(tmp_path), "--repeat", "1"]) == 0
    out = capsys.readouterr().out
    match = re.search(r"ingest F1 = ([0-9.]+) over (\d+) documents", out)
    assert match, out
    assert float(match.group(1)) >= 0.90
    assert "median" in out and "p95" in out
    assert len(list(tmp_path.glob("*.json"))) == int(match.group(2))
