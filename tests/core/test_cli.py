"""The `urgent` command on a data directory whose database was never set up."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from tests.conftest import run_urgent

SAMPLES = Path(__file__).resolve().parents[1] / "ingest" / "samples"


def test_import_on_a_database_never_migrated_says_what_to_run(
    scratch_env: dict[str, Any],
) -> None:
    done = run_urgent("import", str(SAMPLES / "import_initial.txt"), env=scratch_env)
    assert done.returncode == 2
    assert "Traceback" not in done.stderr
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1, done.stderr
    assert lines[0].startswith("urgent: the database at ")
    assert lines[0].endswith("run `urgent migrate` first.")

    assert run_urgent("migrate", "--noinput", "-v", "0", env=scratch_env).returncode == 0
    again = run_urgent("import", str(SAMPLES / "import_initial.txt"), env=scratch_env)
    assert again.returncode == 0, again.stderr
    assert "created draft" in again.stdout


def test_other_database_commands_say_the_same(scratch_env: dict[str, Any]) -> None:
    for args in (("mailing", "list"), ("demo",)):
        done = run_urgent(*args, env=scratch_env)
        assert done.returncode == 2, args
        assert "Traceback" not in done.stderr
        assert "run `urgent migrate` first" in done.stderr


def test_commands_without_a_database_still_work(scratch_env: dict[str, Any]) -> None:
    done = run_urgent("parse", str(SAMPLES / "import_initial.txt"), env=scratch_env)
    assert done.returncode == 0, done.stderr
    assert '"ua_number"' in done.stdout
