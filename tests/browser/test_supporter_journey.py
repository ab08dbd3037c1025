"""A supporter on a phone, from the home page to a sent letter and a confirmed subscription;
the case page's layout, the proof of work's timing, tables, and axe on every public page."""

from __future__ import annotations

import mailbox
import re
from pathlib import Path
from typing import Any

import pytest

from tests.browser.conftest import axe_violations, screenshot_path
from tests.browser.test_public_pages import describe
from urgent.actions.models import Action
from urgent.core.vault import email_hash
from urgent.supporters.links import supporter_url
from urgent.supporters.models import Subscription, Supporter
from urgent.supporters.selectors import supporters_by_email

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PHONE = {"width": 390, "height": 844}
DESK = {"width": 1280, "height": 900}


@pytest.fixture(autouse=True)
def patient(page: Any) -> None:
    # The first page a fresh live server renders compiles every template; on a loaded
    # machine that alone can pass the usual ten seconds.
    page.set_default_timeout(30_000)
    page.set_default_navigation_timeout(30_000)


def no_barriers(page: Any) -> None:
    """axe-core finds nothing at all: minor and moderate problems count too."""
    violations = axe_violations(page, every_impact=True)
    assert not violations, describe(violations)


def last_link(folder: Path, pattern: str) -> str:
    """The newest link matching `pattern` in the local mail folder."""
    box = mailbox.Maildir(folder, create=False)
    messages = sorted(box, key=lambda m: m.get_date())
    for message in reversed(messages):
        for part in message.walk():
            if part.get_content_type() == "text/plain":
                payload = part.get_payload(decode=True)
                assert isinstance(payload, bytes)
                text = payload.decode(part.get_content_charset() or "utf-8")
                found = re.search(pattern, text)
                if found:
                    return found.group(0)
    raise AssertionError(f"no mail with {pattern} in {folder}")


@pytest.fixture
def mail_folder(settings: Any, tmp_path: Path, live_server: Any) -> Path:
    settings.EMAIL_BACKEND = "urgent.core.maildir.MaildirBackend"
    settings.URGENT_MAILDIR = str(tmp_path / "mail")
    settings.URGENT_BASE_URL = live_server.url
    return tmp_path / "mail"


def test_case_page_on_a_phone_puts_the_letter_within_one_and_a_half_screens(
    page: Any, live_server: Any, demo: None
) -> None:
    page.set_viewport_size(PHONE)
    page.goto(live_server.url + "/cases/ua-101-26/")
    top = page.evaluate("document.getElementById('id_subject').getBoundingClientRect().top")
    print(f"letter's first field at y={top:.0f} px on a 390x844 screen")
    assert top < 1.5 * PHONE["height"], top
    assert page.get_by_role("link", name="Take action").first.is_visible()
    # The asks come before the letter, the addresses after it.
    y = {
        name: page.evaluate(f"document.getElementById('{name}').getBoundingClientRect().top")
        for name in ("asks-heading", "take-action-heading", "targets-heading", "story-heading")
    }
    assert y["asks-heading"] < y["take-action-heading"] < y["targets-heading"] < y["story-heading"]
    overflow = page.evaluate("document.documentElement.scrollWidth > window.innerWidth")
    assert not overflow


def test_proof_of_work_waits_for_the_supporter_and_runs_in_a_worker(
    page: Any, live_server: Any, demo: None
) -> None:
    workers: list[str] = []
    page.on("worker", lambda worker: workers.append(worker.url))
    page.goto(live_server.url + "/cases/ua-101-26/")
    page.wait_for_timeout(1500)
    # Nothing solved at page load: no worker, no answer in any form.
    assert workers == []
    values = page.eval_on_selector_all("input[name=altcha]", "els => els.map(e => e.value)")
    assert values and all(v == "" for v in values)
    page.get_by_label("Subject").focus()
    page.wait_for_function("document.querySelector('.letter-form input[name=altcha]').value !== ''")
    assert len(workers) == 1 and workers[0].split("?")[0].endswith(".js")
    assert "pow-worker" in workers[0]
    # One challenge, solved once for the page: the call form reuses the answer.
    page.locator(".phone form button").focus()
    page.wait_for_function("document.querySelector('.phone input[name=altcha]').value !== ''")
    assert len(workers) == 1


def test_impact_tables_use_the_page_width_on_a_desk(
    page: Any, live_server: Any, demo: None
) -> None:
    page.set_viewport_size(DESK)
    page.goto(live_server.url + "/impact/")
    sizes = page.eval_on_selector_all(
        ".impact-section .table-wrap",
        "els => els.map(e => [e.clientWidth, e.scrollWidth])",
    )
    assert sizes
    for client_width, scroll_width in sizes:
        assert client_width >= 600, sizes
        assert scroll_width <= client_width, sizes


@pytest.mark.parametrize(
    "path",
    [
        "/",
        "/cases/ua-101-26/",
        "/cases/ua-12-26/",
        "/cases/ua-64-26/",
        "/join/",
        "/preferences/",
        "/impact/",
        "/check-your-email/",
        "/no-such-page/",
    ],
)
@pytest.mark.parametrize("size", [PHONE, DESK], ids=["phone", "desk"])
def test_every_public_page_has_no_axe_violation(
    page: Any, live_server: Any, demo: None, path: str, size: dict[str, int]
) -> None:
    page.set_viewport_size(size)
    page.goto(live_server.url + path)
    no_barriers(page)


