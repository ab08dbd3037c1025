"""Below coordinator, staff pages that show letters or replies quoting them hide who
signed: the supporter's name, "signed as" and city, per role, in the mail folder and in
officials' replies."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone

from tests.actions.helpers import case
from urgent.actions.models import LetterDelivery, OfficialReply, PendingLetter
from urgent.actions.services import deliveries_send_due, letter_confirm
from urgent.supporters.models import Supporter

pytestmark = pytest.mark.django_db

NAME, SIGNED_AS, CITY = "Ilse Quillfeather", "I. Q.", "Vinmoor"
BELOW = ["viewer", "translator", "editor"]


def signed_letter() -> Any:
    supporter = Supporter.objects.create(email="ilse@example.net", name=NAME)
    pending = PendingLetter.objects.create(
        case=case(),
        supporter=supporter,
        channel="email",
        subject="Concerning the detained lawyer",
        letter=f"Dear Minister,\n\nRelease him.\n\nYours sincerely,\n{NAME}\n{CITY}, France",
        language="en",
        signature=SIGNED_AS,
        signer_name=NAME,
        signer_city=CITY,
    )
    return letter_confirm(pending=pending).action


def test_the_mail_folder_hides_who_signed_a_letter_below_coordinator(
    tmp_path: Path, settings: Any, staff_client: Callable[..., Client], demo: None
) -> None:
    # Through the settings fixture, which puts the backend back for the tests after.
    settings.EMAIL_BACKEND = "urgent.core.maildir.MaildirBackend"
    settings.URGENT_MAILDIR = str(tmp_path / "mail")
    signed_letter()
    deliveries_send_due()
    keys = [path.name for path in (tmp_path / "mail" / "new").iterdir()]
    assert keys

    def pages(role: str) -> str:
        client = staff_client(role, username=f"{role}-mail")
        return "".join(client.get(f"/staff/mail/{key}/").content.decode() for key in keys)

    for role in BELOW:
        html = pages(role)
        assert NAME not in html and CITY not in html, role
        assert "(name hidden)" in html and "Release him." in html, role
    html = pages("coordinator")
    assert NAME in html and CITY in html and "(name hidden)" not in html


def test_an_officials_reply_quoting_the_letter_hides_who_signed_below_coordinator(
    staff_client: Callable[..., Client], demo: None
) -> None:
    action = signed_letter()
    delivery = LetterDelivery.objects.filter(action=action).first()
    assert delivery is not None
    OfficialReply.objects.create(
        delivery=delivery,
        case_id=delivery.case_id,
        official_id=delivery.official_id,
        from_address=delivery.contact_point.value,
        subject=f"Re: your letter, {SIGNED_AS}",
        text=f"Dear {NAME.upper()},\nWe received your letter.\n> Yours sincerely,\n> {NAME}",
        received_at=timezone.now(),
        raw_path="replies/none.eml",
    )
    url = f"/staff/actions/officials/{delivery.official.uuid}/"
    for role in BELOW:
        html = staff_client(role, username=f"{role}-reply").get(url).content.decode()
        assert "We received your letter." in html, role
        assert NAME not in html and NAME.upper() not in html and SIGNED_AS not in html, role
        assert html.count("(name hidden)") == 3, role
    html = staff_client("coordinator").get(url).content.decode()
    assert NAME in html and SIGNED_AS in html and "(name hidden)" not in html
