"""A coordinator signs in with a second factor and runs a case from draft to closed."""

from __future__ import annotations

import datetime
import re
from pathlib import Path
from typing import Any

import pytest
from django.contrib.auth.models import Group, User
from django.utils import timezone
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice

from tests.browser.conftest import axe_violations, screenshot_path
from tests.outreach.test_notices import person
from urgent.cases.models import Case
from urgent.core.roles import roles_ensure
from urgent.mailings.models import Mailing
from urgent.outreach.services import case_events_drain

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SAMPLES = Path(__file__).resolve().parents[1] / "ingest" / "samples"


def code(device: TOTPDevice) -> str:
    device.refresh_from_db()
    return f"{totp(device.bin_key, step=device.step, t0=device.t0, digits=device.digits):06d}"


def sign_in(page: Any, live_server: Any) -> None:
    roles_ensure()
    user = User.objects.create_user("coordinator", password="correct horse battery", is_staff=True)
    user.groups.add(Group.objects.get(name="coordinator"))
    device = TOTPDevice.objects.create(user=user, name="phone", confirmed=True)
    page.goto(live_server.url + "/staff/")
    page.get_by_label("Username").fill("coordinator")
    page.get_by_label("Password").fill("correct horse battery")
    page.get_by_role("button", name="Continue").click()
    page.get_by_label("6-digit code").fill(code(device))
    page.get_by_role("button", name="Verify").click()
    assert page.get_by_role("heading", name="Staff workspace").is_visible()


def test_draft_publish_update_close_in_the_workspace(
    page: Any, live_server: Any, demo: None
) -> None:
    sign_in(page, live_server)
    page.locator(".staff-menu").get_by_role("link", name="All cases", exact=True).click()
    buttons = page.locator(".staff-main .button-group")
    buttons.get_by_role("link", name="New case", exact=True).click()
    page.get_by_label("Reference").fill("UA 300/26")
    page.get_by_label("Headline").fill("Poet detained for a verse")
    page.get_by_label("Country").select_option(label="Turkmenistan")
    page.get_by_label("Story").fill(
        "A poet was detained on 2 March after reading a verse in public."
    )
    page.get_by_role("button", name="Create draft").click()
    assert page.get_by_text("Draft created").is_visible()
    violations = axe_violations(page)
    assert not violations, violations

    page.get_by_role("link", name="Check and publish").click()
    assert page.get_by_text("cannot be published yet").is_visible()
    assert page.get_by_role("button", name=re.compile("^Publish")).count() == 0
    page.get_by_role("link", name="Go back to the case to add them").click()

    # One form: the person and the asks go with one Save.
    page.locator("#id_name_0").fill("Maya Ovezova")
    page.get_by_label("Asks, one per line").fill("Release her immediately\nLet her see her family")
    page.get_by_role("button", name="Save case").click()
    assert page.get_by_text("Case saved.").is_visible()
    page.get_by_label("Name, title, organisation or address").fill("President of Turkmenistan")
    page.get_by_role("button", name="Search", exact=True).click()
    page.get_by_role("button", name=re.compile("^Add ")).first.click()
    assert page.get_by_text("added.").is_visible()

    page.get_by_role("link", name="Check and publish").click()
    page.get_by_role("button", name=re.compile("^Publish and alert")).click()
    assert page.get_by_text("Published.").is_visible()
    case = Case.objects.get(reference="UA 300/26")
    assert case.status == "active"

    page.get_by_role("link", name="Post Further Information").click()
    page.get_by_label("What has happened").fill("She was moved to a prison far from home.")
    page.get_by_role("button", name="Post and notify").click()
    assert page.get_by_text("Further Information 1 posted").is_visible()

    page.get_by_role("link", name="Close with an outcome").click()
    page.get_by_label("Outcome").select_option("released")
    page.get_by_label("Date").fill(timezone.localdate().isoformat())
    page.get_by_role("button", name="Close case").click()
    assert page.get_by_text("Case closed").is_visible()
    case.refresh_from_db()
    assert case.status == "closed"
    page.goto(live_server.url + f"/cases/{case.slug}/")
    assert page.get_by_text("This case is closed. Thank you").is_visible()
    assert page.get_by_text("She was moved to a prison far from home.").is_visible()


