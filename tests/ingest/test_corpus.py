"""The scorer over the real development corpus (read from the shared checkout next to the
repository) and over the invented corpus in tests/ingest/corpus."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from benches.ingest import run

from .conftest import CORPUS_DEV

INVENTED = Path(__file__).resolve().parent / "corpus"
SCORER = CORPUS_DEV / ".." / "score.py"


def _bench(corpus: Path, out: Path, capsys: pytest.CaptureFixture[str]) -> str:
    assert run([str(corpus), "--out", str(out), "--repeat", "1"]) == 0
    return capsys.readouterr().out


def _f1(out: str) -> float:
    match = re.search(r"ingest F1 = ([0-9.]+) over (\d+) documents", out)
    assert match, out
    return float(match.group(1))


def _fields(out: str) -> dict[str, float]:
    rows = re.findall(r"^([a-z_.]+)\s+[0-9.]+\s+[0-9.]+\s+([0-9.]+)\s+\d+$", out, re.M)
    return {name: float(f1) for name, f1 in rows}


def test_dev_corpus_f1_via_scorer(tmp_path, capsys):
    if not (CORPUS_DEV / "000.txt").is_file():
        pytest.skip("shared corpus not checked out next to the repository (../shared/corpus/dev)")
    out = _bench(CORPUS_DEV, tmp_path, capsys)
    assert _f1(out) >= 0.95
    assert "refused: 0 of" in out
    assert "median" in out and "p95" in out
    assert len(list(tmp_path.glob("*.json"))) == len(list(CORPUS_DEV.glob("*.txt")))


def test_invented_corpus_f1_via_scorer(tmp_path, capsys):
    if not SCORER.is_file():
        pytest.skip("the scorer is not checked out next to the repository (../shared/corpus)")
    out = _bench(INVENTED, tmp_path, capsys)
    assert _f1(out) >= 0.95
    assert "refused: 0 of" in out
    fields = _fields(out)
    assert fields and min(fields.values()) >= 0.60, fields
