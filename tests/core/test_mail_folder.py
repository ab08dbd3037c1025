"""With no EMAIL_URL, mail lands in a local Maildir that staff can browse."""

from __future__ import annotations

import datetime
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from django.core.mail import EmailMessage
from django.test import Client, override_settings

from tests.actions.helpers import confirmed_letter
from urgent.actions.services import deliveries_send_due
from urgent.core.maildir import StoredMail, mail_grouped

pytestmark = pytest.mark.django_db


@pytest.fixture
def mail_folder(tmp_path: Path, settings: object) -> Path:
    folder = tmp_path / "mail"
    settings.URGENT_MAILDIR = str(folder)  # type: ignore[attr-defined]
    return folder


@override_settings(EMAIL_BACKEND="urgent.core.maildir.MaildirBackend")
def test_mail_is_stored_and_shown_to_staff(
    client: Client, mail_folder: Path, staff_client: Callable[..., Client]
) -> None:
    message = EmailMessage(
        subject="Keep writing <b>please</b>",
        body="Hello <script>alert(1)</script>",
        from_email="urgent@example.org",
        to=["supporter@example.org"],
    )
    message.attach("letter.txt", b"Dear Minister,", "text/plain")
    assert message.send() == 1
    assert len(list((mail_folder / "new").iterdir())) == 1

    response = client.get("/staff/mail/")
    assert response.status_code == 302 and "/staff/login/" in response["Location"]

    client = staff_client("coordinator")
    html = client.get("/staff/mail/").content.decode()
    assert "supporter@example.org" in html
    assert "Keep writing &lt;b&gt;please&lt;/b&gt;" in html
    key = next((mail_folder / "new").iterdir()).name
    detail = client.get(f"/staff/mail/{key}/").content.decode()
    assert "Hello &lt;script&gt;alert(1)&lt;/script&gt;" in detail
    assert "letter.txt" in detail


@pytest.mark.parametrize("key", ["..", "nope", "a" * 300, "x;rm"])
def test_unknown_message_is_a_404(
    mail_folder: Path, key: str, staff_client: Callable[..., Client]
) -> None:
    client = staff_client("viewer")
    assert client.get(f"/staff/mail/{key}/").status_code == 404


@override_settings(EMAIL_BACKEND="urgent.core.maildir.MaildirBackend")
def test_a_letter_to_two_officials_is_one_row_inside_the_staff_menu(
    mail_folder: Path, staff_client: Callable[..., Client], demo: None
) -> None:
    action = confirmed_letter("reader@example.org")
    deliveries_send_due()
    addresses = sorted(d.contact_point.value for d in action.deliveries.all())
    assert len(addresses) == 2
    assert len(list((mail_folder / "new").iterdir())) == 2  # one copy per address

    html = staff_client("viewer").get("/staff/mail/").content.decode()
    assert 'aria-label="Staff menu"' in html
    assert html.count("Concerning Daniyar Orazmyradov") == 1
    assert "Sent as 2 copies, one per address: " in html
    for address in addresses:
        assert address in html


@override_settings(EMAIL_BACKEND="urgent.core.maildir.MaildirBackend")
def test_supporters_addresses_are_masked_below_coordinator(
    mail_folder: Path, staff_client: Callable[..., Client], demo: None
) -> None:
    action = confirmed_letter("Quiet.Reader@example.net")
    deliveries_send_due()
    officials = sorted(d.contact_point.value for d in action.deliveries.all())
    EmailMessage(
        subject="Please confirm",
        body="We got a request from quiet.reader@example.net to join.",
        from_email="urgent@example.org",
        to=["Quiet Reader <quiet.reader@example.net>"],
    ).send()
    keys = [path.name for path in (mail_folder / "new").iterdir()]
    assert len(keys) == 3

    def pages(role: str) -> str:
        client = staff_client(role)
        urls = ["/staff/mail/"] + [f"/staff/mail/{key}/" for key in keys]
        return "".join(client.get(url).content.decode() for url in urls)

    for role in ["viewer", "translator", "editor"]:
        html = pages(role).lower()
        assert "quiet.reader@example.net" not in html, role
        assert "quiet reader" not in html.replace("quiet.reader", ""), role
        assert "(hidden)" in html
        for address in officials:  # an official's address is public: still shown
            assert address.lower() in html, (role, address)
    html = pages("coordinator").lower()
    assert "quiet.reader@example.net" in html and "quiet reader &lt;" in html


def test_copies_fold_by_message_id_and_newest_comes_first() -> None:
    def mail(key: str, message_id: str, minute: int, to: str) -> StoredMail:
        return StoredMail(
            key=key,
            message_id=message_id,
            date=datetime.datetime(2026, 3, 1, 9, minute, tzinfo=datetime.UTC),
            sender="a@example.org",
            to="x@example.org, y@example.org",
            cc="",
            subject="Same",
            envelope=[to],
        )

    first, copy = mail("1", "<a@x>", 0, "x@example.org"), mail("2", "<a@x>", 0, "y@example.org")
    rows = mail_grouped([first, copy, mail("3", "<b@x>", 5, "x@example.org")])
    assert [(r.key, r.copies) for r in rows] == [("3", 1), ("1", 2)]
    assert rows[1].envelope == ["x@example.org", "y@example.org"]


SIGNED = [
    "/s/confirm/Zm9vYmFy.c2lnbmVk-1/",
    "/s/preferences/cHJlZnM.c2ln_2/",
    "/s/unsubscribe/dW5zdWI.c2ln-3/",
    "/act/confirm/bGV0dGVy.c2ln-4/",
]


@override_settings(EMAIL_BACKEND="urgent.core.maildir.MaildirBackend")
def test_signed_links_are_masked_below_coordinator_and_in_production(
    mail_folder: Path, staff_client: Callable[..., Client], settings: Any
) -> None:
    base = "http://127.0.0.1:8000"
    body = "Confirm: " + "\n".join(base + link for link in SIGNED)
    message = EmailMessage(
        subject="Please confirm",
        body=body,
        from_email="urgent@example.org",
        to=["supporter@example.org"],
        headers={"List-Unsubscribe": f"<{base}{SIGNED[2]}>"},
    )
    assert message.send() == 1
    key = next((mail_folder / "new").iterdir()).name

    def page(role: str) -> str:
        client = staff_client(role, username=f"{role}-{settings.URGENT_BASE_URL[:5]}")
        return client.get(f"/staff/mail/{key}/").content.decode()

    for role in ["viewer", "translator", "editor"]:
        html = page(role)
        for link in SIGNED:
            assert link not in html, (role, link)
        assert "/s/confirm/(hidden)/" in html
        assert "/s/unsubscribe/(hidden)/" in html  # in the List-Unsubscribe header too
    html = page("coordinator")
    for link in SIGNED:
        assert link in html
    settings.URGENT_BASE_URL = "https://urgent.example.org"
    html = page("coordinator")
    for link in SIGNED:
        assert link not in html