def test_supporter_walks_from_home_to_a_sent_letter_and_a_subscription(
    page: Any, live_server: Any, demo: None, mail_folder: Path
) -> None:
    page.set_viewport_size(PHONE)
    page.goto(live_server.url + "/")
    no_barriers(page)
    page.get_by_role("link", name="Student journalist jailed for a blog post").click()
    no_barriers(page)
    page.get_by_role("link", name="Take action").first.click()
    page.get_by_label("Your name").fill("Ana Example")
    page.get_by_label("City").fill("Lyon")
    page.get_by_label("Your email address").fill("ana.walk@example.org")
    page.get_by_role("button", name="Send by email through Urgent").click()
    page.get_by_role("heading", name="Check your inbox").wait_for()
    no_barriers(page)

    page.goto(last_link(mail_folder, r"http://\S+/act/confirm/\S+/"))
    no_barriers(page)
    page.get_by_role("button", name="Yes, send my letter").click()
    page.get_by_role("heading", name="Your letter is on its way").wait_for()
    no_barriers(page)
    action = Action.objects.get(supporter__email_hash=email_hash("ana.walk@example.org"))
    assert action.channel == "email" and action.confirmed
    # The status table: main recipient first, and no word broken across lines.
    first_row = page.locator("table.deliveries tbody tr").first.inner_text()
    assert "(copy)" not in first_row
    assert_no_broken_words(page, "table.deliveries")
    assert page.get_by_role("heading", name="What happens next").is_visible()
    assert page.get_by_role("heading", name="Another case needs letters").is_visible()
    page.screenshot(path=str(screenshot_path("after-acting-390.png")), full_page=True)

    page.get_by_label("Your email").fill("ana.walk@example.org")
    page.get_by_role("button", name="Keep me updated").click()
    page.get_by_role("heading", name="Check your email").wait_for()
    page.goto(last_link(mail_folder, r"http://\S+/s/confirm/\S+/"))
    no_barriers(page)
    page.locator("main form button[type=submit]").click()
    page.wait_for_load_state()
    supporter = supporters_by_email("ana.walk@example.org").get()
    assert Subscription.objects.filter(supporter=supporter, case__slug="ua-87-26").exists()
    no_barriers(page)


def assert_no_broken_words(page: Any, selector: str) -> None:
    """Every word in the table's cells sits on one line: no "St/at/us"."""
    broken = page.evaluate(
        """(selector) => {
          const out = [];
          for (const cell of document.querySelectorAll(selector + ' th, ' + selector + ' td')) {
            // Headers moved off screen on a phone (stacked rows) are read, not seen.
            const head = cell.closest('thead');
            if (head && head.getBoundingClientRect().width < 10) continue;
            const walker = document.createTreeWalker(cell, NodeFilter.SHOW_TEXT);
            for (let node = walker.nextNode(); node; node = walker.nextNode()) {
              const re = /[A-Za-z]{2,}/g; let m;
              while ((m = re.exec(node.textContent))) {
                if (m[0].includes('@') || m[0].includes('.')) continue;
                const range = document.createRange();
                range.setStart(node, m.index); range.setEnd(node, m.index + m[0].length);
                if (range.getClientRects().length > 1) out.push(m[0]);
              }
            }
          }
          return out;
        }""",
        selector,
    )
    assert not broken, broken


@pytest.mark.parametrize("size", [PHONE, DESK], ids=["390", "1280"])
def test_screenshots_of_the_public_pages(
    page: Any, live_server: Any, demo: None, size: dict[str, int], settings: Any
) -> None:
    settings.URGENT_BASE_URL = live_server.url
    width = size["width"]
    page.set_viewport_size(size)
    page.goto(live_server.url + "/cases/ua-101-26/")
    page.screenshot(path=str(screenshot_path(f"case-page-{width}.png")))
    page.goto(live_server.url + "/cases/ua-101-26/#take-action")
    page.screenshot(path=str(screenshot_path(f"take-action-{width}.png")))
    page.goto(live_server.url + "/join/")
    page.screenshot(path=str(screenshot_path(f"join-{width}.png")))
    supporter = Supporter.objects.create(
        email="pictured@example.org", name="Sam Example", status=Supporter.Status.ACTIVE
    )
    page.goto(supporter_url(supporter_uuid=supporter.uuid, purpose="preferences"))
    page.screenshot(path=str(screenshot_path(f"preferences-{width}.png")))
    page.goto(live_server.url + "/impact/")
    page.screenshot(path=str(screenshot_path(f"impact-{width}.png")))
    page.goto(live_server.url + "/")
    page.screenshot(path=str(screenshot_path(f"home-{width}.png")))


def test_focus_is_visible_and_print_leaves_out_the_forms(
    page: Any, live_server: Any, demo: None
) -> None:
    page.goto(live_server.url + "/cases/ua-101-26/")
    page.locator(".jump a").focus()
    background = page.evaluate(
        "getComputedStyle(document.querySelector('.jump a')).backgroundColor"
    )
    assert background == "rgb(255, 221, 0)"  # the yellow focus band
    page.emulate_media(media="print")
    assert not page.locator("#take-action").is_visible()
    assert not page.locator(".site-header").is_visible()
    assert page.get_by_role("heading", name="Write to").is_visible()
    assert page.get_by_role("heading", name="What is happening").is_visible()
