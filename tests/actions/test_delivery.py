"""The letter queue against a real SMTP server: pacing, retries, bounces, leases, holds."""

from __future__ import annotations

import datetime
from typing import Any

from django.utils import timezone

from tests.actions.conftest import Smtp
from tests.actions.helpers import case, confirmed_letter
from urgent.actions.models import DigestTarget, LetterDelivery
from urgent.actions.services import (
    deliveries_claim,
    deliveries_hold_and_release,
    deliveries_reclaim,
    deliveries_send_due,
    digests_send_due,
)
from urgent.cases.models import Case, CaseTarget
from urgent.core.queue import RETRY_LIMIT
from urgent.officials.models import ContactPoint

S = LetterDelivery.Status


def test_pacing_keeps_each_official_within_the_hourly_budget(
    demo: None, smtp: Smtp, settings: Any
) -> None:
    settings.URGENT_OFFICIAL_MAX_PER_HOUR = 2
    for i in range(5):
        confirmed_letter(f"writer{i}@example.org")
    report = deliveries_send_due()
    # Two officials on the case (primary and copy), two letters each this hour.
    assert report.sent == 4
    assert len(smtp.handler.to("mission.tm@example.org")) == 2
    assert len(smtp.handler.to("embassy.tm@example.org")) == 2
    waiting = LetterDelivery.objects.filter(status=S.QUEUED)
    assert waiting.count() == 6
    assert all(d.next_attempt_at and d.next_attempt_at > timezone.now() for d in waiting)
    assert all(d.error.startswith("paced:") for d in waiting)
    # Nothing more goes out now, however often the worker runs.
    assert deliveries_send_due().sent == 0
    # An hour later the budget frees up again.
    LetterDelivery.objects.filter(status=S.SENT).update(
        sent_at=timezone.now() - datetime.timedelta(hours=2)
    )
    LetterDelivery.objects.filter(status=S.QUEUED).update(next_attempt_at=None)
    assert deliveries_send_due().sent == 4
    assert len(smtp.received) == 8


def test_budget_is_per_official_across_cases(demo: None, smtp: Smtp, settings: Any) -> None:
    # The Minister of Internal Affairs (mvd@example.org) is copied on two cases; the other
    # two officials are on one case each. Reopen UA 64/26 (its demo deadline has passed).
    Case.objects.filter(slug="ua-64-26").update(deadline=None)
    settings.URGENT_OFFICIAL_MAX_PER_HOUR = 1
    confirmed_letter("a@example.org", slug="ua-87-26")
    confirmed_letter("b@example.org", slug="ua-64-26")
    assert LetterDelivery.objects.filter(official__name="Ales Kavalenka").count() == 2
    assert deliveries_send_due().sent == 3  # one letter each; the shared official waits
    assert len(smtp.handler.to("mvd@example.org")) == 1
    assert len(smtp.handler.to("info@prosecutor.example.org")) == 1
    assert len(smtp.handler.to("secretary@doj.example.org")) == 1
    waiting = LetterDelivery.objects.select_related("contact_point").get(status=S.QUEUED)
    assert waiting.contact_point.value == "mvd@example.org"
    assert waiting.error == (
        "paced: this official has had 1 letters in the last hour and 1 in the last day"
    )
    assert deliveries_send_due().sent == 0  # the other case does not reset the budget
    # An hour on, the second case's letter goes to the shared official.
    LetterDelivery.objects.filter(status=S.SENT).update(
        sent_at=timezone.now() - datetime.timedelta(hours=2)
    )
    LetterDelivery.objects.filter(status=S.QUEUED).update(next_attempt_at=None)
    assert deliveries_send_due().sent == 1
    assert len(smtp.handler.to("mvd@example.org")) == 2


def test_daily_budget_is_per_official_across_cases(demo: None, smtp: Smtp, settings: Any) -> None:
    Case.objects.filter(slug="ua-64-26").update(deadline=None)
    settings.URGENT_OFFICIAL_MAX_PER_HOUR = 10
    settings.URGENT_OFFICIAL_MAX_PER_DAY = 2
    for i in range(2):
        confirmed_letter(f"day{i}@example.org", slug="ua-87-26")
    confirmed_letter("late@example.org", slug="ua-64-26")
    assert deliveries_send_due().sent == 5
    assert len(smtp.handler.to("mvd@example.org")) == 2
    waiting = LetterDelivery.objects.get(status=S.QUEUED)
    assert waiting.case.slug == "ua-64-26"
    assert waiting.next_attempt_at is not None
    # A spent daily budget waits an hour, not the five minutes of an hourly one.
    wait = waiting.next_attempt_at - timezone.now()
    assert datetime.timedelta(minutes=55) < wait <= datetime.timedelta(hours=1)


def test_smtp_server_down_loses_nothing_and_retries(
    demo: None, smtp_down: int, settings: Any
) -> None:
    action = confirmed_letter("a@example.org")
    report = deliveries_send_due()
    assert report.deferred == 2 and report.sent == 0
    rows = list(action.deliveries.all())
    assert {d.status for d in rows} == {S.DEFERRED}
    assert all("mail server unavailable" in d.error for d in rows)
    assert all(d.attempts == 1 and d.next_attempt_at for d in rows)
    # Not due yet: the backoff is respected.
    assert deliveries_send_due().deferred == 0

    # The server comes back; when the retry time comes, the letters go, once each.
    from tests.actions.conftest import SmtpHandler
    from tests.conftest import smtp_serving

    handler = SmtpHandler()
    with smtp_serving(handler, settings, port=smtp_down):
        LetterDelivery.objects.update(next_attempt_at=timezone.now())
        assert deliveries_send_due().sent == 2
    assert len(handler.received) == 2
    assert {d.status for d in action.deliveries.all()} == {S.SENT}
    assert {d.attempts for d in action.deliveries.all()} == {2}


