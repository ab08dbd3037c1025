"""Bounce reports and officials' replies that come back about letters sent through Urgent."""

from __future__ import annotations

from email.message import EmailMessage
from typing import Any

from django.core.files.storage import default_storage

from tests.actions.conftest import Smtp
from tests.actions.helpers import confirmed_letter
from urgent.actions.models import LetterDelivery, OfficialReply
from urgent.actions.services import (
    deliveries_send_due,
    letter_bounce_record,
    official_reply_record,
)
from urgent.actions.services.common import bounce_address, bounce_address_read, reply_address
from urgent.officials.models import ContactPoint
from urgent.officials.services import contact_point_health_set


def test_bounce_by_message_id_marks_the_letter_and_counts_on_the_address(
    demo: None, smtp: Smtp
) -> None:
    action = confirmed_letter("a@example.org")
    deliveries_send_due()
    to = action.deliveries.get(role="to")
    assert letter_bounce_record(
        message_id=to.message_id.strip("<>"),
        recipient="Mission.TM@example.org",
        permanent=True,
        diagnostic="550 5.1.1 user unknown",
    )
    to.refresh_from_db()
    assert to.status == "bounced" and "user unknown" in to.error
    # The copy to the other official shares the Message-ID but did not bounce.
    assert action.deliveries.get(role="cc").status == "sent"
    point = ContactPoint.objects.get(value="mission.tm@example.org")
    assert (point.health, point.bounce_count) == ("bouncing", 1)


def test_delayed_report_marks_deferred_without_sending_again(demo: None, smtp: Smtp) -> None:
    action = confirmed_letter("a@example.org")
    deliveries_send_due()
    to = action.deliveries.get(role="to")
    assert letter_bounce_record(
        message_id=to.message_id,
        recipient="mission.tm@example.org",
        permanent=False,
        diagnostic="4.4.7 delivery delayed",
    )
    to.refresh_from_db()
    assert to.status == "deferred" and to.next_attempt_at is None
    assert deliveries_send_due().sent == 0
    assert ContactPoint.objects.get(value="mission.tm@example.org").bounce_count == 0


def test_bounce_naming_only_the_address_is_not_counted(demo: None, smtp: Smtp) -> None:
    """Anyone can write a report naming an official's address: it proves nothing."""
    confirmed_letter("a@example.org")
    deliveries_send_due()
    for _ in range(3):
        assert not letter_bounce_record(
            message_id="", recipient="embassy.tm@example.org", permanent=True, diagnostic="550"
        )
    assert not letter_bounce_record(
        message_id="<nothing@example.org>", recipient="", permanent=True, diagnostic="550"
    )
    point = ContactPoint.objects.get(value="embassy.tm@example.org")
    assert (point.health, point.bounce_count) == ("ok", 0)
    assert not LetterDelivery.objects.filter(status="bounced").exists()


def test_letters_go_out_with_a_signed_return_path_that_matches_the_letter(
    demo: None, smtp: Smtp
) -> None:
    action = confirmed_letter("a@example.org")
    deliveries_send_due()
    to = action.deliveries.get(role="to")
    sent = smtp.handler.to("mission.tm@example.org")[0]
    assert sent.mail_from == bounce_address(to.pk)
    assert bounce_address_read(sent.mail_from.upper()) == to.pk
    forged = sent.mail_from.replace(f"bounces+{to.pk:x}.", f"bounces+{to.pk + 1:x}.")
    assert bounce_address_read(forged) is None
    assert bounce_address_read(reply_address(to.pk)) is None  # a reply address is not one
    # A report that came back to the return path counts without quoting the Message-ID.
    assert letter_bounce_record(
        message_id="", recipient="", permanent=True, diagnostic="550", delivery_id=to.pk
    )
    to.refresh_from_db()
    assert to.status == "bounced"
    assert action.deliveries.get(role="cc").status == "sent"


def test_a_letter_is_counted_on_its_address_once(demo: None, smtp: Smtp) -> None:
    action = confirmed_letter("a@example.org")
    deliveries_send_due()
    to = action.deliveries.get(role="to")
    for _ in range(3):  # the same report, delivered three times
        assert letter_bounce_record(
            message_id=to.message_id,
            recipient="mission.tm@example.org",
            permanent=True,
            diagnostic="550 user unknown",
        )
    point = ContactPoint.objects.get(value="mission.tm@example.org")
    assert (point.health, point.bounce_count) == ("bouncing", 1)


