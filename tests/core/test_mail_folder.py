"""With no EMAIL_URL, mail lands in a local Maildir that staff can browse."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from django.core.mail import EmailMessage
from django.test import Client, override_settings

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

    client = staff_client("viewer")
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
