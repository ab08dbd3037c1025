"""A person joins, confirms, manages preferences, downloads and erases their data in Chromium;
and asks for updates from a case page. axe finds no serious barrier on any of those pages."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest
from django.core import mail

from tests.browser.conftest import axe_violations
from tests.browser.test_public_pages import describe
from urgent.supporters.models import Subscription, Supporter

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def no_barriers(page: Any) -> None:
    violations = axe_violations(page)
    assert not violations, describe(violations)


def link_in_last_mail(purpose: str) -> str:
    match = re.search(rf"http://\S+/s/{purpose}/\S+/", str(mail.outbox[-1].body))
    assert match, mail.outbox[-1].body
    return match.group(0)


def test_join_confirm_preferences_export_and_erase(
    page: Any, live_server: Any, demo: None, settings: Any, tmp_path: Path
) -> None:
    settings.URGENT_BASE_URL = live_server.url
    page.goto(live_server.url + "/join/")
    no_barriers(page)
    page.get_by_label("Your name, as you sign letters").fill("Ana Lima")
    page.get_by_label("Email", exact=True).fill("ana.lima@example.org")
    page.get_by_label("City or town").fill("Porto Exemplo")
    page.get_by_label("Torture and ill-treatment").check()
    page.get_by_label("A weekly digest").check()
    page.get_by_role("button", name="Join").click()
    # Forgot the consent box: the form says so and keeps what was typed.
    assert page.get_by_role("alert").is_visible()
    assert "Tick this box to agree" in page.get_by_role("alert").inner_text()
    assert page.get_by_label("Email", exact=True).input_value() == "ana.lima@example.org"
    no_barriers(page)
    page.get_by_label(re.compile("I want to join the urgent-action network")).check()
    page.get_by_role("button", name="Join").click()
    assert page.locator("h1").inner_text() == "Check your email"
    no_barriers(page)

    page.goto(link_in_last_mail("confirm"))
    assert Supporter.objects.get().status == Supporter.Status.PENDING  # opening is not confirming
    no_barriers(page)
    page.get_by_role("button", name="Yes, I want to join").click()
    assert page.locator("h1").inner_text() == "Thank you: confirmed"
    page.get_by_role("link", name="See or change your preferences").click()
    assert page.locator("h1").inner_text() == "Your preferences"
    no_barriers(page)
    assert page.get_by_label("Torture and ill-treatment").is_checked()
    page.get_by_label("City or town").fill("Villa Ejemplo")
    page.get_by_role("button", name="Save preferences").click()
    assert page.get_by_text("Your preferences are saved.").is_visible()
    assert Supporter.objects.get().city == "Villa Ejemplo"

    with page.expect_download() as download:
        page.get_by_role("button", name="Download my data").click()
    saved = tmp_path / "data.json"
    download.value.save_as(saved)
    data = json.loads(saved.read_text())
    assert data["supporter"]["email"] == "ana.lima@example.org"
    assert data["consents"][0]["wording"].startswith("I want to join")

    page.get_by_role("link", name="Erase me: delete my details for good").click()
    no_barriers(page)
    page.get_by_role("button", name="Erase my data").click()
    assert "Tick the box to confirm" in page.get_by_role("alert").inner_text()
    page.get_by_label("I understand that this cannot be undone.").check()
    page.get_by_role("button", name="Erase my data").click()
    assert page.locator("h1").inner_text() == "Your data is erased"
    assert Supporter.objects.get().email is None


def test_keep_me_updated_from_a_case_page(
    page: Any, live_server: Any, demo: None, settings: Any
) -> None:
    settings.URGENT_BASE_URL = live_server.url
    page.goto(live_server.url + "/cases/ua-101-26/")
    section = page.locator("section.keep-updated")
    assert "updates@example.org" in section.inner_text()
    assert "Keep me updated on UA 101/26" in section.inner_text()
    honeypot = page.get_by_label("Leave this empty").bounding_box()
    assert honeypot is not None and honeypot["x"] + honeypot["width"] <= 0  # off-screen
    page.get_by_label("Your email", exact=True).fill("bo@")
    page.get_by_role("button", name="Keep me updated").click()
    assert "not valid" in page.get_by_role("alert").inner_text()
    no_barriers(page)
    page.get_by_role("textbox", name=re.compile("^Email")).fill("bo@example.org")
    page.get_by_role("button", name="Keep me updated").click()
    assert page.locator("h1").inner_text() == "Check your email"
    page.goto(link_in_last_mail("confirm"))
    page.get_by_role("button", name="Yes, send me updates").click()
    assert page.get_by_text("You will receive the updates on UA 101/26 by email.").is_visible()
    assert Subscription.objects.get().case.reference == "UA 101/26"  # type: ignore[union-attr]


def test_disposable_address_reason_and_phone_width(page: Any, live_server: Any, demo: None) -> None:
    page.set_viewport_size({"width": 360, "height": 740})
    page.goto(live_server.url + "/join/")
    assert not page.evaluate("document.documentElement.scrollWidth > window.innerWidth")
    page.get_by_label("Your name, as you sign letters").fill("Ana Lima")
    page.get_by_label("Email", exact=True).fill("ana@mailinator.com")
    page.get_by_label(re.compile("I want to join the urgent-action network")).check()
    page.get_by_role("button", name="Join").click()
    assert "temporary (disposable)" in page.get_by_role("alert").inner_text()
    assert not page.evaluate("document.documentElement.scrollWidth > window.innerWidth")
    no_barriers(page)
    assert not Supporter.objects.exists()
