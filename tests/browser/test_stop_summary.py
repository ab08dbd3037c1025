"""A stopped case's page in Chromium: the "what had already left" table reads right on a
phone and on a desk, with no accessibility problem of any impact."""

from __future__ import annotations

from typing import Any

import pytest
from django.contrib.auth.models import User

from tests.actions.helpers import confirmed_letter
from tests.browser.conftest import axe_violations, screenshot_path
from tests.browser.test_import_page import describe, sign_in
from urgent.cases import services
from urgent.cases.models import Case

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_the_stop_summary_is_readable_and_accessible(
    page: Any, live_server: Any, demo: None
) -> None:
    case = Case.objects.get(reference="UA 101/26")
    confirmed_letter("a@example.org")
    sign_in(page, live_server)
    services.case_stop_switch(
        case=case,
        actor=User.objects.get(username="coord"),
        stopped=True,
        hide_names=False,
        reason="The family asked",
    )
    found: dict[int, str] = {}
    for width in (390, 1280):
        page.set_viewport_size({"width": width, "height": 900})
        page.goto(f"{live_server.url}/staff/cases/{case.pk}/")
        heading = page.get_by_role("heading", name="Action stopped: what had already left")
        assert heading.is_visible()
        row = page.locator("#stop-summary tbody tr", has_text="Letters to officials by email")
        assert row.locator("td").all_inner_texts() == ["0", "0", "0", "2"]
        page.screenshot(path=str(screenshot_path(f"stop-summary-{width}.png")), full_page=True)
        violations = axe_violations(page, every_impact=True)
        if violations:
            found[width] = describe(violations)
    assert not found, found