def test_a_coordinator_goes_from_a_document_to_a_confirmed_publish(
    page: Any, live_server: Any, demo: None
) -> None:
    """Import a case sheet, fix what the confirmation points at, publish; screenshots for docs."""
    readers = [person(countries=["GE"]), person(countries=["GE"], language="en-GB")]
    page.set_viewport_size({"width": 1280, "height": 900})
    sign_in(page, live_server)

    page.get_by_role("link", name="New case from a document").first.click()
    page.get_by_label("Upload a file").set_input_files(str(SAMPLES / "import_initial.txt"))
    page.get_by_role("button", name="Read the document").click()
    assert page.get_by_role("heading", name=re.compile("^Check what was read")).is_visible()
    page.get_by_role("button", name="Save draft").click()
    case = Case.objects.get(reference="UA 17/26")
    assert case.status == "draft"

    # The sheet's deadline has passed: the editor says so, and the check refuses it.
    assert page.get_by_text("a deadline that has not passed").is_visible()
    page.get_by_role("link", name="Check and publish").click()
    assert page.get_by_role("heading", name="This case cannot be published yet").is_visible()
    page.get_by_role("link", name="Go back to the case to add them").click()
    deadline = timezone.localdate() + datetime.timedelta(days=30)
    page.get_by_label("Deadline").fill(deadline.isoformat())
    # The reader put the sheet's capitals into sentence case; an editor typing in capitals
    # is what the check catches.
    assert page.get_by_label("Headline").input_value() == "Journalist held incommunicado"
    page.get_by_label("Headline").fill("JOURNALIST HELD INCOMMUNICADO")
    page.get_by_role("button", name="Save case").click()
    assert page.get_by_text("Case saved.").is_visible()

    page.get_by_role("link", name="Check and publish").click()
    assert page.get_by_text("The headline is in capital letters").is_visible()
    assert page.get_by_text("There is no French translation").is_visible()
    assert page.locator(".lead-number").inner_text().startswith("2 supporters get the alert")
    assert not axe_violations(page, every_impact=True)
    for width in (390, 1280):
        page.set_viewport_size({"width": width, "height": 900})
        shot = screenshot_path(f"staff-publish-confirmation-{width}.png")
        page.screenshot(path=str(shot), full_page=True)
    page.set_viewport_size({"width": 1280, "height": 900})

    # Fix the headline the check pointed at, then look again and publish.
    page.get_by_role("link", name="Change it in the case").first.click()
    page.get_by_label("Headline").fill("Journalist held incommunicado")
    page.get_by_role("button", name="Save case").click()
    page.get_by_role("link", name="Check and publish").click()
    assert page.get_by_text("The headline is in capital letters").count() == 0
    page.get_by_role("button", name="Publish and alert 2 supporters").click()
    assert page.get_by_text("Published. The alert goes to 2 supporters now.").is_visible()
    case.refresh_from_db()
    assert case.status == "active" and case.headline == "Journalist held incommunicado"
    case_events_drain()  # what the worker's sweep does with the published event
    mailing = Mailing.objects.get(key=f"alert:{case.uuid}")
    assert {d.supporter_id for d in mailing.deliveries.all()} == {s.pk for s in readers}

    page.get_by_role("navigation", name="Staff menu").get_by_role("link", name="Dashboard").click()
    assert page.get_by_role("link", name="UA 17/26", exact=True).is_visible()
    for width in (390, 1280):
        page.set_viewport_size({"width": width, "height": 900})
        page.screenshot(path=str(screenshot_path(f"staff-dashboard-{width}.png")))
