"""Every staff page in Chromium: no accessibility problem of any impact, at 390 and 1280 px,
no word in a table broken across lines on a phone, and the menu that works without
JavaScript."""

from __future__ import annotations

import io
import re
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings
from django.contrib.auth.models import User
from django.test import Client
from PIL import Image

from tests.actions.helpers import confirmed_letter
from tests.browser.conftest import axe_violations, screenshot_path
from tests.browser.test_import_page import describe, sign_in
from urgent.actions.services import deliveries_send_due
from urgent.cases import services
from urgent.cases.models import Case, PersonAtRisk
from urgent.core.maildir import maildir_list
from urgent.federation.models import ContactPointReport, Instance
from urgent.ingest.services import organisation_default, source_document_create
from urgent.mailings.models import Mailing
from urgent.officials.models import Official
from urgent.outreach.services import case_events_drain

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SAMPLES = Path(__file__).resolve().parents[1] / "ingest" / "samples"
WIDTHS = (390, 1280)

# Words in table cells that the browser split across lines ("St/at/us" in a squeezed
# column). Only plain words count: a long address or number may wrap where it must.
# Text hidden for all but screen readers is 1 px wide and left out.
BROKEN_WORDS = r"""
() => {
  const broken = [];
  for (const cell of document.querySelectorAll('main th, main td')) {
    const walker = document.createTreeWalker(cell, NodeFilter.SHOW_TEXT);
    for (let node = walker.nextNode(); node; node = walker.nextNode()) {
      const parent = node.parentElement;
      if (!parent || parent.closest('.visually-hidden')) continue;
      const head = parent.closest('thead');
      if (head && getComputedStyle(head).position === 'absolute') continue;
      if (parent.getBoundingClientRect().width < 2) continue;
      const re = /\S+/g;
      for (let m = re.exec(node.data); m; m = re.exec(node.data)) {
        const word = m[0].replace(/^[(“"']+|[)”"'.,;:!?]+$/g, '');
        if (!/^\p{L}{2,20}$/u.test(word)) continue;
        const range = document.createRange();
        const start = m.index + m[0].indexOf(word);
        range.setStart(node, start);
        range.setEnd(node, start + word.length);
        const lines = new Set([...range.getClientRects()].filter((r) => r.width > 0)
          .map((r) => Math.round(r.top)));
        if (lines.size > 1) broken.push(word);
      }
    }
  }
  return broken;
}
"""


def a_photo() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (900, 1200), (150, 170, 200)).save(out, "JPEG")
    return out.getvalue()


def staff_pages(tmp_path: Path, settings: Any) -> list[str]:
    """Every kind of staff page, with something on it (demo data and a little more)."""
    settings.EMAIL_BACKEND = "urgent.core.maildir.MaildirBackend"
    settings.URGENT_MAILDIR = str(tmp_path / "mail")
    confirmed_letter("reader@example.org")
    deliveries_send_due()
    active = Case.objects.get(reference="UA 101/26")
    draft = Case.objects.get(reference="UA 110/26")
    services.update_post(case=active, actor=None, title="", body="He was seen in a prison.")
    case_events_drain()  # the Further Information's mailing, as the worker's sweep makes it
    person = PersonAtRisk.objects.get(case=active)
    services.person_photo_set(
        person=person, actor=None, alt="Him, outdoors", public=True, crop={}, upload=a_photo()
    )
    target = active.targets.get(role="primary")
    official = Official.objects.get(pk=target.official_id)
    point = official.contact_points.first()
    assert point is not None
    source = source_document_create(
        data=(SAMPLES / "import_initial.txt").read_bytes(),
        filename="import_initial.txt",
        organisation=organisation_default(),
        actor=None,
    )
    instance = Instance.objects.create(
        actor_url="https://urgent.example.net/actor",
        inbox_url="https://urgent.example.net/inbox",
        name="Example Section Net",
    )
    # A section reported the official's address dead (shown on /staff/federation/).
    email = official.contact_points.get(kind="email")
    ContactPointReport.objects.create(
        role=ContactPointReport.Role.RECEIVED,
        instance=instance,
        official_id=f"https://urgent.example.org/federation/officials/{official.uuid}",
        kind=email.kind,
        value=email.value,
        contact_point=email,
        case=active,
    )
    case = f"/staff/cases/{active.pk}"
    return [
        "/staff/",
        "/staff/cases/",
        "/staff/cases/new/",
        f"{case}/",
        f"/staff/cases/{draft.pk}/publish/",
        f"{case}/preview/",
        f"{case}/preview/alert/",
        f"{case}/update/",
        f"{case}/close/",
        f"{case}/stop/",
        f"{case}/translations/fr/",
        f"{case}/targets/{target.pk}/",
        f"{case}/people/{person.pk}/photo/",
        "/staff/officials/",
        f"/staff/officials/{official.pk}/",
        "/staff/audit/",
        "/staff/mail/",
        f"/staff/mail/{maildir_list()[0].key}/",
        "/staff/actions/",
        f"/staff/actions/officials/{official.uuid}/",
        f"/staff/actions/contact-points/{point.pk}/",
        "/staff/impact/",
        "/staff/mailings/",
        f"/staff/mailings/{Mailing.objects.latest('id').pk}/",
        "/staff/import/",
        f"/staff/import/{source.uuid}/",
        "/staff/federation/",
        "/staff/federation/refused/",
        f"/staff/federation/instances/{instance.pk}/",
    ]


