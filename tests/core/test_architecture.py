"""What import-linter cannot see: imports hidden inside functions, and models found by name.

The layer contracts (pyproject.toml, run by `make lint`) check every import, wherever it is
written; these tests keep the ones between apps where a reader sees them, at the top.
"""

from __future__ import annotations

import ast
from pathlib import Path

from tests.conftest import REPO

PACKAGE = REPO / "urgent"


# Benchmarks and test sinks are development tools, not part of the apps' map.
_TOOLS = {"bench.py", "sink.py"}


def _sources() -> list[Path]:
    return sorted(
        p for p in PACKAGE.rglob("*.py") if "migrations" not in p.parts and p.name not in _TOOLS
    )


def _app(path: Path) -> str:
    return path.relative_to(PACKAGE).parts[0]


def _imported_app(node: ast.Import | ast.ImportFrom) -> set[str]:
    names = (
        [node.module or ""] if isinstance(node, ast.ImportFrom) else [a.name for a in node.names]
    )
    return {name.split(".")[1] for name in names if name.startswith("urgent.") and "." in name}


def _nested_imports(tree: ast.Module) -> list[ast.Import | ast.ImportFrom]:
    found = []
    for function in ast.walk(tree):
        if isinstance(function, ast.FunctionDef | ast.AsyncFunctionDef):
            found += [n for n in ast.walk(function) if isinstance(n, ast.Import | ast.ImportFrom)]
    return found


def test_no_function_level_import_reaches_another_app() -> None:
    hidden = []
    for path in _sources():
        tree = ast.parse(path.read_text(), filename=str(path))
        for node in _nested_imports(tree):
            others = _imported_app(node) - {_app(path)}
            if others:
                hidden.append(f"{path.relative_to(REPO)}:{node.lineno} imports {sorted(others)}")
    assert hidden == [], "move these imports to the top of the file:\n" + "\n".join(hidden)


def test_no_app_finds_another_apps_models_by_name() -> None:
    found = []
    for path in _sources():
        tree = ast.parse(path.read_text(), filename=str(path))
        for node in ast.walk(tree):
            if isinstance(node, ast.Attribute) and node.attr == "get_model":
                found.append(f"{path.relative_to(REPO)}:{node.lineno}")
    assert found == [], "import the model, or call the owning app's service:\n" + "\n".join(found)


def test_no_function_runs_past_sixty_lines() -> None:
    """A function past 60 lines does several things; split it into named steps."""
    long = []
    for path in _sources() + sorted((REPO / "benches").rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
                lines = (node.end_lineno or node.lineno) - node.lineno + 1
                if lines > 60:
                    long.append(f"{path.relative_to(REPO)}:{node.lineno} {node.name} ({lines})")
    assert not long, "\n".join(long)
