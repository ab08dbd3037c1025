"""A person in Chromium finds a case from the home page and reads it; axe finds no barrier."""

from __future__ import annotations

from typing import Any

import pytest

from tests.browser.conftest import axe_violations

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def describe(violations: list[dict[str, Any]]) -> str:
    return "\n".join(
        f"{v['id']} ({v['impact']}): {v['help']} at {[n['target'] for n in v['nodes']][:3]}"
        for v in violations
    )


def test_home_filter_and_case_page(page: Any, live_server: Any, demo: None) -> None:
    page.goto(live_server.url + "/")
    assert page.title().startswith("Active urgent actions")
    assert page.locator(".case-card").count() == 3  # UA 64/26 is past its deadline
    violations = axe_violations(page)
    assert not violations, describe(violations)

    page.get_by_label("Country").select_option(label="Mexico")
    page.get_by_role("button", name="Show cases").click()
    assert page.locator(".case-card").count() == 1

    page.get_by_role("link", name="Defensora indígena amenazada de muerte").click()
    assert page.locator("h1").inner_text() == "Defensora indígena amenazada de muerte"
    page.goto(live_server.url + "/cases/ua-101-26/")
    assert page.get_by_role("heading", name="Write to").is_visible()
    assert page.locator(".target").get_by_text("Dear President,").is_visible()
    assert page.get_by_role("heading", name="And send a copy to").is_visible()
    violations = axe_violations(page)
    assert not violations, describe(violations)


def test_keyboard_skip_link_and_phone_width(page: Any, live_server: Any, demo: None) -> None:
    page.set_viewport_size({"width": 360, "height": 740})
    page.goto(live_server.url + "/cases/ua-101-26/")
    page.keyboard.press("Tab")
    focused = page.evaluate("document.activeElement.textContent")
    assert focused.strip() == "Skip to content"
    page.keyboard.press("Enter")
    assert page.evaluate("document.activeElement.id") == "main"
    overflow = page.evaluate("document.documentElement.scrollWidth > window.innerWidth")
    assert not overflow


def test_not_found_page_and_language_switch(page: Any, live_server: Any, demo: None) -> None:
    response = page.goto(live_server.url + "/cases/ua-000-00/")
    assert response.status == 404
    assert page.locator("h1").inner_text() == "Page not found"
    violations = axe_violations(page)
    assert not violations, describe(violations)
    page.goto(live_server.url + "/")
    page.get_by_label("Language").select_option("fr")
    page.get_by_role("button", name="Change").click()
    assert page.locator("h1").inner_text() == "Actions urgentes en cours"
    page.goto(live_server.url + "/")
    violations = axe_violations(page)
    assert not violations, describe(violations)
