"""Without axe-core the browser tests still drive the pages; only the accessibility check
is left out, and the run says so."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from tests.browser import conftest
from tests.browser.conftest import AxeMissing, axe_violations

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_missing_axe_core_skips_only_the_accessibility_check(
    page: Any, live_server: Any, demo: None, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(conftest, "AXE", tmp_path / "axe.min.js")
    page.goto(live_server.url + "/cases/ua-101-26/")
    try:
        with pytest.warns(AxeMissing, match="accessibility not checked"):
            assert axe_violations(page) == []
    except pytest.skip.Exception:
        pytest.fail("a missing axe-core skipped the functional browser test")
    # The functional part goes on: the page is there and its form works.
    page.get_by_role("button", name="I called").click()
    page.get_by_role("heading", name="Thank you: your action is counted").wait_for()
