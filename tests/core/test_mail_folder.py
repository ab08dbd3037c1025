"""With no EMAIL_URL, mail lands in a local Maildir that staff can browse."""

from __future__ import annotations

from pathlib import Path

import pytest
from django.contrib.auth.models import User
from django.core.mail import EmailMessage
from django.test import Client, override_settings

pytestmark = pytest.mark.django_db


@pytest.fixture
def mail_folder(tmp_path: Path, settings: object) -> Path:
    folder = tmp_path / "mail"
    settings.URGENT_MAILDIR = str(folder)  # type: ignore[attr-defined]
    return folder


@override_settings(EMAIL_BACKEND="urgent.core.maildir.MaildirBackend")
def test_mail_is_stored_and_shown_to_staff(client: Client, mail_folder: Path) -> None:
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
    assert response.status_code == 302 and "/admin/login/" in response["Location"]

    User.objects.create_user("coordinator", password="x" * 16, is_staff=True)
    client.login(username="coordinator", password="x" * 16)
    html = client.get("/staff/mail/").content.decode()
    assert "supporter@example.org" in html
    assert "Keep writing &lt;b&gt;please&lt;/b&gt;" in html
    key = next((mail_folder / "new").iterdir()).name
    detail = client.get(f"/staff/mail/{key}/").content.decode()
    assert "Hello &lt;script&gt;alert(1)&lt;/script&gt;" in detail
    assert "letter.txt" in detail


@pytest.mark.parametrize("key", ["..", "nope", "a" * 300, "x;rm"])
def test_unknown_message_is_a_404(client: Client, mail_folder: Path, key: str) -> None:
    User.objects.create_user("coordinator", password="x" * 16, is_staff=True)
    client.login(username="coordinator", password="x" * 16)
    assert client.get(f"/staff/mail/{key}/").status_code == 404
