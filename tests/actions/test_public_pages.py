"""What a supporter reads around taking action: the call block's clock, who comes first,
and the step after acting."""

from __future__ import annotations

import datetime

import pytest
from django.template.loader import render_to_string
from django.test import Client

from tests.actions.helpers import case, compose_data, confirmed_letter, solved
from urgent.actions import selectors
from urgent.actions.channels import phone_entries
from urgent.actions.models import LetterDelivery

pytestmark = pytest.mark.django_db

# A fixed clock: 09:21 in London is 04:21 in New York (winter, UTC-5).
NOW = datetime.datetime(2026, 1, 14, 9, 21, tzinfo=datetime.UTC)


def test_call_block_shows_the_officials_own_local_time(demo: None) -> None:
    ua = case("ua-101-26")
    entries = phone_entries(list(ua.targets.all()), now=NOW)
    washington = [e for e in entries if e.number.startswith("+1 202")]
    assert washington and washington[0].zone == "America/New_York"
    html = render_to_string(
        "actions/_phone.html",
        {"phones": washington, "case": ua, "record_url": "/", "challenge": ""},
    )
    assert "It is Wednesday 04:21 there (America/New_York)." in html
    assert "09:21" not in html
    # 04:21 is outside office hours there.
    assert "Offices are probably closed now" in html


def test_status_table_lists_the_main_recipient_before_the_copy(demo: None) -> None:
    action = confirmed_letter("order@example.org")
    roles = [d.role for d in selectors.action_deliveries(action=action)]
    assert set(roles) == {LetterDelivery.Role.TO, LetterDelivery.Role.CC}
    assert roles == sorted(roles, key=lambda r: r != LetterDelivery.Role.TO)


def test_print_and_post_addresses_put_the_main_recipient_first(demo: None) -> None:
    response = Client().post("/act/ua-101-26/", compose_data(channel="post"))
    assert response.status_code == 200
    html = response.content.decode()
    addresses = html.split("<h2>Addresses</h2>", 1)[1]
    assert addresses.index("Oraz Baymuradov") < addresses.index("Serdar ANNAYEV")


def test_after_acting_the_supporter_sees_next_steps(demo: None) -> None:
    response = Client().post(
        "/act/ua-101-26/record/", {"channel": "phone", "altcha": solved(), "website": ""}
    )
    html = response.content.decode()
    assert "What happens next" in html
    assert "Keep me updated" in html
    assert 'action="/cases/ua-101-26/keep-me-updated/"' in html
    assert "http://testserver/cases/ua-101-26/" in html or "/cases/ua-101-26/" in html
    assert 'href="mailto:?subject=' in html
    # The case that most needs letters next: the soonest deadline other than this one.
    next_part = html.split('id="next-case-heading"', 1)[1]
    assert 'href="/cases/ua-87-26/#take-action"' in next_part
    # No third-party script or share widget.
    assert "x.com/intent" not in html and "facebook.com" not in html
