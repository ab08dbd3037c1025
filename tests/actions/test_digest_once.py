"""An official's daily digest goes at most once a day; a failed one is retried.

Against a real SMTP server on loopback (and a port where none listens, for the failure).
"""

from __future__ import annotations

import datetime
from typing import Any

import pytest
from django.utils import timezone

from tests.actions.conftest import Smtp, SmtpHandler
from tests.actions.helpers import case as demo_case
from tests.actions.helpers import confirmed_letter
from tests.conftest import smtp_serving
from urgent.actions.models import DigestTarget, LetterDelivery
from urgent.actions.services import digests_send_due
from urgent.actions.services.delivery import _digest_day_take
from urgent.cases.models import CaseTarget
from urgent.core.vault import email_hash

pytestmark = pytest.mark.django_db

YESTERDAY = datetime.timedelta(days=1)


def digest_target() -> DigestTarget:
    target = CaseTarget.objects.filter(case=demo_case()).order_by("id").first()
    assert target is not None
    return DigestTarget.objects.create(target=target)


def letter_from_yesterday(email: str) -> LetterDelivery:
    confirmed_letter(email)
    row = LetterDelivery.objects.filter(digest=True, supporter__email_hash=email_hash(email)).get()
    LetterDelivery.objects.filter(pk=row.pk).update(created_at=timezone.now() - YESTERDAY)
    return row


def digests_to(smtp: Smtp, target: DigestTarget) -> list[Any]:
    address = target.target.official.contact_points.get(kind="email").value
    return [r for r in smtp.handler.to(address) if "letters" in str(r.message["Subject"])]


def test_a_second_run_the_same_day_sends_no_second_digest(demo: None, smtp: Smtp) -> None:
    target = digest_target()
    letter_from_yesterday("a@example.org")
    assert digests_send_due() == 1
    assert len(digests_to(smtp, target)) == 1
    target.refresh_from_db()
    assert target.last_sent_on == timezone.localdate()
    # A letter of yesterday that was paced or deferred becomes due the same day: it waits.
    late = letter_from_yesterday("b@example.org")
    assert digests_send_due() == 0
    assert len(digests_to(smtp, target)) == 1
    late.refresh_from_db()
    assert late.status == "queued"
    # Tomorrow it goes, in tomorrow's digest.
    assert digests_send_due(now=timezone.now() + YESTERDAY) == 1
    assert len(digests_to(smtp, target)) == 2
    late.refresh_from_db()
    assert late.status == "sent"
    ids = {str(r.message["Message-ID"]) for r in digests_to(smtp, target)}
    assert len(ids) == 2


def test_a_failed_digest_is_retried_the_same_day(demo: None, smtp_down: int, settings: Any) -> None:
    target = digest_target()
    row = letter_from_yesterday("a@example.org")
    assert digests_send_due() == 0
    row.refresh_from_db()
    target.refresh_from_db()
    assert row.status == "deferred" and row.attempts == 1
    assert row.error.startswith("digest not sent:")
    assert target.last_sent_on is None
    # Not due yet: nothing is tried before the retry schedule says so.
    assert digests_send_due() == 0
    row.refresh_from_db()
    assert row.attempts == 1

    handler = SmtpHandler()
    with smtp_serving(handler, settings, port=smtp_down):
        LetterDelivery.objects.filter(pk=row.pk).update(
            next_attempt_at=timezone.now() - datetime.timedelta(seconds=1)
        )
        assert digests_send_due() == 1
        assert digests_send_due() == 0
    row.refresh_from_db()
    target.refresh_from_db()
    assert row.status == "sent" and row.digest_message_id
    assert target.last_sent_on == timezone.localdate()
    assert len(handler.received) == 1


def test_two_workers_at_once_send_one_digest(demo: None, smtp: Smtp) -> None:
    """The day is taken with one conditional UPDATE: the second taker finds it gone."""
    target = digest_target()
    letter_from_yesterday("a@example.org")
    stale = DigestTarget.objects.get(pk=target.pk)  # read by a second worker before the first
    assert digests_send_due() == 1
    assert _digest_day_take(stale, timezone.localdate()) is False
    assert len(digests_to(smtp, target)) == 1
