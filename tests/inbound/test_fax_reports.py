"""Email-to-fax reports, end to end: faxes leave as mail to a real SMTP server on loopback,
the gateway's reports come back over SMTP to the receiver and confirm or fail the fax.

Only mail from the gateway's address that names a fax of ours (its Message-ID in
In-Reply-To/References, or its reference in the subject) changes anything; the rest is kept.
"""

from __future__ import annotations

import uuid
from typing import Any

import pytest

from config import env
from tests.actions.conftest import Smtp, smtp
from tests.actions.helpers import confirmed_letter
from tests.inbound.conftest import send, settled
from urgent.actions.fax import EMAIL_FAX_OUTCOMES, email_fax_outcome, email_fax_references
from urgent.actions.models import FaxTransmission, LetterDelivery
from urgent.actions.services import deliveries_send_due, fax_report_record

__all__ = ["smtp"]

pytestmark = pytest.mark.django_db(transaction=True)

GATEWAY = "reports@fax.example.org"


def gateway_mail(
    *, subject: str, body: str, sender: str = GATEWAY, in_reply_to: str = "", references: str = ""
) -> bytes:
    headers = [
        f"From: Fax Service <{sender}>",
        "To: actions@urgent.example.org",
        f"Subject: {subject}",
        f"Message-ID: <{uuid.uuid4().hex}@fax.example.org>",
        "Auto-Submitted: auto-generated",
    ]
    if in_reply_to:
        headers.append(f"In-Reply-To: {in_reply_to}")
    if references:
        headers.append(f"References: {references}")
    return ("\r\n".join(headers) + "\r\n\r\n" + body + "\r\n").encode()


@pytest.fixture
def faxes(smtp: Smtp, settings: Any, demo: None) -> list[tuple[LetterDelivery, str]]:
    """Two faxes handed to the email-to-fax gateway, with the Message-ID each went out with."""
    settings.URGENT_FAX = {
        "kind": "email",
        "url": "",
        "domain": "fax.example.org",
        "from": GATEWAY,
    }
    confirmed_letter("fax-writer@example.org", channel="fax")
    assert deliveries_send_due().sent == 2
    handed = []
    for delivery in LetterDelivery.objects.filter(channel="fax").order_by("id"):
        assert delivery.awaiting_confirmation
        sent = next(r for r in smtp.received if str(delivery.uuid) in str(r.message["Subject"]))
        handed.append((delivery, str(sent.message["Message-ID"])))
    return handed


def state(delivery: LetterDelivery) -> tuple[str, str, bool]:
    delivery.refresh_from_db()
    transmission = FaxTransmission.objects.get(delivery=delivery)
    return transmission.status, delivery.status, delivery.awaiting_confirmation


def test_the_gateways_reports_confirm_or_fail_the_fax(
    receiver: tuple[str, int], faxes: list[tuple[LetterDelivery, str]]
) -> None:
    (first, first_id), (second, second_id) = faxes
    assert first_id == f"<fax.{first.uuid}@fax.example.org>"
    # A reply to the fax's own mail, in the gateway's words.
    send(
        receiver,
        gateway_mail(
            subject=f"Re: Fax {first.uuid}",
            body="Your fax was successfully sent (1 page, 38 seconds).",
            in_reply_to=first_id,
        ),
        mail_from=GATEWAY,
        to="actions@urgent.example.org",
    )
    # A report quoting only the Message-ID, with the outcome in the text.
    send(
        receiver,
        gateway_mail(
            subject="Fax transmission report",
            body="Result: the line was busy after 3 attempts.",
            references=second_id,
        ),
        mail_from=GATEWAY,
        to="actions@urgent.example.org",
    )
    rows = settled(2)
    assert [(r.status, r.route, r.note) for r in rows] == [
        ("processed", "fax_report", "fax sent (successfully sent)"),
        ("processed", "fax_report", "fax failed (busy)"),
    ]
    assert state(first) == ("sent", "sent", False)
    # Failed: dialled again later, like a temporary SMTP error.
    assert state(second) == ("failed", "deferred", False)
    assert "gateway: busy" in LetterDelivery.objects.get(pk=second.pk).error


