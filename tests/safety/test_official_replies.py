"""Officials' replies kept as evidence, read exactly: which letter a reply answers (the
per-letter address in any recipient header, In-Reply-To or References, the copy the
sender's own address received), when it was written, and its text. A reply pinned to the
wrong letter, date or words is wrong evidence on a case."""

from __future__ import annotations

import datetime
import email
import email.policy
import email.utils
from email.message import EmailMessage
from typing import Any

import pytest
from django.utils import timezone

from tests.actions.conftest import Smtp, smtp
from tests.actions.helpers import confirmed_letter
from urgent.actions.models import OfficialReply
from urgent.actions.services import deliveries_send_due, official_reply_record
from urgent.actions.services.common import reply_address

__all__ = ["smtp"]

pytestmark = pytest.mark.django_db

RECEIVED = datetime.datetime(2026, 11, 30, 12, 0, tzinfo=datetime.UTC)


def reply(
    body: str = "We have received your letter.", *, html: str = "", **headers: str
) -> EmailMessage:
    message = EmailMessage()
    for name, value in headers.items():
        message[name.replace("_", "-")] = value
    message.set_content(body)
    if html:
        message.add_alternative(html, subtype="html")
    return message


def record(message: EmailMessage) -> OfficialReply | None:
    if not official_reply_record(message=message, raw=message.as_bytes(), received_at=RECEIVED):
        return None
    return OfficialReply.objects.latest("id")


@pytest.mark.parametrize("header", ["Cc", "Delivered-To", "X-Original-To", "Envelope-To"])
def test_the_per_letter_address_counts_in_any_recipient_header(
    demo: None, smtp: Smtp, header: str
) -> None:
    to = confirmed_letter("a@example.org").deliveries.get(role="to")
    deliveries_send_due()
    found = record(
        reply(
            **{
                "From": "mission.tm@example.org",
                "To": "desk@example.org",
                header: reply_address(to.pk),
            }
        )
    )
    assert found is not None and found.delivery == to


def test_references_find_the_copy_the_sender_received(demo: None, smtp: Smtp) -> None:
    action = confirmed_letter("a@example.org")
    deliveries_send_due()
    to, cc = action.deliveries.get(role="to"), action.deliveries.get(role="cc")
    assert to.message_id == cc.message_id  # one letter, one Message-ID, two officials
    found = record(
        reply(
            From="Embassy <Embassy.TM@example.org>",
            References=f"<older@example.org> {cc.message_id}",
            Subject="Re: Concerning Daniyar Orazmyradov",
        )
    )
    assert found is not None
    assert (found.delivery, found.official, found.from_address) == (
        cc,
        cc.official,
        "embassy.tm@example.org",
    )
    # From neither official: still that letter (a copy of it), with no official guessed
    # from the sender.
    other = record(reply(From="clerk@example.org", In_Reply_To=to.message_id))
    assert other is not None and other.delivery is not None
    assert other.delivery.message_id == to.message_id


def test_when_a_reply_was_written(demo: None, smtp: Smtp) -> None:
    to = confirmed_letter("a@example.org").deliveries.get(role="to")
    deliveries_send_due()
    address = reply_address(to.pk)
    cases = [
        (
            "Mon, 30 Nov 2026 09:15:00 +0100",
            datetime.datetime(2026, 11, 30, 8, 15, tzinfo=datetime.UTC),
        ),
        # No zone: taken as UTC.
        (
            "Mon, 30 Nov 2026 09:15:00 -0000",
            datetime.datetime(2026, 11, 30, 9, 15, tzinfo=datetime.UTC),
        ),
        # A day ahead at most (time zones, clocks); further is not believed.
        (
            "Tue, 01 Dec 2026 11:00:00 +0000",
            datetime.datetime(2026, 12, 1, 11, 0, tzinfo=datetime.UTC),
        ),
        ("Wed, 02 Dec 2026 12:00:01 +0000", RECEIVED),
        # Up to a year back; before that is not believed either.
        (
            "Sun, 30 Nov 2025 12:00:00 +0000",
            datetime.datetime(2025, 11, 30, 12, 0, tzinfo=datetime.UTC),
        ),
        ("Sat, 29 Nov 2025 11:59:59 +0000", RECEIVED),
    ]
    for n, (date, expected) in enumerate(cases):
        found = record(
            reply(From="mission.tm@example.org", To=address, Date=date, Message_ID=f"<d{n}@x>")
        )
        assert found is not None
        assert found.received_at == expected, date