# Buttons drawn in the same colour as what they sit on (a grey secondary button on a grey
# panel) read as plain text: each button's background must differ from its surroundings'.
BUTTONS_WITHOUT_EDGE = r"""
() => {
  const solid = (c) => c && c !== 'transparent' && c !== 'rgba(0, 0, 0, 0)';
  const flat = [];
  for (const button of document.querySelectorAll('main .button')) {
    if (!button.getClientRects().length) continue;
    const own = getComputedStyle(button).backgroundColor;
    let around = 'rgb(255, 255, 255)';
    for (let el = button.parentElement; el; el = el.parentElement) {
      const colour = getComputedStyle(el).backgroundColor;
      if (solid(colour)) { around = colour; break; }
    }
    if (own === around) flat.push(button.textContent.trim());
  }
  return flat;
}
"""

# Pages pictured in the docs (docs/images/ with URGENT_SCREENSHOTS=1), by path: name and
# whether the whole page is taken. The editor is taken as seen, one screen with its sticky
# Save bar; a whole-page picture would float that bar over the middle of the form.
SCREENSHOTS = {
    r"/staff/officials/": ("staff-officials", True),
    r"/staff/cases/\d+/": ("staff-case-editor", False),
}


def test_no_staff_page_has_an_accessibility_problem_of_any_impact(
    page: Any, live_server: Any, demo: None, tmp_path: Path, settings: Any
) -> None:
    paths = staff_pages(tmp_path, settings)
    sign_in(page, live_server)
    found: dict[str, str] = {}
    for width in WIDTHS:
        page.set_viewport_size({"width": width, "height": 900})
        for path in paths:
            response = page.goto(live_server.url + path)
            assert response is not None and response.status == 200, path
            violations = axe_violations(page, every_impact=True)
            if violations:
                found[f"{path} at {width}px"] = describe(violations)
            flat = page.evaluate(BUTTONS_WITHOUT_EDGE)
            if flat:
                found[f"{path} at {width}px, buttons lost in their background"] = ", ".join(flat)
            broken = page.evaluate(BROKEN_WORDS) if width == 390 else []
            if broken:
                found[f"{path} at {width}px, words broken in a table"] = ", ".join(broken)
            for pattern, (name, whole) in SCREENSHOTS.items():
                if re.fullmatch(pattern, path):
                    shot = screenshot_path(f"{name}-{width}.png")
                    page.screenshot(path=str(shot), full_page=whole)
    # A form sent back with errors: the error summary and the messages by each field.
    page.goto(live_server.url + "/staff/cases/new/")
    page.get_by_role("button", name="Create draft").click()
    assert page.get_by_role("heading", name="There is a problem").is_visible()
    violations = axe_violations(page, every_impact=True)
    if violations:
        found["/staff/cases/new/ with errors"] = describe(violations)
    assert not found, "\n".join(f"{where}: {what}" for where, what in found.items())


def test_sign_in_pages_have_no_accessibility_problem(page: Any, live_server: Any) -> None:
    user = User.objects.create_user("new", password="correct horse battery", is_staff=True)
    page.goto(live_server.url + "/staff/login/")
    assert not axe_violations(page, every_impact=True)
    page.get_by_label("Username").fill("new")
    page.get_by_label("Password").fill("wrong password")
    page.get_by_role("button", name="Continue").click()
    assert page.get_by_text("The username or password is not right").is_visible()
    assert not axe_violations(page, every_impact=True)
    # The first sign-in sets up the authenticator app.
    client = Client()
    client.force_login(user)
    page.context.add_cookies(
        [
            {
                "name": settings.SESSION_COOKIE_NAME,
                "value": client.cookies[settings.SESSION_COOKIE_NAME].value,
                "url": live_server.url,
            }
        ]
    )
    page.goto(live_server.url + "/staff/two-factor/")
    assert page.get_by_role("heading", name="Set up two-factor sign-in").is_visible()
    assert not axe_violations(page, every_impact=True)


def test_the_menu_opens_on_a_phone_without_javascript(
    browser: Any, live_server: Any, demo: None
) -> None:
    context = browser.new_context(
        java_script_enabled=False, viewport={"width": 390, "height": 844}, locale="en-GB"
    )
    page = context.new_page()
    try:
        sign_in(page, live_server)
        page.goto(live_server.url + "/staff/cases/")
        menu = page.get_by_role("navigation", name="Staff menu")
        all_cases = menu.get_by_role("link", name="Mailings")
        assert not all_cases.is_visible()  # folded away, the page comes first
        menu.locator("summary").click()
        assert all_cases.is_visible()
        for group in ("Cases", "Supporters & mail", "Officials", "Reports", "Settings"):
            assert menu.get_by_text(group, exact=True).is_visible()
        all_cases.click()
        assert page.get_by_role("heading", name="Mailings", exact=True).is_visible()
        # On a desk the same menu is simply open.
        page.set_viewport_size({"width": 1280, "height": 900})
        assert (
            page.get_by_role("navigation", name="Staff menu")
            .get_by_role("link", name="Directory")
            .is_visible()
        )
    finally:
        context.close()
