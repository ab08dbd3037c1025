"""A coordinator in Chromium uploads a case sheet, corrects a field beside the text, saves."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from django.conf import settings

from tests.browser.conftest import axe_violations
from urgent.cases.models import Case
from urgent.ingest.models import SourceDocument

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SAMPLES = Path(__file__).resolve().parents[1] / "ingest" / "samples"


def describe(violations: list[dict[str, Any]]) -> str:
    return "\n".join(
        f"{v['id']} ({v['impact']}): {v['help']} at {[n['target'] for n in v['nodes']][:3]}"
        for v in violations
    )


def sign_in(page: Any, live_server: Any, role: str = "coordinator") -> None:
    """A staff session with its second factor verified, handed to the browser as a cookie."""
    from django.contrib.auth.models import Group, User
    from django.test import Client
    from django_otp import DEVICE_ID_SESSION_KEY
    from django_otp.plugins.otp_totp.models import TOTPDevice

    from urgent.core.roles import roles_ensure

    roles_ensure()
    user = User.objects.create_user("coord", password="correct horse battery", is_staff=True)
    user.groups.add(Group.objects.get(name=role))
    device = TOTPDevice.objects.create(user=user, name="phone", confirmed=True)
    client = Client()
    client.force_login(user)
    session = client.session
    session[DEVICE_ID_SESSION_KEY] = device.persistent_id
    session.save()
    page.context.add_cookies(
        [
            {
                "name": settings.SESSION_COOKIE_NAME,
                "value": session.session_key,
                "url": live_server.url,
            }
        ]
    )


def test_upload_correct_and_save_a_draft(page: Any, live_server: Any) -> None:
    sign_in(page, live_server)
    page.set_viewport_size({"width": 1280, "height": 900})
    page.goto(live_server.url + "/staff/import/")
    assert page.locator("h1").inner_text() == "New case from a document"
    violations = axe_violations(page)
    assert not violations, describe(violations)

    page.get_by_label("Upload a file").set_input_files(str(SAMPLES / "import_initial.txt"))
    page.get_by_role("button", name="Read the document").click()

    # the fields and the source text side by side
    assert page.locator("h1").inner_text().startswith("Check what was read from")
    fields = page.locator(".import-fields").bounding_box()
    source = page.locator(".import-source").bounding_box()
    assert source["x"] > fields["x"] + fields["width"] - 1
    assert page.locator(".source-text").inner_text().startswith("UA 17/26")
    assert page.get_by_label("Reference").input_value() == "UA 17/26"
    # a missing field says so in its accessible name, not only in colour
    subject = page.get_by_label("Subject for update requests not found in the document")
    assert subject.input_value() == ""
    violations = axe_violations(page)
    assert not violations, describe(violations)

    headline = page.get_by_label("Headline", exact=True)
    assert headline.input_value() == "Journalist held incommunicado"
    headline.fill("Journalist held incommunicado in Tbilisi")
    page.get_by_role("button", name="Save draft").click()

    page.wait_for_url(f"{live_server.url}/staff/cases/*/")
    case = Case.objects.get()
    assert page.url == f"{live_server.url}/staff/cases/{case.pk}/"
    assert case.status == Case.Status.DRAFT
    assert case.headline == "Journalist held incommunicado in Tbilisi"
    assert case.targets.count() == 3
    assert SourceDocument.objects.get().case == case


def test_phone_width_stacks_and_a_bad_file_is_a_form_error(
    page: Any, live_server: Any, tmp_path: Path
) -> None:
    sign_in(page, live_server)
    page.set_viewport_size({"width": 360, "height": 740})
    page.goto(live_server.url + "/staff/import/")
    junk = tmp_path / "notes.docx"
    junk.write_bytes(b"PK\x03\x04 not a real archive")
    page.get_by_label("Upload a file").set_input_files(str(junk))
    page.get_by_role("button", name="Read the document").click()
    error = page.locator("#id_file_error")
    assert "The .docx file is damaged" in error.inner_text()
    assert page.get_by_label("Upload a file").get_attribute("aria-invalid") == "true"
    assert not SourceDocument.objects.exists()

    page.get_by_label("Or paste the text of the case sheet").fill(
        (SAMPLES / "import_second.txt").read_text()
    )
    page.get_by_role("button", name="Read the document").click()
    fields = page.locator(".import-fields").bounding_box()
    source = page.locator(".import-source").bounding_box()
    assert source["y"] >= fields["y"] + fields["height"] - 1  # stacked, text below the fields
    overflow = page.evaluate("document.documentElement.scrollWidth > window.innerWidth")
    assert not overflow
    violations = axe_violations(page)
    assert not violations, describe(violations)
