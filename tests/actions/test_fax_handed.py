"""Email-to-fax: a fax handed to the gateway is not called sent until it is confirmed.

The letter is written and confirmed through the pages, the PDF is mailed to a real SMTP
server on loopback, and the writer's status page and the staff page say what is known.
"""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

from tests.actions.conftest import Smtp
from tests.actions.helpers import write_and_confirm
from urgent.actions.models import FaxTransmission, LetterDelivery
from urgent.actions.services import deliveries_send_due, fax_status_record, letter_confirm_url

pytestmark = pytest.mark.django_db

HANDED = "Handed to fax gateway, not confirmed"


def path_of(url: str) -> str:
    return "/" + url.split("://", 1)[1].split("/", 1)[1]


def test_email_to_fax_says_handed_until_confirmed(
    demo: None, smtp: Smtp, settings: Any, staff_client: Any
) -> None:
    settings.URGENT_FAX = {"kind": "email", "url": "", "domain": "fax.example.org"}
    client = Client()
    pending = write_and_confirm(client, channel="fax")
    assert deliveries_send_due().sent == 2
    assert len(smtp.handler.to("12125550142@fax.example.org")) == 1
    rows = list(LetterDelivery.objects.filter(channel="fax").order_by("id"))
    assert [(r.status, r.awaiting_confirmation) for r in rows] == [("sent", True)] * 2
    assert set(FaxTransmission.objects.values_list("status", flat=True)) == {"handed"}

    status_page = client.get(path_of(letter_confirm_url(pending))).content.decode()
    assert status_page.count(HANDED) == 2
    staff = staff_client("coordinator")
    point = staff.get(f"/staff/actions/contact-points/{rows[0].contact_point_id}/")
    assert HANDED in point.content.decode()

    # The gateway confirms one, and reports the other failed: that one is faxed again.
    first, second = (FaxTransmission.objects.get(delivery=r) for r in rows)
    fax_status_record(transmission=first, status="sent", pages=1, detail="")
    fax_status_record(transmission=second, status="failed", pages=None, detail="no answer")
    rows = [LetterDelivery.objects.get(pk=r.pk) for r in rows]
    assert [(r.status, r.awaiting_confirmation) for r in rows] == [
        ("sent", False),
        ("deferred", False),
    ]
    assert rows[1].attempts == 2 and "no answer" in rows[1].error
    status_page = client.get(path_of(letter_confirm_url(pending))).content.decode()
    assert HANDED not in status_page
    assert "Sent" in status_page and "Deferred" in status_page
    # A second report about the same fax changes nothing.
    fax_status_record(transmission=first, status="failed", pages=None, detail="late")
    assert LetterDelivery.objects.get(pk=rows[0].pk).status == "sent"


def test_an_email_letter_is_never_marked_handed(demo: None, smtp: Smtp, settings: Any) -> None:
    """Only a gateway that cannot confirm says "handed"; a sent email letter never does."""
    settings.URGENT_FAX = {"kind": "email", "url": "", "domain": "fax.example.org"}
    write_and_confirm(Client(), channel="email")
    assert deliveries_send_due().sent == 2
    assert not LetterDelivery.objects.filter(awaiting_confirmation=True).exists()
    assert {r.status_label for r in LetterDelivery.objects.all()} == {"Sent"}