def test_the_text_kept_is_the_plain_part_or_the_html_made_plain(demo: None, smtp: Smtp) -> None:
    to = confirmed_letter("a@example.org").deliveries.get(role="to")
    deliveries_send_due()
    address = reply_address(to.pk)
    both = record(
        reply(
            "Plain words.",
            html="<p>Html words.</p>",
            From="m@example.org",
            To=address,
            Message_ID="<p1@x>",
        )
    )
    assert both is not None and both.text == "Plain words."
    only_html = EmailMessage()
    only_html["From"], only_html["To"], only_html["Message-ID"] = "m@example.org", address, "<h1@x>"
    only_html.set_content("<p>First line</p>Second<br>Third<BR/>", subtype="html")
    found = record(only_html)
    assert found is not None
    assert found.text.splitlines()[:3] == ["First line", "Second", "Third"]
    assert found.subject == "" and found.message_id == "<h1@x>"


def test_the_same_reply_twice_is_kept_once_and_a_new_one_is_added(demo: None, smtp: Smtp) -> None:
    to = confirmed_letter("a@example.org").deliveries.get(role="to")
    deliveries_send_due()
    address = reply_address(to.pk)
    first = reply(From="m@example.org", To=address, Message_ID="<same@x>", Subject="Re: letter")
    assert record(first) is not None and record(first) is not None
    assert OfficialReply.objects.count() == 1
    assert OfficialReply.objects.get().subject == "Re: letter"
    assert record(reply(From="m@example.org", To=address, Message_ID="<other@x>")) is not None
    assert OfficialReply.objects.count() == 2
    # No Message-ID: nothing to tell copies apart by, so each is kept.
    record(reply(From="m@example.org", To=address))
    record(reply(From="m@example.org", To=address))
    assert OfficialReply.objects.count() == 4
    assert timezone.is_aware(OfficialReply.objects.latest("id").received_at)


def test_a_reply_from_an_address_we_did_not_write_to_answers_the_main_recipients_letter(
    demo: None, smtp: Smtp
) -> None:
    action = confirmed_letter("a@example.org")
    deliveries_send_due()
    to = action.deliveries.get(role="to")
    found = record(
        reply(
            From="Press office <press@ministry.example.org>",
            In_Reply_To=to.message_id,
            Subject="Re: your letter",
        )
    )
    assert found is not None
    assert (found.delivery, found.official) == (to, to.official)


def test_a_reply_in_a_charset_python_does_not_know_is_read_as_utf8_and_kept(
    demo: None, smtp: Smtp
) -> None:
    action = confirmed_letter("a@example.org")
    deliveries_send_due()
    to = action.deliveries.get(role="to")
    raw = (
        "From: Ministry <desk@ministry.example.org>\r\n"
        f"In-Reply-To: {to.message_id}\r\n"
        "Subject: Re: your letter\r\n"
        'Content-Type: text/plain; charset="x-unknown-8bit"\r\n'
        "Content-Transfer-Encoding: 8bit\r\n"
        "\r\n"
        "Nous avons reçu votre lettre.\r\n"
    ).encode()
    message = email.message_from_bytes(raw, policy=email.policy.default)
    assert isinstance(message, EmailMessage)
    assert official_reply_record(message=message, raw=raw, received_at=RECEIVED)
    found = OfficialReply.objects.latest("id")
    assert found.text == "Nous avons reçu votre lettre."


def test_a_reply_with_no_text_part_is_kept_with_no_text(demo: None, smtp: Smtp) -> None:
    action = confirmed_letter("a@example.org")
    deliveries_send_due()
    to = action.deliveries.get(role="to")
    message = reply(From="desk@ministry.example.org", In_Reply_To=to.message_id)
    message.clear_content()
    message.set_content(b"%PDF-1.4 scanned letter", maintype="application", subtype="pdf")
    found = record(message)
    assert found is not None and found.delivery == to
    assert found.text == ""


