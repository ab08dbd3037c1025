"""Fax retries follow the one retry schedule and limit, then give up with a clear status."""

from __future__ import annotations

import pytest
from django.utils import timezone

from tests.actions.conftest import Smtp
from tests.actions.helpers import confirmed_letter
from tests.actions.test_fax import FakeFaxService, fax_service
from urgent.actions.models import FaxTransmission, LetterDelivery
from urgent.actions.services import deliveries_send_due, fax_poll_open
from urgent.core.queue import RETRY_LIMIT

__all__ = ["fax_service"]  # a fixture, found by name

pytestmark = pytest.mark.django_db

S = LetterDelivery.Status


def _due_now() -> None:
    LetterDelivery.objects.filter(status__in=[S.DEFERRED, S.QUEUED]).update(
        next_attempt_at=timezone.now()
    )


def test_a_fax_service_that_stays_down_is_tried_to_the_limit_then_given_up(
    demo: None, smtp: Smtp, fax_service: FakeFaxService
) -> None:
    fax_service.fail_with = 503
    confirmed_letter("a@example.org", channel="fax")
    for round_ in range(1, RETRY_LIMIT + 3):
        _due_now()
        deliveries_send_due()
        attempts = set(LetterDelivery.objects.values_list("attempts", flat=True))
        assert attempts == {min(round_, RETRY_LIMIT)}, round_
    rows = list(LetterDelivery.objects.all())
    assert {r.status for r in rows} == {S.FAILED}
    assert all(r.error.startswith(f"gave up after {RETRY_LIMIT} attempts:") for r in rows)
    assert len(fax_service.requests) == 2 * RETRY_LIMIT  # two faxes, no redial past the limit


def test_a_fax_the_gateway_reports_failed_is_dialled_to_the_limit_then_given_up(
    demo: None, smtp: Smtp, fax_service: FakeFaxService
) -> None:
    fax_service.final_status = "failed"
    confirmed_letter("a@example.org", channel="fax")
    for _round in range(RETRY_LIMIT + 3):
        _due_now()
        deliveries_send_due()
        FaxTransmission.objects.update(updated_at="2000-01-01T00:00:00Z")
        fax_poll_open()
    rows = list(LetterDelivery.objects.all())
    assert {r.attempts for r in rows} == {RETRY_LIMIT}
    assert {r.status for r in rows} == {S.FAILED}
    assert all(r.error.startswith(f"gave up after {RETRY_LIMIT} attempts:") for r in rows)
    submitted = [r for r in fax_service.requests if r[0] == "POST"]
    assert len(submitted) == 2 * RETRY_LIMIT
