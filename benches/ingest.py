"""`urgent bench ingest DIR [--out PRED_DIR]`: parse a corpus split, score it, time the parser."""

from __future__ import annotations

import argparse
import contextlib
import json
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from urgent.ingest.errors import IngestError
from urgent.ingest.parser import parse_case_sheet

REPO_ROOT = Path(__file__).resolve().parents[1]


def _scorer(corpus_dir: Path) -> Path | None:
    for candidate in (
        corpus_dir / ".." / "score.py",
        REPO_ROOT / ".." / "shared" / "corpus" / "score.py",
    ):
        if candidate.is_file():
            return candidate.resolve()
    return None


def _percentile(values: list[float], pct: float) -> float:
    ordered = sorted(values)
    if not ordered:
        return 0.0
    rank = max(0, min(len(ordered) - 1, round(pct / 100 * (len(ordered) - 1))))
    return ordered[rank]


def run(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="urgent bench ingest", description=__doc__)
    parser.add_argument("dir", type=Path, help="directory of NNN.txt documents (and NNN.json gold)")
    parser.add_argument("--out", type=Path, help="where to write NNN.json predictions")
    parser.add_argument("--repeat", type=int, default=5, help="timed parses per document")
    args = parser.parse_args(argv)

    corpus: Path = args.dir
    texts = sorted(corpus.glob("*.txt"))
    if not texts:
        print(f"error: no .txt documents in {corpus}", file=sys.stderr)
        return 2
    out: Path = args.out or Path(tempfile.mkdtemp(prefix="urgent-bench-"))
    out.mkdir(parents=True, exist_ok=True)

    timings: list[float] = []
    failures = 0
    for path in texts:
        text = path.read_text(encoding="utf-8", errors="replace")
        try:
            record = parse_case_sheet(text).to_json_dict()
        except IngestError as exc:
            print(f"{path.name}: {exc}", file=sys.stderr)
            record = {}
            failures += 1
        (out / f"{path.stem}.json").write_text(
            json.dumps(record, ensure_ascii=False, indent=2), encoding="utf-8"
        )
        for _ in range(max(1, args.repeat)):
            start = time.perf_counter()
            with contextlib.suppress(IngestError):
                parse_case_sheet(text)
            timings.append((time.perf_counter() - start) * 1000)

    scorer = _scorer(corpus)
    if scorer is None:
        print("warning: score.py not found; predictions written to", out, file=sys.stderr)
    else:
        done = subprocess.run(
            [sys.executable, str(scorer), str(corpus), str(out)],
            capture_output=True,
            text=True,
            check=False,
        )
        sys.stdout.write(done.stdout)
        if done.returncode != 0:
            sys.stderr.write(done.stderr)
            return 1
    print(f"refused: {failures} of {len(texts)} documents")
    print(f"predictions: {out}")
    print(
        f"parse time over {len(texts)} documents x {max(1, args.repeat)}: "
        f"median {statistics.median(timings):.1f} ms, p95 {_percentile(timings, 95):.1f} ms"
    )
    return 1 if failures == len(texts) else 0


BENCHES = {"ingest": run}
