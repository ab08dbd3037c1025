"""The mutation score per module after `mutmut run` (`make mutation` prints it).

Killed (a test failed) over the mutants checked so far; "no tests" are mutants in code
that none of the selected tests reaches (they count as not killed). Time-outs are listed
apart and not counted as killed: on a busy machine a slow run is not a caught mutant.
"""

from __future__ import annotations

import re
import subprocess
import sys
import tomllib
from collections import Counter, defaultdict
from pathlib import Path

KILLED = {"killed"}
UNCHECKED = {"not checked"}
_NAME = re.compile(r"^(?P<module>[\w.]+?)\.x[_ǁ]")


def scores(results: str) -> dict[str, Counter[str]]:
    """Statuses counted per module from `mutmut results --all true`."""
    per_module: dict[str, Counter[str]] = defaultdict(Counter)
    for line in results.splitlines():
        name, _sep, status = line.strip().rpartition(": ")
        match = _NAME.match(name)
        if match:
            per_module[match.group("module")][status.strip()] += 1
    return per_module


_LOGGED = re.compile(r"(🎉|🙁|⏰|🫥|🤔|🔇|🧙) (urgent\.[\w.ǁ]+?__mutmut_\d+)")
_STATUS = {"🎉": "killed", "🙁": "survived", "⏰": "timeout", "🫥": "no tests"}


def logged_scores(folder: Path) -> dict[str, Counter[str]]:
    """Statuses per module from the per-module logs `make mutation` keeps: the last status
    each mutant was printed with (`mutmut results` can show an earlier module's mutants as
    "not checked" again once a later run found new tests)."""
    per_module: dict[str, Counter[str]] = {}
    for log in sorted(folder.glob("urgent.*.log")):
        module = log.name.removesuffix(".log")
        last: dict[str, str] = {}
        for emoji, name in _LOGGED.findall(log.read_text(encoding="utf-8", errors="replace")):
            if name.startswith(module + "."):
                last[name] = _STATUS.get(emoji, "other")
        per_module[module] = Counter(last.values())
    return per_module


def _percent(part: int, whole: int) -> str:
    return f"{100 * part / whole:5.1f}%" if whole else "    -"


def modules() -> list[str]:
    """The dotted names of the modules `[tool.mutmut] only_mutate` lists, for `make mutation`
    to run one at a time."""
    config = tomllib.loads(Path("pyproject.toml").read_text(encoding="utf-8"))
    paths = config["tool"]["mutmut"]["only_mutate"]
    return [str(Path(p).with_suffix("")).replace("/", ".") for p in paths]


def main() -> int:
    if sys.argv[1:] == ["--modules"]:
        print("\n".join(modules()))
        return 0
    mutmut = Path(sys.executable).with_name("mutmut")
    done = subprocess.run(
        [str(mutmut), "results", "--all", "true"], capture_output=True, text=True, check=False
    )
    table = scores(done.stdout)
    table.update({m: c for m, c in logged_scores(Path("mutants")).items() if c})
    if not table:
        print("no mutation results: run `mutmut run` first", file=sys.stderr)
        return 1
    all_killed = all_total = 0
    for module, counts in sorted(table.items()):
        killed = sum(counts[s] for s in KILLED)
        total = sum(n for s, n in counts.items() if s not in UNCHECKED)
        all_killed, all_total = all_killed + killed, all_total + total
        rest = ", ".join(f"{n} {s}" for s, n in sorted(counts.items()) if s not in KILLED)
        print(f"{module:40} {killed:4}/{total:<4} {_percent(killed, total)}  {rest}")
    print(f"{'all':40} {all_killed:4}/{all_total:<4} {_percent(all_killed, all_total)}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
