"""A coordinator in Chromium follows a mailing's progress and pauses it; axe finds no barrier."""

from __future__ import annotations

from typing import Any

import pytest

from tests.browser.conftest import axe_violations
from tests.browser.test_import_page import describe, sign_in
from tests.mailings.conftest import mailing_make, supporter_make
from urgent.mailings.models import Delivery, Mailing

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_progress_page_pause_and_resume(page: Any, live_server: Any) -> None:
    for _ in range(5):
        supporter_make()
    mailing = mailing_make(name="Alert UA 101/26")
    first = mailing.deliveries.order_by("id").first()
    Delivery.objects.filter(pk=first.pk).update(status=Delivery.Status.SENT)
    sign_in(page, live_server)
    page.set_viewport_size({"width": 390, "height": 844})  # a phone

    page.goto(live_server.url + "/staff/mailings/")
    page.get_by_role("link", name="Alert UA 101/26").click()
    assert page.locator("h1").inner_text() == "Alert UA 101/26"
    bar = page.get_by_label("20% done")
    assert bar.get_attribute("value") == "1" and bar.get_attribute("max") == "5"
    violations = axe_violations(page)
    assert not violations, describe(violations)

    page.get_by_role("button", name="Pause").click()
    assert page.get_by_text("Paused.").first.is_visible()
    mailing.refresh_from_db()
    assert mailing.state == Mailing.State.PAUSED
    page.get_by_text("Cancel this mailing…").click()
    assert page.get_by_role("button", name="Cancel the mailing").is_visible()
    violations = axe_violations(page)
    assert not violations, describe(violations)
    page.get_by_role("button", name="Resume").click()
    mailing.refresh_from_db()
    assert mailing.state == Mailing.State.SENDING
