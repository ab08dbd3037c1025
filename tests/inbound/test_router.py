"""Routing stored messages: requests, forged senders, unknown cases, automatic mail, replies."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from django.core import mail

from tests.actions.conftest import Smtp, smtp
from tests.actions.helpers import confirmed_letter
from tests.inbound.conftest import send, settled
from tests.inbound.samples import BROKEN_MIME, UNKNOWN_CHARSET_BODY, delivery_report, request_mail
from tests.supporters.factories import supporter_with_history
from urgent.actions.models import LetterDelivery
from urgent.actions.services import deliveries_send_due
from urgent.actions.services.common import bounce_address
from urgent.cases.models import Case
from urgent.inbound import router
from urgent.inbound.models import InboundMessage
from urgent.inbound.services import inbound_accept, inbound_retry
from urgent.officials.models import ContactPoint
from urgent.supporters.links import supporter_token
from urgent.supporters.models import Confirmation, Subscription, Supporter

pytestmark = pytest.mark.django_db

__all__ = ["smtp"]  # a fixture, found by name

Status = InboundMessage.Status


@pytest.fixture
def deliver(django_capture_on_commit_callbacks: Any) -> Callable[..., InboundMessage]:
    def deliver(
        raw: bytes, *, mail_from: str = "bo@example.org", to: str = "updates@example.org"
    ) -> InboundMessage:
        with django_capture_on_commit_callbacks(execute=True):
            return inbound_accept(raw=raw, source="smtp", mail_from=mail_from, rcpt_to=[to])

    return deliver


@pytest.fixture
def handlers(monkeypatch: pytest.MonkeyPatch) -> Iterator[dict[str, Any]]:
    """Stand-ins for the bounce and reply recorders other apps provide, recording calls."""
    calls: dict[str, Any] = {"mailing": [], "letter": [], "official": [], "official_answer": False}

    def dsn_parse(message: Any) -> list[dict[str, Any]]:
        return [
            {
                "message_id": "<letter-1@urgent.example.org>",
                "recipient": "gone@example.org",
                "permanent": True,
                "diagnostic": "550 5.1.1 user unknown",
            }
        ]

    def official(*, message: Any, raw: bytes, received_at: Any = None) -> bool:
        calls["official"].append(raw)
        return bool(calls["official_answer"])

    monkeypatch.setattr(router, "dsn_parse", dsn_parse)

    def recorder(name: str) -> Any:
        return lambda **kw: calls[name].append(kw) or calls["matches"]

    calls["matches"] = True
    monkeypatch.setattr(router, "mailing_bounce_record", recorder("mailing"))
    monkeypatch.setattr(router, "letter_bounce_record", recorder("letter"))
    monkeypatch.setattr(router, "official_reply_record", official)
    yield calls


def test_keep_me_updated_by_email_sends_a_confirmation_and_subscribes_no_one(
    deliver: Callable[..., InboundMessage], demo: None
) -> None:
    row = deliver(request_mail("Keep me updated on UA 101/26"))
    assert (row.status, row.route) == (Status.PROCESSED, InboundMessage.Route.KEEP_UPDATED)
    assert row.supporter is not None and row.supporter.email == "bo@example.org"
    assert not Subscription.objects.exists()  # the From header is not proof
    confirmation = Confirmation.objects.get()
    assert confirmation.case is not None and confirmation.case.reference == "UA 101/26"
    assert confirmation.source.startswith("email:")
    sent = mail.outbox[0]
    assert sent.to == ["bo@example.org"]
    assert "UA 101/26" in sent.subject
    assert sent.extra_headers["Auto-Submitted"] == "auto-replied"
    assert sent.extra_headers["In-Reply-To"].endswith("@example.org>")
    assert re.search(r"/s/confirm/\S+/", str(sent.body))


def test_a_forged_request_subscribes_nobody_and_the_repeat_is_not_mailed(
    deliver: Callable[..., InboundMessage], demo: None
) -> None:
    for n in range(3):
        deliver(
            request_mail(f"Keep me updated on UA 101/26 ({n})", sender="victim@example.org"),
            mail_from="attacker@example.org",
        )
    assert len(mail.outbox) == 1  # one confirmation to the address named, then the cooldown
    assert Supporter.objects.get().status == Supporter.Status.PENDING
    assert not Subscription.objects.exists()


@pytest.mark.parametrize(
    "subject",
    ["Tenez-moi informé·e UA 101/26", "Manténganme informado AU 101/26", "UA 101-26 updates"],
)
def test_other_languages_get_the_confirmation_in_theirs(
    deliver: Callable[..., InboundMessage], demo: None, subject: str
) -> None:
    row = deliver(request_mail(subject))
    assert row.route == InboundMessage.Route.KEEP_UPDATED
    language = Confirmation.objects.get().language
    assert language == {"T": "fr", "M": "es", "U": "en"}[subject[0]]


def test_an_unknown_reference_gets_a_polite_reply_with_the_case_list(
    deliver: Callable[..., InboundMessage], demo: None
) -> None:
    row = deliver(request_mail("Keep me updated on UA 999/26"))
    assert row.route == InboundMessage.Route.UNKNOWN_CASE
    reply = mail.outbox[0]
    assert reply.subject == "Re: Keep me updated on UA 999/26"
    assert "http://127.0.0.1:8000/" in reply.body
    assert "UA 101/26: Opposition activist at risk of torture" in reply.body
    assert reply.extra_headers["Auto-Submitted"] == "auto-replied"
    assert not Confirmation.objects.exists()
    # A draft case is not public: asking for it is like asking for an unknown one.
    assert deliver(request_mail("Keep me updated on UA 110/26")).route == "unknown_case"


def test_polite_replies_to_one_sender_are_limited(
    deliver: Callable[..., InboundMessage], demo: None
) -> None:
    for n in range(router.REPLIES_PER_SENDER_PER_DAY + 2):
        deliver(request_mail(f"Keep me updated on UA 9{n}/20"))
    assert len(mail.outbox) == router.REPLIES_PER_SENDER_PER_DAY


@pytest.mark.parametrize(
    "headers",
    [
        {"Auto-Submitted": "auto-replied"},
        {"Precedence": "bulk"},
        {"Precedence": "junk"},
        {"X-Autoreply": "yes"},
    ],
)
def test_automatic_mail_is_never_answered(
    deliver: Callable[..., InboundMessage],
    demo: None,
    handlers: dict[str, Any],
    headers: dict[str, str],
) -> None:
    row = deliver(request_mail("Keep me updated on UA 101/26", headers=headers))
    assert row.status == Status.IGNORED and row.route == InboundMessage.Route.AUTO_REPLY
    assert mail.outbox == []
    assert not Confirmation.objects.exists()
    assert len(handlers["official"]) == 1  # offered as possible evidence, never answered


def test_mail_from_the_null_sender_is_never_answered(
    deliver: Callable[..., InboundMessage], demo: None, handlers: dict[str, Any]
) -> None:
    deliver(request_mail("Keep me updated on UA 101/26"), mail_from="")
    deliver(request_mail("Keep me updated on UA 999/26", sender="MAILER-DAEMON@example.org"))
    assert mail.outbox == []


def test_delivery_reports_go_to_both_bounce_recorders(
    deliver: Callable[..., InboundMessage], handlers: dict[str, Any]
) -> None:
    row = deliver(delivery_report(), mail_from="")
    assert (row.status, row.route) == (Status.PROCESSED, InboundMessage.Route.BOUNCE)
    expected = {
        "message_id": "<letter-1@urgent.example.org>",
        "recipient": "gone@example.org",
        "permanent": True,
        "diagnostic": "550 5.1.1 user unknown",
    }
    assert handlers["mailing"] == [expected]
    assert handlers["letter"] == [
        {**expected, "delivery_id": None, "reported_by": "mx.example.org"}
    ]
    assert mail.outbox == []


def test_a_report_about_no_message_of_ours_is_kept_but_not_counted(
    deliver: Callable[..., InboundMessage], handlers: dict[str, Any]
) -> None:
    handlers["matches"] = False
    row = deliver(delivery_report(), mail_from="")
    assert (row.status, row.route) == (Status.IGNORED, InboundMessage.Route.BOUNCE)
    assert "not counted" in row.note


def test_a_report_to_a_letters_signed_return_path_names_the_letter(
    deliver: Callable[..., InboundMessage], handlers: dict[str, Any], settings: Any
) -> None:
    settings.URGENT_FROM_EMAIL = "Urgent <actions@urgent.example.org>"
    row = deliver(delivery_report(), mail_from="", to=bounce_address(41))
    assert row.status == Status.PROCESSED
    assert handlers["letter"][0]["delivery_id"] == 41
    forged = bounce_address(41).replace("+29.", "+2a.")
    deliver(delivery_report() + b"\r\n", mail_from="", to=forged)
    assert handlers["letter"][1]["delivery_id"] is None


def test_official_replies_then_unmatched(
    deliver: Callable[..., InboundMessage], demo: None, handlers: dict[str, Any]
) -> None:
    reply = request_mail(
        "Re: Release Daniyar Orazmyradov: UA 101/26",
        sender="mission.tm@example.org",
        to="reply+abc@urgent.example.org",
        headers={"In-Reply-To": "<letter-1@urgent.example.org>"},
    )
    handlers["official_answer"] = True
    row = deliver(reply, to="reply+abc@urgent.example.org")
    assert (row.status, row.route) == (Status.PROCESSED, InboundMessage.Route.OFFICIAL_REPLY)
    assert handlers["official"] == [reply]
    assert not Confirmation.objects.exists()  # a reply naming the case is no request
    handlers["official_answer"] = False
    row = deliver(request_mail("Hello", to="someone@urgent.example.org"))
    assert (row.status, row.route) == (Status.UNMATCHED, InboundMessage.Route.OTHER)
    assert mail.outbox == []


@pytest.mark.parametrize("raw", [BROKEN_MIME, UNKNOWN_CHARSET_BODY])
def test_unreadable_mail_is_kept_and_dropped(
    deliver: Callable[..., InboundMessage], demo: None, raw: bytes
) -> None:
    row = deliver(raw)
    assert row.status == Status.DROPPED
    assert row.raw == raw
    assert mail.outbox == []


def test_the_same_message_delivered_twice_is_handled_once(
    deliver: Callable[..., InboundMessage], demo: None
) -> None:
    raw = request_mail("Keep me updated on UA 101/26")
    first = deliver(raw)
    second = deliver(raw)
    assert first.pk == second.pk
    assert InboundMessage.objects.count() == 1


def test_a_routing_failure_is_kept_and_retried(
    deliver: Callable[..., InboundMessage],
    demo: None,
    monkeypatch: pytest.MonkeyPatch,
    django_capture_on_commit_callbacks: Any,
) -> None:
    def explode(**kwargs: Any) -> None:
        raise RuntimeError("database went away")

    monkeypatch.setattr(router, "confirmation_request", explode)
    row = deliver(request_mail("Keep me updated on UA 101/26"))
    assert row.status == Status.FAILED and "database went away" in row.note
    monkeypatch.undo()
    with django_capture_on_commit_callbacks(execute=True):
        assert inbound_retry() == {"processed": 1}
    row.refresh_from_db()
    assert row.status == Status.PROCESSED and row.attempts == 1
    assert len(mail.outbox) == 1


def test_the_mailto_unsubscribe_of_bulk_mail_is_honoured(
    deliver: Callable[..., InboundMessage], demo: None
) -> None:
    supporter = supporter_with_history()
    case = Case.objects.get(slug="ua-101-26")
    token = supporter_token(
        supporter_uuid=supporter.uuid, purpose="unsubscribe", extra=f"case:{case.uuid.hex}"
    )
    row = deliver(
        request_mail(f"unsubscribe {token}", sender="ana.lima@example.org", to="urgent@localhost"),
        mail_from="ana.lima@example.org",
    )
    assert (row.status, row.route) == (Status.PROCESSED, InboundMessage.Route.UNSUBSCRIBE)
    assert not supporter.subscriptions.filter(case=case, ended_at__isnull=True).exists()
    assert supporter.subscriptions.filter(kind="new_cases", ended_at__isnull=True).exists()
    forged = deliver(request_mail(f"unsubscribe {token[:-3]}xyz", to="urgent@localhost"))
    assert (forged.status, forged.note) == (Status.IGNORED, "invalid or expired unsubscribe token")
    assert mail.outbox == []


def test_routed_mail_is_deleted_after_90_days_and_waiting_mail_is_kept(
    deliver: Callable[..., InboundMessage], demo: None
) -> None:
    import datetime

    from django.utils import timezone

    from urgent.inbound.services import inbound_prune
    from urgent.inbound.sweeps import inbound_sweep

    old = deliver(request_mail("Keep me updated on UA 101/26"))
    recent = deliver(request_mail("Keep me updated on UA 87/26"))
    waiting = deliver(request_mail("Keep me updated on UA 101/26", sender="b@example.org"))
    InboundMessage.objects.filter(pk=waiting.pk).update(status=Status.FAILED)
    long_ago = timezone.now() - datetime.timedelta(days=91)
    InboundMessage.objects.filter(pk__in=[old.pk, waiting.pk]).update(received_at=long_ago)

    assert inbound_prune(batch=1) == 1
    assert set(InboundMessage.objects.values_list("pk", flat=True)) == {recent.pk, waiting.pk}
    inbound_sweep()  # runs at most hourly; nothing older is left anyway
    assert InboundMessage.objects.count() == 2


def _returned(*, original: bytes, recipient: str, status: str, diagnostic: str) -> bytes:
    """A delivery status notification (RFC 3464) as a receiving mail server writes it,
    carrying the headers of the letter it returns."""
    headers = original.split(b"\r\n\r\n", 1)[0].split(b"\n\n", 1)[0]
    action = "failed" if status.startswith("5") else "delayed"
    return (
        b"From: Mail Delivery System <MAILER-DAEMON@mx.example.net>\r\n"
        b"To: actions@urgent.example.org\r\n"
        b"Subject: Undelivered Mail Returned to Sender\r\n"
        b"Auto-Submitted: auto-replied\r\n"
        b"MIME-Version: 1.0\r\n"
        b'Content-Type: multipart/report; report-type=delivery-status; boundary="r1"\r\n'
        b"\r\n--r1\r\nContent-Type: text/plain\r\n\r\nYour message could not be delivered.\r\n"
        b"--r1\r\nContent-Type: message/delivery-status\r\n\r\n"
        b"Reporting-MTA: dns; mx.example.org\r\n\r\n"
        + f"Final-Recipient: rfc822; {recipient}\r\nAction: {action}\r\nStatus: {status}\r\n"
        f"Diagnostic-Code: smtp; {diagnostic}\r\n".encode()
        + b"--r1\r\nContent-Type: text/rfc822-headers\r\n\r\n"
        + headers.replace(b"\r\n", b"\n").replace(b"\n", b"\r\n")
        + b"\r\n--r1--\r\n"
    )


@pytest.mark.django_db(transaction=True)
def test_a_bounce_over_smtp_reaches_the_letter_and_the_contact_point(
    receiver: tuple[str, int], smtp: Smtp, settings: Any, demo: None
) -> None:
    """No stand-ins: a letter leaves over SMTP, the official's server returns it over SMTP
    to the receiver, and the real DSN parser and recorders mark the letter and count the
    bounce on the address, until the address is suspect for staff to check."""
    settings.URGENT_BOUNCES_BEFORE_DEAD = 2
    point = ContactPoint.objects.get(value="embassy.tm@example.org")
    for round_, writer in enumerate(("a@example.org", "b@example.org"), start=1):
        confirmed_letter(writer)
        assert deliveries_send_due().sent == 2
        sent = smtp.handler.to("embassy.tm@example.org")[-1]
        letter = LetterDelivery.objects.get(
            message_id=sent.message["Message-ID"], contact_point=point
        )
        assert letter.status == LetterDelivery.Status.SENT
        send(
            receiver,
            _returned(
                original=sent.raw,
                recipient="embassy.tm@example.org",
                status="5.1.1",
                diagnostic="550 5.1.1 <embassy.tm@example.org>: mailbox unknown",
            ),
            mail_from="",
            to="actions@urgent.example.org",
        )
        row = settled(round_)[-1]
        assert (row.status, row.route) == (Status.PROCESSED, InboundMessage.Route.BOUNCE)
        assert row.note == "1 recipient(s) reported"
        letter.refresh_from_db()
        assert letter.status == LetterDelivery.Status.BOUNCED
        assert letter.error == "bounced: 550 5.1.1 <<address>>: mailbox unknown"
        point.refresh_from_db()
        assert point.bounce_count == round_
    # Reports alone never retire an address: it is suspect until staff confirm it dead.
    assert point.health == ContactPoint.Health.SUSPECT
    # The other official's letters were not touched, and the suspect address still gets letters.
    assert set(
        LetterDelivery.objects.filter(contact_point__value="mission.tm@example.org").values_list(
            "status", flat=True
        )
    ) == {LetterDelivery.Status.SENT}
    confirmed_letter("c@example.org")
    assert deliveries_send_due().sent == 2
    assert len(smtp.handler.to("mission.tm@example.org")) == 3
    assert len(smtp.handler.to("embassy.tm@example.org")) == 3


def test_a_message_flufl_bounce_cannot_read_is_kept_not_failed(
    deliver: Callable[..., InboundMessage], demo: None
) -> None:
    """Found by tests/fuzz: with no headers (a blank first line), flufl.bounce's Yale
    detector raised IndexError, and the message failed and was retried on every pass."""
    raw = b"\r\n" + delivery_report().split(b"\r\n", 1)[1]
    row = deliver(raw, mail_from="")
    row.refresh_from_db()
    assert row.status != Status.FAILED, row.note
    assert row.route in {InboundMessage.Route.BOUNCE, InboundMessage.Route.AUTO_REPLY}
