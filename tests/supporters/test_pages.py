"""Supporter pages through the real app: forms, bad input, signed links, one-click unsubscribe."""

from __future__ import annotations

import json
import re
import urllib.request
from typing import Any

import pytest
from django.core import mail
from django.test import Client

from tests.supporters.factories import supporter_with_history
from urgent.cases.models import Case
from urgent.supporters.links import supporter_unsubscribe_headers, supporter_url
from urgent.supporters.models import Confirmation, Subscription, Supporter

pytestmark = pytest.mark.django_db

JOIN = {
    "name": "Ana Lima",
    "email": "ana.lima@example.org",
    "city": "Porto Exemplo",
    "country": "PT",
    "language": "en",
    "countries": ["TM"],
    "themes": ["torture"],
    "frequency": "every",
    "channels": ["email"],
    "consent": "on",
    "website": "",
}


def path_of(url: str) -> str:
    return re.sub(r"^https?://[^/]+", "", url)


def link_in(body: str, purpose: str) -> str:
    match = re.search(rf"https?://\S+/s/{purpose}/\S+/", body)
    assert match, body
    return path_of(match.group(0))


def test_join_page_renders_with_consent_wording(client: Client, demo: None) -> None:
    response = client.get("/join/")
    assert response.status_code == 200
    html = response.content.decode()
    assert "I want to join the urgent-action network" in html
    assert 'name="website"' in html and 'aria-hidden="true"' in html


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"email": "ana.example.org"}, "@-sign"),
        ({"email": "ana@mailinator.com"}, "temporary (disposable)"),
        ({"email": ""}, "This field is required"),
        ({"consent": ""}, "Tick this box to agree"),
        ({"name": ""}, "This field is required"),
        ({"frequency": "capped"}, "Say how many cases a month at most"),
        ({"monthly_cap": "99", "frequency": "capped"}, "less than or equal to 31"),
    ],
)
def test_join_form_says_what_is_wrong(
    client: Client, demo: None, change: dict[str, str], message: str
) -> None:
    response = client.post("/join/", {**JOIN, **change})
    assert response.status_code == 400
    assert message in response.content.decode()
    assert not Supporter.objects.exists()
    assert mail.outbox == []


def test_known_and_unknown_addresses_get_the_same_answer(
    client: Client, demo: None, django_capture_on_commit_callbacks: Any
) -> None:
    supporter_with_history(email="known@example.org")
    with django_capture_on_commit_callbacks(execute=True):
        known = client.post("/join/", {**JOIN, "email": "known@example.org"})
        unknown = client.post("/join/", {**JOIN, "email": "new@example.org"})
        again = client.post("/join/", {**JOIN, "email": "new@example.org"})
    assert known.status_code == unknown.status_code == again.status_code == 302
    assert known["Location"] == unknown["Location"] == again["Location"] == "/check-your-email/"
    assert len(mail.outbox) == 2  # the repeat within the cooldown sent nothing
    page = client.get("/check-your-email/").content.decode()
    assert "If the address you gave can receive mail" in page


def test_honeypot_and_rate_limits(client: Client, demo: None) -> None:
    response = client.post("/join/", {**JOIN, "website": "http://spam.example.org"})
    assert response.status_code == 302
    assert not Supporter.objects.exists()
    for _ in range(10):
        client.post("/preferences/", {"email": "same@example.org"})
    assert client.post("/preferences/", {"email": "same@example.org"}).status_code == 429
    statuses = {
        client.post("/join/", {**JOIN, "email": f"p{i}@example.org"}).status_code for i in range(25)
    }
    assert 429 in statuses
    assert "Too many attempts" in client.post("/join/", JOIN).content.decode()