def test_temporary_refusal_is_retried_and_permanent_one_bounces(demo: None, smtp: Smtp) -> None:
    smtp.handler.refuse["mission.tm@example.org"] = "450 4.2.1 Mailbox busy, try later"
    smtp.handler.refuse["embassy.tm@example.org"] = "550 5.1.1 No such user"
    confirmed_letter("a@example.org")
    report = deliveries_send_due()
    assert report.deferred == 1 and report.bounced == 1
    to = LetterDelivery.objects.get(contact_point__value="mission.tm@example.org")
    cc = LetterDelivery.objects.get(contact_point__value="embassy.tm@example.org")
    assert to.status == S.DEFERRED and "450" in to.error
    assert cc.status == S.BOUNCED and "550" in cc.error
    point = ContactPoint.objects.get(value="embassy.tm@example.org")
    assert point.health == ContactPoint.Health.BOUNCING and point.bounce_count == 1


def test_retries_give_up_after_the_last_backoff(demo: None, smtp_down: int) -> None:
    confirmed_letter("a@example.org")
    for _ in range(RETRY_LIMIT - 1):
        LetterDelivery.objects.filter(status=S.DEFERRED).update(next_attempt_at=timezone.now())
        deliveries_send_due()
    assert set(LetterDelivery.objects.values_list("status", flat=True)) == {S.DEFERRED}
    LetterDelivery.objects.update(next_attempt_at=timezone.now())
    deliveries_send_due()
    assert set(LetterDelivery.objects.values_list("status", flat=True)) == {S.FAILED}
    errors = LetterDelivery.objects.values_list("error", flat=True)
    assert all(e.startswith(f"gave up after {RETRY_LIMIT} attempts") for e in errors)


def test_a_dead_workers_lease_runs_out_and_the_letter_is_sent_once(demo: None, smtp: Smtp) -> None:
    confirmed_letter("a@example.org")
    claimed = deliveries_claim(limit=10)
    assert len(claimed) == 2
    assert deliveries_claim(limit=10) == []  # claimed rows are not claimed twice
    assert deliveries_reclaim() == 0  # lease still running
    # The worker died: its lease ran out a minute ago.
    LetterDelivery.objects.update(claimed_until=timezone.now() - datetime.timedelta(minutes=1))
    assert deliveries_reclaim() == 2
    assert deliveries_send_due().sent == 2
    assert len(smtp.received) == 2


def test_stopped_closed_and_past_deadline_cases_hold_their_letters(demo: None, smtp: Smtp) -> None:
    confirmed_letter("a@example.org")
    case_ = case()
    for change in ("stopped", "closed", "deadline"):
        if change == "stopped":
            case_.actions_stopped = True
        elif change == "closed":
            case_.status = "closed"
        else:
            case_.deadline = timezone.localdate() - datetime.timedelta(days=1)
        case_.save()
        assert deliveries_send_due().sent == 0
        assert deliveries_hold_and_release() == (2, 0), change
        assert set(LetterDelivery.objects.values_list("status", flat=True)) == {S.HELD}
        assert deliveries_send_due().sent == 0  # held letters are not claimed either
        case_.actions_stopped, case_.status, case_.deadline = False, "active", None
        case_.save()
        assert deliveries_hold_and_release() == (0, 2), change
        assert set(LetterDelivery.objects.values_list("status", flat=True)) == {S.QUEUED}
        assert set(LetterDelivery.objects.values_list("error", flat=True)) == {""}
    assert smtp.received == []
    assert deliveries_send_due().sent == 2


def test_daily_digest_bundles_the_days_letters(demo: None, smtp: Smtp) -> None:
    target = CaseTarget.objects.get(case__slug="ua-101-26", role="copy")
    DigestTarget.objects.create(target=target)
    for i in range(3):
        confirmed_letter(f"w{i}@example.org")
    assert deliveries_send_due().sent == 3  # the primary gets each letter
    assert smtp.handler.to("embassy.tm@example.org") == []
    assert digests_send_due() == 0  # today's letters wait for tomorrow's digest
    LetterDelivery.objects.filter(digest=True).update(
        created_at=timezone.now() - datetime.timedelta(days=1)
    )
    assert digests_send_due() == 1
    digest = smtp.handler.to("embassy.tm@example.org")
    assert len(digest) == 1
    body = digest[0].message.get_body().get_content()  # type: ignore[union-attr]
    assert "3 people wrote to you about UA 101/26" in body
    assert body.count("Dear President,") == 3
    assert digest[0].message["Subject"] == "UA 101/26: 3 letters"
    rows = LetterDelivery.objects.filter(digest=True)
    assert {r.status for r in rows} == {S.SENT}
    assert len({r.digest_message_id for r in rows}) == 1
    assert digests_send_due() == 0


def test_claim_query_count_does_not_grow_with_the_batch(
    demo: None, smtp: Smtp, django_assert_max_num_queries: Any
) -> None:
    for i in range(10):
        confirmed_letter(f"q{i}@example.org")
    with django_assert_max_num_queries(8):
        assert len(deliveries_claim(limit=50)) == 20
