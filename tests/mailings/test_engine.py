"""The sending engine against a real SMTP server on loopback."""

from __future__ import annotations

import re
from datetime import timedelta
from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from tests.mailings.conftest import SmtpServer, mailing_make, supporter_make
from urgent.core.mail.prepared import PreparedMessage
from urgent.core.mail.smtp import EmailBackend
from urgent.mailings import engine, services
from urgent.mailings.engine import sender
from urgent.mailings.models import Delivery, Mailing
from urgent.mailings.sweeps import mailings_sweep
from urgent.supporters.models import Supporter

pytestmark = pytest.mark.django_db


def statuses(mailing: Mailing) -> dict[str, int]:
    counts: dict[str, int] = {}
    for status in mailing.deliveries.values_list("status", flat=True):
        counts[status] = counts.get(status, 0) + 1
    return counts


def test_every_recipient_gets_one_message_with_list_headers(smtp_server: SmtpServer) -> None:
    people = [supporter_make(language=lang) for lang in ("en", "fr", "es", "en", "de")]
    nameless = supporter_make(name="")
    supporter_make(status=Supporter.Status.UNSUBSCRIBED)
    supporter_make(status=Supporter.Status.PENDING)
    mailing = mailing_make()

    report = engine.mailing_run(mailing_id=mailing.pk)

    assert report.sent == 6
    mailing.refresh_from_db()
    assert mailing.state == Mailing.State.DONE
    assert statuses(mailing) == {"sent": 6}
    expected = sorted(s.email for s in [*people, nameless])
    assert sorted(smtp_server.recipients) == expected
    by_rcpt = {r.rcpt_to[0]: r for r in smtp_server.received}
    for supporter in [*people, nameless]:
        received = by_rcpt[supporter.email]
        message = received.message
        assert received.mail_from == "urgent@urgent.example.org"
        assert message["Message-ID"] == (
            f"<m{mailing.uuid.hex}.{supporter.uuid.hex}@urgent.example.org>"
        )
        unsubscribe = str(message["List-Unsubscribe"])
        assert re.fullmatch(
            r"<https://urgent\.example\.org/s/unsubscribe/[^/>]+/>, "
            r"<mailto:urgent@urgent\.example\.org\?subject=unsubscribe%20[^>]+>",
            unsubscribe,
        ), unsubscribe
        assert message["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
        subject = str(message["Subject"])
        assert "UA 101/26" in subject and "Journalist detained <incommunicado>" in subject
        if supporter.language in {"en", "de"}:  # no German catalogue: English
            assert subject == "Urgent action UA 101/26: Journalist detained <incommunicado>"
        else:  # each in the supporter's own language
            assert not subject.startswith("Urgent action"), subject
        text_part, html_part = message.get_body(("plain",)), message.get_body(("html",))
        assert text_part is not None and html_part is not None
        text, html = text_part.get_content(), html_part.get_content()
        assert "https://urgent.example.org/s/preferences/" in text
        assert "https://urgent.example.org/s/preferences/" in html
        assert "Journalist detained &lt;incommunicado&gt;" in html
        # No tracking: no images at all, no link but the case and the supporter's own links.
        assert "<img" not in html.lower()
        links = set(re.findall(r'href="([^"]+)"', html))
        assert all(
            link.startswith(("https://urgent.example.org/cases/", "https://urgent.example.org/s/"))
            for link in links
        ), links
        english = supporter.language in {"en", "de"}
        if supporter.name:
            assert f"{supporter.name}," in text.splitlines()[0]
            assert text.startswith("Dear ") == english
        else:
            assert text.startswith("Hello,")


def test_message_id_is_the_same_on_a_retry(smtp_server: SmtpServer) -> None:
    person = supporter_make()
    smtp_server.refuse[person.email] = "451 4.7.1 greylisted, try again later"
    mailing = mailing_make()

    engine.mailing_run(mailing_id=mailing.pk)
    row = mailing.deliveries.get()
    assert row.status == Delivery.Status.DEFERRED
    assert row.attempts == 1
    assert "451 4.7.1 greylisted" in row.error
    assert timezone.now() + timedelta(seconds=50) < row.next_attempt_at
    mailing.refresh_from_db()
    assert mailing.state == Mailing.State.SENDING  # a retry is still to come

    del smtp_server.refuse[person.email]
    Delivery.objects.filter(pk=row.pk).update(next_attempt_at=timezone.now())
    engine.mailing_run(mailing_id=mailing.pk)
    row.refresh_from_db()
    assert row.status == Delivery.Status.SENT and row.attempts == 2
    mailing.refresh_from_db()
    assert mailing.state == Mailing.State.DONE
    [received] = smtp_server.received
    assert (
        received.message["Message-ID"]
        == f"<m{mailing.uuid.hex}.{person.uuid.hex}@urgent.example.org>"
    )


def test_a_recipient_refused_for_good_fails_alone(smtp_server: SmtpServer) -> None:
    bad = supporter_make()
    supporter_make()
    smtp_server.refuse[bad.email] = "550 5.1.1 no such user"
    mailing = mailing_make()
    engine.mailing_run(mailing_id=mailing.pk)
    row = mailing.deliveries.get(supporter=bad)
    assert row.status == Delivery.Status.FAILED
    assert row.error == "refused: 550 5.1.1 no such user"
    assert statuses(mailing) == {"failed": 1, "sent": 1}
    mailing.refresh_from_db()
    assert mailing.state == Mailing.State.DONE


def test_a_template_failing_for_one_recipient_fails_only_that_delivery(
    smtp_server: SmtpServer,
) -> None:
    crash = supporter_make(name="Crash")
    others = [supporter_make() for _ in range(3)]
    mailing = mailing_make(
        template_prefix=None,
        subject="Hello",
        text_template=(
            '{% if recipient.name == "Crash" %}{% url "no-such-page" %}{% endif %}'
            "Hello {{ recipient.name }}"
        ),
    )
    engine.mailing_run(mailing_id=mailing.pk)
    row = mailing.deliveries.get(supporter=crash)
    assert row.status == Delivery.Status.FAILED
    assert row.error.startswith("not rendered: NoReverseMatch")
    assert sorted(smtp_server.recipients) == sorted(s.email for s in others)
    mailing.refresh_from_db()
    assert mailing.state == Mailing.State.DONE


def test_a_server_refusing_everything_pauses_the_mailing(
    smtp_server: SmtpServer, settings: Any
) -> None:
    settings.URGENT_MAIL_REFUSAL_LIMIT = 10
    for _ in range(40):
        supporter_make()
    smtp_server.refuse_all = "554 5.7.1 Relay access denied"
    mailing = mailing_make()

    report = engine.mailing_run(mailing_id=mailing.pk)

    mailing.refresh_from_db()
    assert mailing.state == Mailing.State.PAUSED
    assert "10 refusals in a row" in mailing.state_reason
    assert "554 5.7.1 Relay access denied" in mailing.state_reason
    assert report.failed == 10
    # Nobody is lost: the refused rows are back in the queue with the rest.
    assert statuses(mailing) == {"queued": 40}
    assert smtp_server.received == []

    smtp_server.refuse_all = ""
    assert services.mailing_resume(mailing=mailing)
    engine.mailing_run(mailing_id=mailing.pk)
    assert len(smtp_server.recipients) == 40 == len(set(smtp_server.recipients))


def test_an_unreachable_server_pauses_without_losing_anyone(
    settings: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    from tests.conftest import free_port

    settings.EMAIL_BACKEND = "urgent.core.mail.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", free_port()
    settings.EMAIL_USE_TLS = settings.EMAIL_USE_SSL = False
    monkeypatch.setattr(sender, "CONNECT_RETRY_SECONDS", 0.01)
    for _ in range(5):
        supporter_make()
    mailing = mailing_make()
    engine.mailing_run(mailing_id=mailing.pk)
    mailing.refresh_from_db()
    assert mailing.state == Mailing.State.PAUSED
    assert "could not be reached 5 times" in mailing.state_reason
    assert statuses(mailing) == {"queued": 5}


def test_pause_resume_and_cancel(smtp_server: SmtpServer) -> None:
    for _ in range(4):
        supporter_make()
    mailing = mailing_make()
    assert services.mailing_pause(mailing=mailing)
    assert not services.mailing_pause(mailing=mailing)
    report = engine.mailing_run(mailing_id=mailing.pk)
    assert report.sent == 0 and smtp_server.received == []
    assert services.mailing_resume(mailing=mailing)
    engine.mailing_run(mailing_id=mailing.pk)
    assert len(smtp_server.received) == 4

    other = mailing_make(name="second")
    assert services.mailing_cancel(mailing=other)
    assert not services.mailing_resume(mailing=other)
    engine.mailing_run(mailing_id=other.pk)
    assert len(smtp_server.received) == 4
    assert statuses(other) == {"cancelled": 4}


def test_a_mailing_started_twice_runs_once(smtp_server: SmtpServer) -> None:
    from django_tasks_db.models import DBTaskResult

    for _ in range(3):
        supporter_make()
    mailing = mailing_make(start=False)
    assert services.mailing_start(mailing=mailing)
    assert not services.mailing_start(mailing=mailing)
    engine.mailing_run(mailing_id=mailing.pk)
    engine.mailing_run(mailing_id=mailing.pk)
    assert len(smtp_server.recipients) == 3 == len(set(smtp_server.recipients))
    assert DBTaskResult.objects.count() <= 1


def test_a_dead_workers_lease_is_reclaimed(smtp_server: SmtpServer) -> None:
    from django_tasks_db.models import DBTaskResult

    for _ in range(6):
        supporter_make()
    mailing = mailing_make()
    # A worker claimed three rows, then was killed: its lease ran out a minute ago.
    held = list(mailing.deliveries.order_by("id").values_list("id", flat=True)[:3])
    Delivery.objects.filter(id__in=held).update(
        status=Delivery.Status.SENDING,
        claimed_by="dead",
        claimed_until=timezone.now() - timedelta(minutes=1),
    )
    engine.mailing_run(mailing_id=mailing.pk)
    assert len(smtp_server.received) == 3
    mailing.refresh_from_db()
    assert mailing.state == Mailing.State.SENDING

    Mailing.objects.filter(pk=mailing.pk).update(woken_at=None)
    tasks_before = DBTaskResult.objects.count()
    mailings_sweep()
    assert statuses(mailing) == {"sent": 3, "queued": 3}
    assert DBTaskResult.objects.count() == tasks_before + 1  # a worker was woken
    engine.mailing_run(mailing_id=mailing.pk)
    assert len(smtp_server.recipients) == 6 == len(set(smtp_server.recipients))
    mailing.refresh_from_db()
    assert mailing.state == Mailing.State.DONE


def test_a_live_lease_is_left_alone(smtp_server: SmtpServer) -> None:
    for _ in range(2):
        supporter_make()
    mailing = mailing_make()
    Delivery.objects.filter(mailing=mailing).update(
        status=Delivery.Status.SENDING,
        claimed_by="alive",
        claimed_until=timezone.now() + timedelta(minutes=1),
    )
    mailings_sweep()
    assert statuses(mailing) == {"sending": 2}


def test_a_supporter_who_left_before_their_turn_is_not_sent(smtp_server: SmtpServer) -> None:
    leaving = supporter_make()
    supporter_make()
    mailing = mailing_make()
    Supporter.objects.filter(pk=leaving.pk).update(status=Supporter.Status.UNSUBSCRIBED)
    engine.mailing_run(mailing_id=mailing.pk)
    assert mailing.deliveries.get(supporter=leaving).status == Delivery.Status.CANCELLED
    assert leaving.email not in smtp_server.recipients


def test_fan_out_queries_are_one_per_message_plus_a_few_per_batch(
    smtp_server: SmtpServer, settings: Any
) -> None:
    for i in range(60):
        supporter_make(language=("en", "fr", "es")[i % 3], name="" if i % 7 == 0 else f"P{i}")
    mailing = mailing_make()
    with CaptureQueriesContext(connection) as queries:
        engine.mailing_run(mailing_id=mailing.pk)
    assert len(smtp_server.received) == 60
    statements = [
        q["sql"]
        for q in queries.captured_queries
        if not q["sql"].startswith(("SAVEPOINT", "RELEASE"))
    ]
    sent_marks = [
        sql for sql in statements if sql.startswith('UPDATE "mailings_delivery" SET status')
    ]
    assert len(sent_marks) == 60
    # The mailing; per batch: state, queued, deferred, claim, fetch; then the empty claim
    # (state, queued, deferred) and the done check (exists, update). Pause checks run on a
    # clock (every half second), not per message, so they are left out of the count.
    others = [
        sql[:80]
        for sql in statements
        if sql not in sent_marks and not sql.startswith('SELECT "mailings_mailing"."state"')
    ]
    assert len(others) <= 11, others


def test_pipelined_commands(smtp_server: SmtpServer) -> None:
    backend = EmailBackend(host=smtp_server.host, port=smtp_server.port)
    backend.open()
    backend.pipelining = True  # aiosmtpd reads pipelined commands in order
    smtp_server.refuse["no@example.org"] = "550 5.1.1 no such user"
    data = b"Subject: x\r\n\r\n.hidden dot\r\nend\r\n"

    def to(recipient: str) -> PreparedMessage:
        return PreparedMessage(data, sender="a@example.org", recipient=recipient)

    # Each message's final dot carries the next message's MAIL, RCPT and DATA.
    assert backend.send_one(to("b@example.org"), then=to("c@example.org")).accepted
    assert backend.send_one(to("c@example.org"), then=to("no@example.org")).accepted
    refused = backend.send_one(to("no@example.org"))
    assert refused.code == 550 and not refused.temporary
    assert backend.send_one(to("d@example.org"), then=to("e@example.org")).accepted
    backend.abandon()  # "e" is never sent: the connection goes instead
    assert backend.send_one(to("f@example.org")).accepted
    backend.close()
    assert [r.rcpt_to for r in smtp_server.received] == [
        ["b@example.org"],
        ["c@example.org"],
        ["d@example.org"],
        ["f@example.org"],
    ]
    assert b"\r\n.hidden dot\r\n" in smtp_server.received[0].data


@pytest.mark.django_db(transaction=True)
def test_several_connections_per_worker(smtp_server: SmtpServer) -> None:
    for _ in range(45):
        supporter_make()
    mailing = mailing_make()
    report = engine.mailing_run(mailing_id=mailing.pk, connections=3)
    assert report.sent == 45
    assert len(smtp_server.recipients) == 45 == len(set(smtp_server.recipients))
    mailing.refresh_from_db()
    assert mailing.state == Mailing.State.DONE


def test_without_email_url_mail_goes_to_the_local_folder(settings: Any, tmp_path: Any) -> None:
    import mailbox

    settings.EMAIL_BACKEND = "urgent.core.maildir.MaildirBackend"
    settings.URGENT_MAILDIR = str(tmp_path / "mail")
    for _ in range(3):
        supporter_make()
    mailing = mailing_make()
    engine.mailing_run(mailing_id=mailing.pk)
    box = mailbox.Maildir(str(tmp_path / "mail"))
    messages = list(box)
    assert len(messages) == 3
    assert all(m["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click" for m in messages)
    assert statuses(mailing) == {"sent": 3}
