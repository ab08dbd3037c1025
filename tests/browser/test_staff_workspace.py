"""A coordinator signs in with a second factor and runs a case from draft to closed."""

from __future__ import annotations

from typing import Any

import pytest
from django.contrib.auth.models import Group, User
from django.utils import timezone
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice

from tests.browser.conftest import axe_violations
from urgent.cases.models import Case
from urgent.core.roles import roles_ensure

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


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
    page.get_by_role("link", name="New case", exact=True).click()
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

    page.get_by_role("button", name="Publish and alert supporters").click()
    assert page.get_by_text("cannot be published yet").is_visible()

    page.locator("#id_name_0").fill("Maya Ovezova")
    page.get_by_role("button", name="Save people").click()
    page.get_by_label("Asks, one per line").fill("Release her immediately\nLet her see her family")
    page.get_by_role("button", name="Save asks").click()
    page.get_by_label("Name, title, organisation or address").fill("President of Turkmenistan")
    page.get_by_role("button", name="Search", exact=True).click()
    page.get_by_role("button", name="Add", exact=True).first.click()
    assert page.get_by_text("added.").is_visible()

    page.get_by_role("button", name="Publish and alert supporters").click()
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
