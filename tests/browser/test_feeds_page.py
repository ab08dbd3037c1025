"""In Chromium, the "Follow" links lead a person to a page, not to raw XML."""

from __future__ import annotations

from typing import Any

import pytest

from tests.browser.conftest import axe_violations

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_follow_links_open_the_feeds_page(page: Any, live_server: Any, demo: None) -> None:
    for width in (390, 1280):
        page.set_viewport_size({"width": width, "height": 900})
        page.goto(live_server.url + "/")
        page.get_by_role("link", name="Follow new cases and updates (Atom feed)").click()
        assert page.get_by_role("heading", name="Follow urgent actions").is_visible()
        assert page.get_by_label("Feed address to copy").input_value().endswith("/feeds/cases.atom")
        assert (
            page.get_by_role("link", name="Subscribe in my calendar app")
            .get_attribute("href")
            .startswith("webcal://")
        )
        violations = axe_violations(page, every_impact=True)
        assert not violations, [v["id"] for v in violations]
