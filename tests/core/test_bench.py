"""`urgent bench`: a bad --postgres server is one clear line, and nothing is left behind."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.conftest import free_port, run_urgent


@pytest.mark.parametrize("bench", ["intake", "fanout"])
@pytest.mark.parametrize(
    ("url", "says"),
    [
        ("mysql://root@127.0.0.1/test", "is not a PostgreSQL URL"),
        ("postgres://nobody@127.0.0.1:{port}/test", "cannot make a scratch database"),
    ],
)
def test_bad_postgres_server_is_named_in_one_line(
    scratch_env: dict[str, str], tmp_path: Path, bench: str, url: str, says: str
) -> None:
    scratch_env["TMPDIR"] = str(tmp_path)
    result = run_urgent("bench", bench, "--postgres", url.format(port=free_port()), env=scratch_env)
    assert result.returncode == 2
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert "--postgres" in lines[0] and says in lines[0]
    assert not [p for p in tmp_path.iterdir() if p.name.startswith("urgent-")]
