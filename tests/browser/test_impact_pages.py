"""The impact pages in Chromium: charts drawn without JavaScript, tables, CSV, no barriers."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from tests.browser.conftest import axe_violations
from tests.browser.test_public_pages import describe

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_public_impact_page(page: Any, live_server: Any, demo: None) -> None:
    page.goto(live_server.url + "/impact/")
    assert page.locator("h1").inner_text() == "Impact"
    charts = page.locator("svg[role=img]")
    assert charts.count() == 6
    first = charts.first
    assert first.is_visible()
    assert first.bounding_box()["height"] > 20
    assert page.get_by_role("img", name="Actions by channel").is_visible()
    table = page.get_by_role("table", name="Cases, actions and outcomes by country")
    assert table.is_visible()
    assert table.get_by_role("rowheader", name="Turkmenistan").is_visible()
    violations = axe_violations(page)
    assert not violations, describe(violations)

    page.get_by_label("Country", exact=True).select_option(label="Turkmenistan")
    page.get_by_role("button", name="Show figures").click()
    assert "country=TM" in page.url
    assert (
        page.get_by_role("table", name="Cases, actions and outcomes by country")
        .get_by_role("row")
        .count()
        == 2
    )  # header and Turkmenistan

    with page.expect_download() as download_info:
        page.get_by_role("link", name="Download this table (CSV)").first.click()
    download = download_info.value
    assert download.suggested_filename == "urgent-impact-years-TM.csv"
    text = Path(download.path()).read_text(encoding="utf-8-sig")
    assert text.splitlines()[0].startswith("year,label,cases_issued")


def test_impact_page_works_without_javascript_on_a_phone(
    browser: Any, live_server: Any, demo: None
) -> None:
    context = browser.new_context(
        java_script_enabled=False, viewport={"width": 360, "height": 740}, locale="en-GB"
    )
    page = context.new_page()
    try:
        page.goto(live_server.url + "/impact/")
        assert page.locator("svg[role=img]").count() == 6
        assert page.get_by_role("img", name="Outcomes by type").is_visible()
        # Nothing wider than the phone: charts scale, tables scroll inside their box.
        overflow = page.evaluate("document.documentElement.scrollWidth > window.innerWidth")
        assert not overflow
    finally:
        context.close()


def test_staff_impact_page(page: Any, live_server: Any, demo: None, staff_client: Any) -> None:
    client = staff_client("viewer")
    page.context.add_cookies(
        [
            {
                "name": "sessionid",
                "value": client.cookies["sessionid"].value,
                "url": live_server.url,
            }
        ]
    )
    page.goto(live_server.url + "/staff/impact/")
    assert page.locator("h1").inner_text() == "Impact"
    assert page.get_by_text("Drafts in progress").is_visible()
    assert page.get_by_role("heading", name="Letters to officials").is_visible()
    violations = axe_violations(page)
    assert not violations, describe(violations)
