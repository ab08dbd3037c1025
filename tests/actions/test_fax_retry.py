"""Fax redial: attempts grow on every failure, follow the one retry schedule, then give up.

Through the fake JSON fax service on loopback: a service that refuses at submission (HTTP
503), one that answers "failed" at once, and one that takes the fax and later reports it
failed. Each round makes the retry due, as time passing would.
"""

from __future__ import annotations

import datetime
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone

from tests.actions.conftest import Smtp
from tests.actions.fakefax import FakeFax, fake_fax
from tests.actions.helpers import confirmed_letter
from urgent.actions.models import FaxTransmission, LetterDelivery
from urgent.actions.services import deliveries_reclaim, deliveries_send_due, fax_poll_open
from urgent.core.queue import RETRY_LIMIT, retry_after

pytestmark = pytest.mark.django_db


__all__ = ["fake_fax"]


def one_fax() -> LetterDelivery:
    confirmed_letter("a@example.org", channel="fax")
    # One fax is enough to count calls; the other target's fax is not sent.
    first, *others = LetterDelivery.objects.order_by("id")
    LetterDelivery.objects.filter(pk__in=[o.pk for o in others]).update(status="cancelled")
    return first


def make_due() -> None:
    LetterDelivery.objects.filter(status="deferred").update(
        next_attempt_at=timezone.now() - datetime.timedelta(seconds=1)
    )


def test_refused_submission_counts_every_attempt_then_gives_up(
    demo: None, smtp: Smtp, fake_fax: FakeFax
) -> None:
    fake_fax.fail_with = 503
    delivery = one_fax()
    for n in range(1, RETRY_LIMIT):
        before = timezone.now()
        assert deliveries_send_due().deferred == 1
        delivery.refresh_from_db()
        assert (delivery.status, delivery.attempts) == ("deferred", n)
        wait = retry_after(n)
        assert wait is not None and delivery.next_attempt_at is not None
        assert before + wait <= delivery.next_attempt_at <= timezone.now() + wait
        # Not due yet: nothing is dialled before the schedule says so.
        assert deliveries_send_due().handled == 0
        make_due()
    assert deliveries_send_due().failed == 1
    delivery.refresh_from_db()
    assert delivery.status == "failed" and delivery.attempts == RETRY_LIMIT
    assert delivery.error.startswith(f"gave up after {RETRY_LIMIT} attempts: fax service HTTP 503")
    assert fake_fax.posts == RETRY_LIMIT
    make_due()
    assert deliveries_send_due().handled == 0
    assert fake_fax.posts == RETRY_LIMIT


def test_fax_failed_at_once_by_the_gateway_is_counted(
    demo: None, smtp: Smtp, fake_fax: FakeFax
) -> None:
    fake_fax.submit_status = "failed"
    delivery = one_fax()
    for n in range(1, 4):
        assert deliveries_send_due().deferred == 1
        delivery.refresh_from_db()
        assert (delivery.status, delivery.attempts) == ("deferred", n)
        assert delivery.error.startswith("fax not transmitted")
        make_due()
    assert fake_fax.posts == 3
    assert FaxTransmission.objects.filter(delivery=delivery, status="failed").count() == 3


def test_fax_reported_failed_later_is_redialled_on_schedule_then_given_up(
    demo: None, smtp: Smtp, fake_fax: FakeFax
) -> None:
    fake_fax.final_status = "failed"
    delivery = one_fax()
    # The first rounds are the same as the last ones: start three before the limit.
    start = RETRY_LIMIT - 3
    LetterDelivery.objects.filter(pk=delivery.pk).update(attempts=start)
    for n in range(start + 1, RETRY_LIMIT + 1):
        assert deliveries_send_due().submitted == 1
        FaxTransmission.objects.update(updated_at=timezone.now() - datetime.timedelta(hours=1))
        assert fax_poll_open() == 1
        delivery.refresh_from_db()
        assert delivery.attempts == n
        make_due()
    assert delivery.status == "failed"
    assert f"gave up after {RETRY_LIMIT} attempts" in delivery.error
    assert deliveries_send_due().handled == 0
    assert fake_fax.posts == 3


def test_staff_see_that_the_fax_was_given_up(
    demo: None, smtp: Smtp, fake_fax: FakeFax, staff_client: Any
) -> None:
    fake_fax.fail_with = 503
    delivery = one_fax()
    LetterDelivery.objects.filter(pk=delivery.pk).update(attempts=RETRY_LIMIT - 1)
    assert deliveries_send_due().failed == 1
    client: Client = staff_client("coordinator")
    page = client.get(f"/staff/actions/contact-points/{delivery.contact_point_id}/")
    text = page.content.decode()
    assert page.status_code == 200
    assert "Failed" in text and f"gave up after {RETRY_LIMIT} attempts" in text


def test_fax_the_gateway_never_reports_on_is_counted_not_redialled_forever(
    demo: None, smtp: Smtp, fake_fax: FakeFax
) -> None:
    delivery = one_fax()
    start = RETRY_LIMIT - 4
    LetterDelivery.objects.filter(pk=delivery.pk).update(attempts=start)
    for n in range(start + 1, RETRY_LIMIT + 1):
        assert deliveries_send_due().submitted == 1
        # The gateway keeps saying "queued"; a day later the lease has run out.
        assert fax_poll_open(older_than=datetime.timedelta(0)) == 0
        LetterDelivery.objects.filter(pk=delivery.pk).update(
            claimed_until=timezone.now() - datetime.timedelta(seconds=1)
        )
        deliveries_reclaim()
        delivery.refresh_from_db()
        assert delivery.attempts == n, delivery.error
        make_due()
    assert delivery.status == "failed"
    assert delivery.error.startswith(f"gave up after {RETRY_LIMIT} attempts: fax not transmitted")
    assert deliveries_send_due().handled == 0
    assert fake_fax.posts == 4
    assert FaxTransmission.objects.filter(delivery=delivery, status="submitted").count() == 0