@pytest.mark.parametrize(
    ("written", "kept"),
    [
        (RECEIVED + datetime.timedelta(days=1), True),
        (RECEIVED + datetime.timedelta(days=1, hours=1), False),
        (RECEIVED - datetime.timedelta(days=366), True),
        (RECEIVED - datetime.timedelta(days=366, hours=1), False),
    ],
)
def test_a_replys_date_is_believed_from_a_year_before_to_a_day_after_it_arrived(
    demo: None, smtp: Smtp, written: datetime.datetime, kept: bool
) -> None:
    action = confirmed_letter("a@example.org")
    deliveries_send_due()
    to = action.deliveries.get(role="to")
    found = record(
        reply(
            From="desk@ministry.example.org",
            In_Reply_To=to.message_id,
            Date=email.utils.format_datetime(written),
        )
    )
    assert found is not None
    assert found.received_at == (written if kept else RECEIVED)


def test_one_message_id_is_one_reply_per_letter_not_one_for_all_letters(
    demo: None, smtp: Smtp
) -> None:
    first = confirmed_letter("a@example.org").deliveries.get(role="to")
    second = confirmed_letter("b@example.org").deliveries.get(role="to")
    deliveries_send_due()
    for letter in (first, second, first):
        assert record(
            reply(
                From="desk@ministry.example.org",
                To=reply_address(letter.pk),
                Message_ID="<circular-7@ministry.example.org>",
            )
        )
    assert sorted(OfficialReply.objects.values_list("delivery_id", flat=True)) == sorted(
        [first.pk, second.pk]
    )


def _raw_reply(headers: str, body: str = "Received, thank you.") -> EmailMessage:
    raw = (headers.strip().replace("\n", "\r\n") + "\r\n\r\n" + body + "\r\n").encode()
    message = email.message_from_bytes(raw, policy=email.policy.default)
    assert isinstance(message, EmailMessage)
    return message


def test_a_recipient_header_the_parser_chokes_on_still_finds_the_letter(
    demo: None, smtp: Smtp
) -> None:
    to = confirmed_letter("a@example.org").deliveries.get(role="to")
    deliveries_send_due()
    # An unclosed quote makes the address parser raise; the header is read as written.
    message = _raw_reply(f'From: desk@ministry.example.org\nTo: {reply_address(to.pk)}, "')
    found = record(message)
    assert found is not None and found.delivery == to


@pytest.mark.parametrize("header", ["Sender", "Reply-To"])
def test_the_official_is_known_by_the_sender_or_reply_to_of_a_shared_mailbox(
    demo: None, smtp: Smtp, header: str
) -> None:
    action = confirmed_letter("a@example.org")
    deliveries_send_due()
    to, cc = action.deliveries.get(role="to"), action.deliveries.get(role="cc")
    found = record(
        reply(
            **{
                "From": "Registry <registry@ministry.example.org>",
                header: "Embassy <embassy.tm@example.org>",
                "In-Reply-To": to.message_id,
            }
        )
    )
    assert found is not None and (found.delivery, found.official) == (cc, cc.official)


def test_a_reply_with_no_from_is_kept_with_no_sender(demo: None, smtp: Smtp) -> None:
    to = confirmed_letter("a@example.org").deliveries.get(role="to")
    deliveries_send_due()
    found = record(reply(To=reply_address(to.pk), Subject="Re: letter"))
    assert found is not None and found.from_address == ""
    # A From that opens with a group naming no one: the sender is the address that follows.
    found = record(
        _raw_reply(f"From: undisclosed:;, Desk@Ministry.example.org\nTo: {reply_address(to.pk)}")
    )
    assert found is not None and found.from_address == "desk@ministry.example.org"


