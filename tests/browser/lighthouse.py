"""Lighthouse scores of the public pages, phone and desktop (`make lighthouse`).

Serves a scratch copy of the demo data with `urgent serve` on a free loopback port, runs
npm's lighthouse (pinned in package.json) against /usr/bin/chromium for home, a case page,
join and impact, and prints the four category scores of each. Not part of `make test`: it
takes minutes and its performance figures depend on the machine's load.

    python tests/browser/lighthouse.py [--min 95] [--json scores.json]
"""

from __future__ import annotations

import argparse
import json
import os
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parents[1]
LIGHTHOUSE = HERE / "node_modules" / ".bin" / "lighthouse"
CHROMIUM = os.environ.get("URGENT_CHROMIUM", "/usr/bin/chromium")
PAGES = {"home": "/", "case": "/cases/ua-101-26/", "join": "/join/", "impact": "/impact/"}
CATEGORIES = ["performance", "accessibility", "best-practices", "seo"]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def wait_until_up(url: str, seconds: float = 120) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(url, timeout=5):
                return
        except OSError:
            time.sleep(0.5)
    raise SystemExit(f"the server at {url} did not answer within {seconds:.0f} s")


def audit(url: str, form_factor: str, out: Path) -> dict[str, int]:
    command = [
        str(LIGHTHOUSE),
        url,
        f"--chrome-path={CHROMIUM}",
        "--chrome-flags=--headless=new --no-sandbox --disable-gpu",
        f"--only-categories={','.join(CATEGORIES)}",
        "--output=json",
        f"--output-path={out}",
        "--quiet",
    ]
    if form_factor == "desktop":
        command.append("--preset=desktop")
    subprocess.run(command, check=True, timeout=300)
    report = json.loads(out.read_text())
    return {c: round(100 * (report["categories"][c]["score"] or 0)) for c in CATEGORIES}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--min", type=int, default=0, help="fail below this score")
    parser.add_argument("--json", type=Path, help="also write the scores to this file")
    args = parser.parse_args()
    if not LIGHTHOUSE.exists():
        raise SystemExit("lighthouse is not installed: npm ci --prefix tests/browser")
    urgent = str(Path(sys.executable).with_name("urgent"))
    data = Path(tempfile.mkdtemp(prefix="urgent-lighthouse-"))
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    env = {**os.environ, "URGENT_DATA_DIR": str(data), "URGENT_BASE_URL": base}
    env.pop("DATABASE_URL", None)
    for step in (["migrate", "--noinput", "-v0"], ["demo"]):
        subprocess.run([urgent, *step], env=env, check=True, stdout=subprocess.DEVNULL)
    server = subprocess.Popen(
        [urgent, "serve", "--bind", f"127.0.0.1:{port}", "--no-worker", "--web-workers", "2"],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )
    scores: dict[str, dict[str, dict[str, int]]] = {}
    try:
        wait_until_up(base + "/")
        for name, path in PAGES.items():
            for form_factor in ("mobile", "desktop"):
                out = data / f"{name}-{form_factor}.json"
                scores.setdefault(name, {})[form_factor] = audit(base + path, form_factor, out)
                row = scores[name][form_factor]
                print(
                    f"{name:7} {form_factor:8} " + "  ".join(f"{c} {row[c]:3}" for c in CATEGORIES)
                )
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        server.wait(timeout=30)
    if args.json:
        args.json.write_text(json.dumps(scores, indent=2))
    low = [
        (n, f, c, s)
        for n, by_factor in scores.items()
        for f, row in by_factor.items()
        for c, s in row.items()
        if s < args.min
    ]
    for n, f, c, s in low:
        print(f"below {args.min}: {n} {f} {c} {s}", file=sys.stderr)
    return 1 if low else 0


if __name__ == "__main__":
    raise SystemExit(main())