def test_repeated_bounces_make_the_address_suspect_until_staff_confirm(
    demo: None, smtp: Smtp, settings: Any, django_capture_on_commit_callbacks: Any
) -> None:
    from django.contrib.auth import get_user_model

    staff = get_user_model().objects.create_user(
        "desk", email="desk@example.org", password="x" * 16, is_staff=True
    )
    settings.URGENT_BOUNCES_BEFORE_DEAD = 2
    for i in range(3):
        action = confirmed_letter(f"w{i}@example.org")
        deliveries_send_due()
        with django_capture_on_commit_callbacks(execute=True):
            assert letter_bounce_record(
                message_id=action.deliveries.first().message_id,
                recipient="embassy.tm@example.org",
                permanent=True,
                diagnostic="550 mailbox gone",
            )
    point = ContactPoint.objects.get(value="embassy.tm@example.org")
    # Bounce reports are mail: they make the address suspect, never dead.
    assert point.health == "suspect" and point.bounce_count == 3
    flags = smtp.handler.to("desk@example.org")
    assert len(flags) == 1
    body = flags[0].message.get_body().get_content()  # type: ignore[union-attr]
    assert "embassy.tm@example.org" in body and f"/staff/officials/{point.official_id}/" in body
    # Still written to: the last letter was addressed to it.
    assert action.deliveries.filter(contact_point=point).exists()
    # Staff confirm it dead: a letter waiting for it fails instead of being sent.
    contact_point_health_set(contact_point=point, actor=staff, health="dead")
    waiting = LetterDelivery.objects.filter(contact_point=point).first()
    assert waiting is not None
    LetterDelivery.objects.filter(pk=waiting.pk).update(status="queued")
    deliveries_send_due()
    waiting.refresh_from_db()
    assert waiting.status == "failed" and "stopped working" in waiting.error


def _reply(**headers: str) -> EmailMessage:
    message = EmailMessage()
    for name, value in headers.items():
        message[name.replace("_", "-")] = value
    message.set_content("We have received your letter and forwarded it.\n-- The Mission")
    return message


def test_reply_to_the_per_letter_address_is_kept_as_evidence(demo: None, smtp: Smtp) -> None:
    action = confirmed_letter("a@example.org")
    deliveries_send_due()
    to = action.deliveries.get(role="to")
    message = _reply(
        From="Mission <mission.tm@example.org>",
        To=f"a@example.org, {reply_address(to.pk)}",
        Subject="Re: Concerning Daniyar Orazmyradov",
        Message_ID="<r1@mission.example.org>",
        Date="Sat, 28 Nov 2026 10:00:00 +0000",
    )
    raw = message.as_bytes()
    assert official_reply_record(message=message, raw=raw)
    assert official_reply_record(message=message, raw=raw)  # delivered twice, kept once
    reply = OfficialReply.objects.get()
    assert reply.delivery == to and reply.official == to.official and reply.case == to.case
    assert reply.from_address == "mission.tm@example.org"
    assert "forwarded it" in reply.text
    with default_storage.open(reply.raw_path) as stored:
        assert stored.read() == raw


def test_reply_found_by_in_reply_to_and_unknown_mail_is_not_ours(demo: None, smtp: Smtp) -> None:
    action = confirmed_letter("a@example.org")
    deliveries_send_due()
    cc = action.deliveries.get(role="cc")
    message = _reply(
        From="embassy.tm@example.org",
        To="a@example.org",
        Subject="Re: x",
        In_Reply_To=cc.message_id,
    )
    assert official_reply_record(message=message, raw=message.as_bytes())
    assert OfficialReply.objects.get().delivery == cc
    forged = _reply(From="x@example.org", To="reply+1.0000000000@urgent.example.org")
    assert not official_reply_record(message=forged, raw=forged.as_bytes())
    stranger = _reply(From="x@example.org", To="someone@example.org", In_Reply_To="<nope@x>")
    assert not official_reply_record(message=stranger, raw=stranger.as_bytes())


BAD_DATES = [
    "not a date at all",
    "Mon, 99 Foo 2026 99:99:99 +9999",
    "Sat, 28 Nov 10000 10:00:00 +0000",
    "",
]


def test_reply_with_an_unreadable_date_is_recorded_at_the_time_received(
    demo: None, smtp: Smtp, django_capture_on_commit_callbacks: Any
) -> None:
    from urgent.inbound.services import inbound_accept

    action = confirmed_letter("a@example.org")
    deliveries_send_due()
    to = action.deliveries.get(role="to")
    for n, date in enumerate(BAD_DATES):
        raw = (
            "From: Mission <mission.tm@example.org>\r\n"
            f"To: {reply_address(to.pk)}\r\n"
            f"Subject: =?utf-8?q?Re:_your_letter_{n}?= =?bogus\r\n"
            f"Message-ID: <bad-date-{n}@mission.example.org>\r\n"
            f"Date: {date}\r\n"
            "\r\nWe have received your letter.\r\n"
        ).encode()
        with django_capture_on_commit_callbacks(execute=True):
            row = inbound_accept(
                raw=raw, source="smtp", mail_from="mission.tm@example.org", rcpt_to=[]
            )
        row.refresh_from_db()
        assert (row.status, row.route) == ("processed", "official_reply"), row.note
        reply = OfficialReply.objects.get(message_id=f"<bad-date-{n}@mission.example.org>")
        assert reply.received_at == row.received_at
        assert reply.delivery == to and "received your letter" in reply.text
