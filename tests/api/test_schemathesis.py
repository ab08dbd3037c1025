"""Schemathesis drives the live API from its own OpenAPI document (real HTTP, real app):
no request it builds may get a server error, an undocumented status or content type, a
body that breaks the schema, or have invalid data accepted.

Checks left out, and why:
- positive_data_acceptance: business rules refuse some schema-valid requests (an unknown
  official id, publishing a case that is already active) with a JSON error, which a
  schema cannot express;
- ensure_resource_availability, use_after_free: they guess that an id from one path fits
  another (a case id used as an official id), which it does not;
- missing_required_header, ignored_auth, unsupported_method and the other checks are
  covered by the tests beside this one (test_staff.py, test_public.py).

The same run by hand, against `urgent serve`: see docs/api.md.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

pytestmark = pytest.mark.django_db(transaction=True)

SCHEMATHESIS = Path(sys.executable).with_name("schemathesis")
CHECKS = (
    "not_a_server_error,status_code_conformance,content_type_conformance,"
    "response_schema_conformance,negative_data_rejection"
)
EXAMPLES = os.environ.get("URGENT_SCHEMATHESIS_EXAMPLES", "5")
# The coverage phase (boundary values of every parameter) takes minutes on two cores; the
# suite runs examples and fuzzing, and URGENT_SCHEMATHESIS_PHASES=examples,coverage,fuzzing
# (or the command in docs/api.md) runs everything.
PHASES = os.environ.get("URGENT_SCHEMATHESIS_PHASES", "examples,fuzzing")


def test_api_holds_its_contract(
    live_server: Any, demo: None, api_token: Any, tmp_path: Path
) -> None:
    token = api_token("coordinator", username="schemathesis")
    env = {**os.environ, "SCHEMATHESIS_HOOKS": "", "NO_COLOR": "1"}
    result = subprocess.run(
        [
            str(SCHEMATHESIS),
            "run",
            f"{live_server.url}/api/v1/openapi.json",
            "--header",
            f"Authorization: Bearer {token}",
            "--checks",
            CHECKS,
            "--max-examples",
            EXAMPLES,
            # One at a time: the test database is SQLite in memory, shared by the live
            # server's threads without the busy timeout a real data directory has.
            "--workers",
            "1",
            "--seed",
            "20260101",
            "--phases",
            PHASES,
            "--suppress-health-check",
            "all",
            "--report-dir",
            str(tmp_path),
        ],
        capture_output=True,
        text=True,
        timeout=900,
        env=env,
        cwd=tmp_path,
        check=False,
    )
    summary = result.stdout[-6000:]
    assert result.returncode == 0, summary + result.stderr[-2000:]
    assert "Server error" not in result.stdout