def test_long_headers_are_cut_to_what_their_columns_hold(demo: None, smtp: Smtp) -> None:
    to = confirmed_letter("a@example.org").deliveries.get(role="to")
    deliveries_send_due()
    message_id = "<" + "m" * 300 + "@ministry.example.org>"
    sender = "d" * 64 + "@" + ".".join(["ministry"] * 32) + ".example"
    subject = "Re: " + "word " * 300
    found = record(
        _raw_reply(
            f"From: {sender}\nTo: {reply_address(to.pk)}\nMessage-ID: {message_id}\n"
            f"Subject: {subject}"
        )
    )
    assert found is not None
    assert found.message_id == message_id[:250]
    assert found.from_address == sender[:320] and len(sender) > 320
    assert found.subject == " ".join(subject.split())[:998]


def test_a_subject_is_one_line_whatever_it_encodes(demo: None, smtp: Smtp) -> None:
    to = confirmed_letter("a@example.org").deliveries.get(role="to")
    deliveries_send_due()
    encoded = "=?utf-8?q?Re:_line_one=0D=0ABcc:_x@example.org?="
    found = record(
        _raw_reply(
            f"From: desk@ministry.example.org\nTo: {reply_address(to.pk)}\nSubject: {encoded}"
        )
    )
    assert found is not None and found.subject == "Re: line one Bcc: x@example.org"


def test_a_date_with_no_zone_is_utc_whatever_zone_the_server_runs_in(
    demo: None, smtp: Smtp
) -> None:
    to = confirmed_letter("a@example.org").deliveries.get(role="to")
    deliveries_send_due()
    with timezone.override("Asia/Tokyo"):
        found = record(
            reply(
                From="desk@ministry.example.org",
                To=reply_address(to.pk),
                Date="Mon, 30 Nov 2026 09:15:00 -0000",
            )
        )
    assert found is not None
    assert found.received_at == datetime.datetime(2026, 11, 30, 9, 15, tzinfo=datetime.UTC)


def test_bytes_invalid_in_an_unknown_charset_are_replaced_not_fatal(demo: None, smtp: Smtp) -> None:
    to = confirmed_letter("a@example.org").deliveries.get(role="to")
    deliveries_send_due()
    raw = (
        f"From: desk@ministry.example.org\r\nTo: {reply_address(to.pk)}\r\n"
        'Content-Type: text/plain; charset="x-unknown-8bit"\r\n'
        "Content-Transfer-Encoding: 8bit\r\n\r\n"
    ).encode() + b"Re\xe7u, merci.\r\n"
    message = email.message_from_bytes(raw, policy=email.policy.default)
    assert isinstance(message, EmailMessage)
    assert official_reply_record(message=message, raw=raw, received_at=RECEIVED)
    assert OfficialReply.objects.latest("id").text == "Re\ufffdu, merci."


def test_a_body_the_parser_cannot_walk_keeps_the_reply_with_no_text(demo: None, smtp: Smtp) -> None:
    to = confirmed_letter("a@example.org").deliveries.get(role="to")
    deliveries_send_due()
    # A nested multipart without a boundary: `get_body` raises on it.
    message = _raw_reply(
        f"From: desk@ministry.example.org\nTo: {reply_address(to.pk)}\n"
        'Content-Type: multipart/alternative; boundary="b"',
        "--b\r\nContent-Type: multipart/related\r\n\r\nbody\r\n--b--",
    )
    found = record(message)
    assert found is not None and found.delivery == to and found.text == ""


def test_finding_the_letter_costs_the_same_queries_for_the_copy_as_for_the_main_letter(
    demo: None, smtp: Smtp, django_assert_num_queries: Any
) -> None:
    action = confirmed_letter("a@example.org")
    deliveries_send_due()
    to = action.deliveries.get(role="to")
    for n, sender in enumerate(["mission.tm@example.org", "embassy.tm@example.org"]):
        message = reply(From=sender, In_Reply_To=to.message_id, Message_ID=f"<q{n}@x>")
        # The letters and their addresses in one read, the duplicate check, the insert.
        with django_assert_num_queries(3):
            assert official_reply_record(
                message=message, raw=message.as_bytes(), received_at=RECEIVED
            )
