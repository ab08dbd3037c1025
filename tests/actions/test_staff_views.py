"""Staff see, per official and per contact point, what was sent, when and what happened."""

from __future__ import annotations

from typing import Any

from django.test import Client

from tests.actions.conftest import Smtp
from tests.actions.helpers import confirmed_letter
from urgent.actions.services import deliveries_send_due, letter_bounce_record
from urgent.officials.models import ContactPoint, Official


def test_staff_pages_show_letters_status_and_health(
    demo: None, smtp: Smtp, staff_client: Any, django_assert_max_num_queries: Any
) -> None:
    for i in range(3):
        confirmed_letter(f"w{i}@example.org")
    deliveries_send_due()
    action = confirmed_letter("late@example.org")
    letter_bounce_record(
        message_id=action.deliveries.first().message_id,
        recipient="embassy.tm@example.org",
        permanent=True,
        diagnostic="550 5.1.1 user unknown",
    )
    client = staff_client("coordinator")
    with django_assert_max_num_queries(20):
        listing = client.get("/staff/actions/")
    assert listing.status_code == 200
    assert "Oraz Baymuradov" in listing.content.decode()
    official = Official.objects.get(name="Serdar ANNAYEV")
    with django_assert_max_num_queries(20):
        page = client.get(f"/staff/actions/officials/{official.uuid}/")
    html = page.content.decode()
    assert page.status_code == 200
    assert "Bouncing" in html and "user unknown" in html and html.count("UA 101/26") >= 4
    point = ContactPoint.objects.get(value="embassy.tm@example.org")
    with django_assert_max_num_queries(20):
        detail = client.get(f"/staff/actions/contact-points/{point.pk}/")
    assert detail.status_code == 200 and "Bounced" in detail.content.decode()


def test_staff_pages_are_closed_to_the_public(demo: None) -> None:
    response = Client().get("/staff/actions/")
    assert response.status_code == 302
