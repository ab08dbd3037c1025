"""In Chromium, a supporter takes action on a demo case through every channel."""

from __future__ import annotations

import io
import re
from typing import Any
from urllib.parse import urlsplit

import pypdf
import pytest
from django.core import mail

from tests.browser.conftest import axe_violations
from urgent.actions.models import Action, LetterDelivery
from urgent.core.vault import email_hash

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def describe(violations: list[dict[str, Any]]) -> str:
    return "\n".join(f"{v['id']} ({v['impact']}): {v['help']}" for v in violations)


def sign(page: Any) -> None:
    page.get_by_label("Your name").fill("Ana Example")
    page.get_by_label("City").fill("Lyon")
    page.get_by_label("Country", exact=True).select_option("FR")
    page.get_by_label("One sentence about you (optional)").fill("I am a nurse in Lyon.")


def screens_seen(page: Any) -> list[str]:
    """The paths of the pages the browser shows from now on, as it navigates (the test's
    own `goto` to the emailed link is one, as a click in a mail app would be)."""
    seen: list[str] = []

    def navigated(frame: Any) -> None:
        if frame == page.main_frame:
            seen.append(urlsplit(frame.url).path)

    page.on("framenavigated", navigated)
    return seen


def test_email_through_urgent_in_three_screens(page: Any, live_server: Any, demo: None) -> None:
    page.goto(live_server.url + "/cases/ua-101-26/")
    violations = axe_violations(page)
    assert not violations, describe(violations)
    screens = screens_seen(page)
    sign(page)
    page.get_by_label("Your email address").fill("ana@example.org")
    page.get_by_role("button", name="Send by email through Urgent").click()
    page.get_by_role("heading", name="Check your inbox").wait_for()
    assert not axe_violations(page)
    link = re.search(r"http://\S+/act/confirm/\S+/", str(mail.outbox[-1].body))
    assert link
    path = "/act/confirm/" + link.group(0).split("/act/confirm/", 1)[1]
    page.goto(live_server.url + path)
    assert not axe_violations(page)
    page.get_by_role("button", name="Yes, send my letter").click()
    page.get_by_role("heading", name="Your letter is on its way").wait_for()
    assert not axe_violations(page)
    # After the case page: "check your inbox", the emailed link, "on its way"; no more.
    assert screens == ["/act/ua-101-26/", path, path], screens
    rows = page.locator("tr:has(td.status)")
    assert rows.count() == 2
    statuses = page.locator("td.status").all_inner_texts()
    assert [s.strip() for s in statuses] == ["Queued", "Queued"]
    action = Action.objects.get(
        channel="email", supporter__email_hash=email_hash("ana@example.org")
    )
    assert "I am a nurse in Lyon." in action.letter
    assert list(
        LetterDelivery.objects.filter(action=action).order_by("id").values_list("status", flat=True)
    ) == ["queued", "queued"]
    # The browser solved the proof of work (JavaScript on): it is recorded with the letter.
    assert action.pending.challenge


def test_own_mail_app_post_phone_and_social(page: Any, live_server: Any, demo: None) -> None:
    before = Action.objects.filter(case__slug="ua-101-26").count()
    case_url = live_server.url + "/cases/ua-101-26/"

    page.goto(case_url)
    sign(page)
    page.get_by_role("button", name="Open in my email app").click()
    mailto = page.get_by_role("link", name="Open my email app with the letter")
    assert mailto.get_attribute("href").startswith("mailto:mission.tm@example.org?cc=")
    assert not axe_violations(page)
    page.get_by_role("button", name="I sent it").click()
    page.get_by_role("heading", name="Thank you: your action is counted").wait_for()

    page.goto(case_url)
    sign(page)
    page.get_by_role("button", name="Print and post").click()
    page.get_by_role("button", name="Letter (PDF)").wait_for()  # the post page has loaded
    assert not axe_violations(page)
    with page.expect_download() as download:
        page.get_by_role("button", name="Letter (PDF)").click()
    with open(download.value.path(), "rb") as file:
        pdf = pypdf.PdfReader(io.BytesIO(file.read()))
    text = pdf.pages[0].extract_text()
    assert "Dear President," in text and "Disclose at once" in text
    page.get_by_role("button", name="I posted it").click()
    page.get_by_role("heading", name="Thank you: your action is counted").wait_for()

    page.goto(case_url)
    assert page.get_by_text("America/New_York").first.is_visible()
    page.get_by_role("button", name="I called").click()
    page.get_by_role("heading", name="Thank you: your action is counted").wait_for()

    page.goto(live_server.url + "/cases/ua-87-26/")
    assert "@mvd_example" in page.get_by_label("Your post (copy it, then paste it)").input_value()
    page.get_by_role("button", name="I posted it").click()
    page.get_by_role("heading", name="Thank you: your action is counted").wait_for()

    channels = list(Action.objects.order_by("-id").values_list("channel", flat=True)[:4])
    assert channels == ["social", "phone", "post", "mail_app"]
    assert Action.objects.filter(case__slug="ua-101-26").count() == before + 3
    # JavaScript solved each form's challenge, so none fell back to the no-JS limit.
    assert Action.objects.filter(challenge__isnull=False).count() == 4


def test_fax_through_urgent(page: Any, live_server: Any, demo: None, settings: Any) -> None:
    settings.URGENT_FAX = {"kind": "email", "url": "", "domain": "fax.example.org"}
    page.goto(live_server.url + "/cases/ua-101-26/")
    sign(page)
    page.get_by_label("Your email address").fill("fax@example.org")
    page.get_by_role("button", name="Send by fax through Urgent").click()
    page.get_by_role("heading", name="Check your inbox").wait_for()
    link = re.search(r"/act/confirm/\S+/", str(mail.outbox[-1].body))
    assert link
    page.goto(live_server.url + link.group(0))
    page.get_by_role("button", name="Yes, fax my letter").click()
    page.get_by_role("heading", name="Your letter is on its way").wait_for()
    assert set(LetterDelivery.objects.values_list("channel", flat=True)) == {"fax"}


def test_without_javascript_the_forms_still_work(
    browser: Any, live_server: Any, demo: None
) -> None:
    context = browser.new_context(java_script_enabled=False, bypass_csp=True)
    page = context.new_page()
    try:
        page.goto(live_server.url + "/cases/ua-101-26/")
        page.get_by_role("button", name="I called").click()
        page.get_by_role("heading", name="Thank you: your action is counted").wait_for()
        assert Action.objects.latest("id").challenge is None
    finally:
        context.close()