def test_confirm_link_acts_only_on_post(
    client: Client, demo: None, django_capture_on_commit_callbacks: Any
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        client.post("/join/", JOIN)
    confirm = link_in(str(mail.outbox[0].body), "confirm")
    page = client.get(confirm)  # what a mail scanner does
    assert page.status_code == 200
    assert "Yes, I want to join" in page.content.decode()
    assert page["Cache-Control"].startswith("max-age=0")
    assert Supporter.objects.get().status == Supporter.Status.PENDING
    done = client.post(confirm)
    assert done.status_code == 200
    assert "You are now part of the urgent-action network" in done.content.decode()
    supporter = Supporter.objects.get()
    assert supporter.status == Supporter.Status.ACTIVE and supporter.name == "Ana Lima"
    assert client.get(confirm[:-5] + "xxxx/").status_code == 404


def test_case_page_offers_the_button_and_the_address_the_receiver_accepts(
    client: Client, demo: None
) -> None:
    html = client.get("/cases/ua-101-26/").content.decode()
    assert 'action="/cases/ua-101-26/keep-me-updated/"' in html
    assert "updates@example.org" in html
    assert "Keep me updated on UA 101/26" in html
    response = client.post("/cases/ua-101-26/keep-me-updated/", {"email": "bo@example.org"})
    assert response["Location"] == "/check-your-email/"
    confirmation = Confirmation.objects.get()
    assert confirmation.case == Case.objects.get(slug="ua-101-26")
    assert not Subscription.objects.exists()
    bad = client.post("/cases/ua-101-26/keep-me-updated/", {"email": "bo@"})
    assert bad.status_code == 400 and "not valid" in bad.content.decode()
    assert (
        client.post("/cases/ua-110-26/keep-me-updated/", {"email": "x@example.org"}).status_code
        == 404
    )


def test_a_custom_subject_the_receiver_cannot_read_falls_back_to_the_standard_one(
    client: Client, demo: None
) -> None:
    Case.objects.filter(slug="ua-101-26").update(update_request_subject="Please write to us")
    html = client.get("/cases/ua-101-26/").content.decode()
    assert "Keep me updated on UA 101/26" in html
    Case.objects.filter(slug="ua-101-26").update(update_request_subject="UA 101/26 updates")
    assert "UA 101/26 updates" in client.get("/cases/ua-101-26/").content.decode()


def test_preference_centre_shows_changes_and_exports(client: Client, demo: None) -> None:
    supporter = supporter_with_history()
    url = path_of(supporter_url(supporter_uuid=supporter.uuid, purpose="preferences"))
    page = client.get(url)
    html = page.content.decode()
    assert page.status_code == 200 and page["X-Robots-Tag"] == "noindex"
    assert "ana.lima@example.org" in html and "UA 87/26" in html and "Updates on UA 101/26" in html
    saved = client.post(
        url,
        {"name": "Ana L.", "language": "fr", "frequency": "weekly", "new_cases": "on"},
    )
    assert saved.status_code == 302
    supporter.refresh_from_db()
    assert (supporter.name, supporter.language, supporter.frequency) == ("Ana L.", "fr", "weekly")
    case = Case.objects.get(slug="ua-101-26")
    client.post(url + "stop/", {"case": case.uuid.hex})
    assert not supporter.subscriptions.filter(case=case, ended_at__isnull=True).exists()
    export = client.post(url + "export/")
    assert export["Content-Disposition"].startswith("attachment;")
    data = json.loads(export.content)
    assert data["supporter"]["name"] == "Ana L." and len(data["actions"]) == 2
    assert client.get(url + "export/").status_code == 405


def test_erasure_needs_the_confirmation_step(client: Client, demo: None) -> None:
    supporter = supporter_with_history()
    url = path_of(supporter_url(supporter_uuid=supporter.uuid, purpose="preferences"))
    page = client.get(url + "erase/").content.decode()
    assert "Your 2 actions still count" in page
    refused = client.post(url + "erase/", {})
    assert refused.status_code == 400 and "Tick the box" in refused.content.decode()
    assert Supporter.objects.get().email == "ana.lima@example.org"
    done = client.post(url + "erase/", {"understood": "on"})
    assert "Your data is erased" in done.content.decode()
    assert Supporter.objects.get().email is None
    assert client.get(url).status_code == 404


def test_unsubscribe_page_needs_a_button(client: Client, demo: None) -> None:
    supporter = supporter_with_history()
    url = path_of(supporter_url(supporter_uuid=supporter.uuid, purpose="unsubscribe"))
    assert "Unsubscribe from everything" in client.get(url).content.decode()
    assert Supporter.objects.get().status == Supporter.Status.ACTIVE
    client.post(url, {"confirm": "1"})
    assert Supporter.objects.get().status == Supporter.Status.UNSUBSCRIBED


def _one_click(url: str) -> Any:
    request = urllib.request.Request(
        url,
        data=b"List-Unsubscribe=One-Click",
        headers={"Content-Type": "application/x-www-form-urlencoded"},
        method="POST",
    )
    return urllib.request.urlopen(request, timeout=20)


@pytest.mark.django_db(transaction=True)
def test_rfc_8058_one_click_unsubscribe_exactly_as_mail_providers_send_it(
    live_server: Any, demo: None, settings: Any
) -> None:
    settings.URGENT_BASE_URL = live_server.url
    supporter = supporter_with_history()
    case = Case.objects.get(slug="ua-101-26")

    headers = supporter_unsubscribe_headers(
        supporter_uuid=supporter.uuid, extra=f"case:{case.uuid.hex}"
    )
    assert headers["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    url = headers["List-Unsubscribe"].strip("<>")
    with _one_click(url) as response:  # no cookie, no CSRF token
        assert response.status == 200
    assert not supporter.subscriptions.filter(case=case, ended_at__isnull=True).exists()
    assert Supporter.objects.get().status == Supporter.Status.ACTIVE

    everything = supporter_unsubscribe_headers(supporter_uuid=supporter.uuid)["List-Unsubscribe"]
    with _one_click(everything.strip("<>")) as response:
        assert response.status == 200
        assert b"You will no longer receive emails from us." in response.read()
    supporter.refresh_from_db()
    assert supporter.status == Supporter.Status.UNSUBSCRIBED  # queued mail is not sent to
    # anyone no longer active (tests/mailings/test_engine.py)
    with _one_click(everything.strip("<>")) as response:  # providers may retry
        assert response.status == 200