def test_mail_that_is_not_the_gateways_report_on_a_fax_changes_nothing(
    receiver: tuple[str, int], faxes: list[tuple[LetterDelivery, str]]
) -> None:
    (first, first_id), _second = faxes
    cases = [
        # Someone else claiming the fax was delivered, with its real reference.
        (f"Fax {first.uuid} delivered", "Delivered.", "someone@example.net", first_id),
        # The gateway, about a fax that is not ours.
        (f"Fax {uuid.uuid4()} delivered", "Delivered.", GATEWAY, ""),
        # The gateway, about no fax at all.
        ("Your monthly invoice", "Thank you for your payment.", GATEWAY, ""),
        # The gateway, about our fax, in words that say neither.
        (f"Fax {first.uuid}", "We are processing your document.", GATEWAY, ""),
    ]
    for subject, body, sender, reply_to in cases:
        send(
            receiver,
            gateway_mail(subject=subject, body=body, sender=sender, in_reply_to=reply_to),
            mail_from=sender,
            to="actions@urgent.example.org",
        )
    rows = settled(len(cases))
    assert [(r.status, r.route, r.note) for r in rows[1:]] == [
        ("ignored", "fax_report", "from the fax gateway; matches no fax"),
        ("ignored", "fax_report", "from the fax gateway; no fax reference"),
        ("ignored", "fax_report", "from the fax gateway; no outcome it recognises"),
    ]
    assert rows[0].route != "fax_report"
    assert state(first) == ("handed", "sent", True)


@pytest.mark.parametrize(
    ("subject", "text", "expected"),
    [
        ("Fax delivered", "", ("sent", "delivered")),
        ("Re: Fax", "Your fax was successfully sent.", ("sent", "successfully sent")),
        ("Fax report", "Status: SUCCESS", ("sent", "success")),
        ("Fax not delivered", "", ("failed", "not delivered")),
        ("Fax report", "The fax could not be sent: no answer.", ("failed", "could not be sent")),
        ("Fax report", "Transmission failed (busy).", ("failed", "failed")),
        ("Fax report", "No answer after 3 tries.", ("failed", "no answer")),
        ("Fax report", "Line busy", ("failed", "busy")),
        # The subject speaks first; a quoted word inside another does not count.
        ("Fax failed", "previously delivered", ("failed", "failed")),
        ("Fax report", "resentment", None),
    ],
)
def test_the_gateways_phrasings_are_read_from_one_table(
    subject: str, text: str, expected: tuple[str, str] | None
) -> None:
    assert email_fax_outcome(subject=subject, text=text) == expected
    assert {status for _phrase, status in EMAIL_FAX_OUTCOMES} == {"sent", "failed"}


def test_references_are_read_from_the_subject_and_reply_headers() -> None:
    one, two = uuid.uuid4(), uuid.uuid4()
    assert email_fax_references(
        f"Re: Fax {str(one).upper()}", f"<fax.{two}@fax.example.org>", f"<fax.{one}@x>"
    ) == [str(one), str(two)]
    assert email_fax_references("Fax 1234-5678", "") == []


def test_the_gateways_address_and_the_bounce_relays_are_checked_at_start(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("URGENT_FAX_GATEWAY", "email")
    monkeypatch.setenv("URGENT_FAX_EMAIL_DOMAIN", "fax.example.org")
    assert env.fax_gateway()["from"] == "fax.example.org"
    monkeypatch.setenv("URGENT_FAX_EMAIL_FROM", " Reports@Fax.Example.org ")
    assert env.fax_gateway()["from"] == "reports@fax.example.org"
    monkeypatch.setenv("URGENT_FAX_EMAIL_FROM", "a@b@fax.example.org")
    with pytest.raises(env.ConfigError, match="URGENT_FAX_EMAIL_FROM: give the address"):
        env.fax_gateway()
    monkeypatch.setenv("URGENT_BOUNCE_RELAYS", "Relay.Example.org., outlook.com")
    assert env.bounce_relays() == ["relay.example.org", "outlook.com"]
    monkeypatch.setenv("URGENT_BOUNCE_RELAYS", "relay.example.org,postmaster@example.org")
    with pytest.raises(env.ConfigError, match="URGENT_BOUNCE_RELAYS: 'postmaster@example"):
        env.bounce_relays()


def test_a_report_settles_the_latest_transmission_through_the_email_gateway(
    faxes: list[tuple[LetterDelivery, str]],
) -> None:
    """A fax dialled again has several transmissions; a report settles the newest one handed
    to the email gateway, never one sent through another gateway since."""
    (first, _id), _second = faxes
    handed = FaxTransmission.objects.get(delivery=first)
    # Dialled again within the same instant (ties are broken by the newer row), and then
    # once through the HTTP gateway after a change of settings.
    again = FaxTransmission.objects.create(
        delivery=first, gateway="email", status=FaxTransmission.Status.HANDED
    )
    FaxTransmission.objects.filter(pk=again.pk).update(created_at=handed.created_at)
    other = FaxTransmission.objects.create(
        delivery=first, gateway="phaxio", status=FaxTransmission.Status.SUBMITTED
    )
    assert fax_report_record(references=[str(first.uuid)], status="sent", detail="gateway: ok")
    statuses = dict(FaxTransmission.objects.filter(delivery=first).values_list("pk", "status"))
    assert statuses == {handed.pk: "handed", again.pk: "sent", other.pk: "submitted"}
    assert not fax_report_record(references=[str(uuid.uuid4())], status="sent", detail="")
