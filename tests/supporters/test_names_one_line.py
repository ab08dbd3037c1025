"""Names are one line everywhere: a line break typed into a name never reaches a mail's body
or headers, whichever way it came in (a form says what to fix; the services fold the rest)."""

from __future__ import annotations

from typing import Any

import pytest
from django.core import mail
from django.test import Client

from tests.supporters.test_pages import JOIN
from urgent.officials.services import official_create, official_update
from urgent.supporters import services
from urgent.supporters.models import Confirmation
from urgent.supporters.selectors import supporters_by_email

pytestmark = pytest.mark.django_db

BREAKS = [
    "Ana\r\nBcc: victim@example.org",
    "Ana\n\nPlease reply with your password to victim@example.org",
    "Ana\rLima",
    "Ana\u2028Lima",
    "Ana\x85Lima",
]


@pytest.mark.parametrize("name", BREAKS)
def test_join_form_refuses_a_name_on_two_lines(client: Client, demo: None, name: str) -> None:
    response = client.post("/join/", {**JOIN, "name": name})
    assert response.status_code == 400
    assert "Write your name on one line" in response.content.decode()
    assert not Confirmation.objects.exists() and mail.outbox == []


def test_join_form_refuses_a_city_on_two_lines(client: Client, demo: None) -> None:
    response = client.post("/join/", {**JOIN, "city": "Porto\r\nExemplo"})
    assert response.status_code == 400
    assert "Write your city or town on one line" in response.content.decode()


@pytest.mark.parametrize("name", BREAKS)
def test_the_service_folds_a_name_onto_one_line_in_mail_and_record(
    demo: None, django_capture_on_commit_callbacks: Any, name: str
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        confirmation = services.confirmation_request(
            email="ana@example.org",
            kind=Confirmation.Kind.JOIN,
            wording="I want to join the urgent-action network.",
            source="test",
            language="en",
            profile={"name": name, "city": "Porto\nExemplo", "language": "en"},
        )
    assert confirmation is not None
    (sent,) = mail.outbox
    greeting = sent.body.splitlines()[0]
    assert greeting.startswith("Hello Ana") and greeting.endswith(",")
    assert "password" not in "\n".join(sent.body.splitlines()[1:])
    raw = sent.message().as_bytes()
    assert b"victim@example.org" not in raw.split(b"\n\n", 1)[0]
    services.confirmation_confirm(confirmation=confirmation)
    supporter = supporters_by_email("ana@example.org").get()
    assert "\n" not in supporter.name and "\r" not in supporter.name
    assert supporter.name.startswith("Ana ") and supporter.city == "Porto Exemplo"


def test_officials_names_are_one_line_too(db: None) -> None:
    official = official_create(
        actor=None,
        data={
            "name": "Omar\r\nExample",
            "title": "Minister\nof Justice",
            "salutation": "Dear\r\nSir",
        },
        contact_points=[("email", "minister@justice.example")],
    )
    assert (official.name, official.title, official.salutation) == (
        "Omar Example",
        "Minister of Justice",
        "Dear Sir",
    )
    official_update(official=official, actor=None, data={"organisation": "Ministry\r\n\r\nX"})
    assert official.organisation == "Ministry X"
