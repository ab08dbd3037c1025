"""Delivering activities: signed POSTs to a real inbox, retries on a schedule, then failure."""

from __future__ import annotations

import datetime
from typing import Any

import pytest
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from tests.conftest import free_port
from tests.federation.fake import FakeInstance
from urgent.federation import activities, delivery, keys
from urgent.federation.models import Activity, Delivery, Instance
from urgent.federation.services.outbox import activity_send
from urgent.federation.signing import signature_claim
from urgent.federation.sweeps import deliveries_sweep
from urgent.federation.tasks import deliveries_drain

pytestmark = pytest.mark.django_db


def _queued(fake: FakeInstance, *, key_id: str = "", inbox: str = "") -> Delivery:
    instance = Instance.objects.create(
        actor_url=fake.actor_url, inbox_url=inbox or fake.inbox_url, name=fake.name
    )
    payload = activities.follow_build(actor_url=fake.actor_url)
    activity = Activity.objects.create(
        activity_id=payload["id"], direction="out", kind="Follow", payload=payload
    )
    return Delivery.objects.create(
        activity=activity,
        instance=instance,
        inbox_url=instance.inbox_url,
        key_id=key_id,
        next_attempt_at=timezone.now(),
    )


def test_a_delivery_is_a_signed_post_the_inbox_can_verify(fake: FakeInstance) -> None:
    row = _queued(fake)
    assert delivery.deliveries_run() == 1
    [posted] = fake.received
    assert posted.verified and posted.path == "/federation/inbox"
    assert posted.headers["Content-Type"] == "application/activity+json"
    assert posted.json == row.activity.payload
    row.refresh_from_db()
    assert (row.status, row.attempts, row.last_status) == ("delivered", 1, 202)
    assert row.delivered_at is not None
    assert delivery.deliveries_run() == 0


def test_a_server_error_is_retried_on_the_schedule(fake: FakeInstance) -> None:
    fake.inbox_status = 503
    row = _queued(fake)
    delivery.deliveries_run()
    row.refresh_from_db()
    assert (row.status, row.attempts, row.last_status) == ("pending", 1, 503)
    wait = row.next_attempt_at - timezone.now()
    assert datetime.timedelta(seconds=25) < wait <= delivery.RETRY_DELAYS[0]
    assert delivery.deliveries_run() == 0  # not due yet


def test_after_the_last_retry_the_delivery_fails(fake: FakeInstance) -> None:
    fake.inbox_status = 500
    row = _queued(fake)
    for _ in range(len(delivery.RETRY_DELAYS) + 1):
        Delivery.objects.filter(pk=row.pk).update(next_attempt_at=timezone.now())
        delivery.deliveries_run()
    row.refresh_from_db()
    assert row.status == "failed" and row.attempts == len(delivery.RETRY_DELAYS) + 1


def test_an_inbox_that_already_has_it_counts_as_delivered(fake: FakeInstance) -> None:
    fake.inbox_status = 409
    row = _queued(fake)
    delivery.deliveries_run()
    row.refresh_from_db()
    assert row.status == "delivered"


def test_a_refusal_that_cannot_change_fails_at_once(fake: FakeInstance) -> None:
    fake.inbox_status = 422
    row = _queued(fake)
    delivery.deliveries_run()
    row.refresh_from_db()
    assert (row.status, row.attempts) == ("failed", 1)


def test_an_unreachable_inbox_is_retried(allow_private: None, fake: FakeInstance) -> None:
    row = _queued(fake, inbox=f"http://127.0.0.1:{free_port()}/federation/inbox")
    delivery.deliveries_run()
    row.refresh_from_db()
    assert row.status == "pending" and "could not be reached" in row.last_error


def test_a_rotation_is_signed_with_the_old_key(fake: FakeInstance) -> None:
    old, _ = keys.key_rotate()
    row = _queued(fake, key_id=old.key_id)
    delivery.deliveries_run()
    [posted] = fake.received
    assert posted.verified
    assert signature_claim(posted.headers).key_id == old.key_id
    row.refresh_from_db()
    assert row.status == "delivered"


def test_a_key_no_longer_kept_fails_the_delivery(fake: FakeInstance) -> None:
    row = _queued(fake, key_id="http://127.0.0.1:8000/federation/actor#key-gone")
    delivery.deliveries_run()
    row.refresh_from_db()
    assert row.status == "failed" and "no longer kept" in row.last_error
    assert fake.received == []


def test_the_sweep_reclaims_a_dead_worker_s_rows_and_wakes_a_worker(
    fake: FakeInstance, django_capture_on_commit_callbacks: Any
) -> None:
    row = _queued(fake)
    past = timezone.now() - datetime.timedelta(minutes=5)
    Delivery.objects.filter(pk=row.pk).update(status="sending", claimed_until=past)
    before = DBTaskResult.objects.count()
    deliveries_sweep()
    row.refresh_from_db()
    assert row.status == "pending"
    assert DBTaskResult.objects.count() == before + 1
    # A worker holding rows is not woken again.
    Delivery.objects.filter(pk=row.pk).update(
        status="sending", claimed_until=timezone.now() + datetime.timedelta(minutes=1)
    )
    deliveries_sweep()
    assert DBTaskResult.objects.count() == before + 1


def test_writing_an_activity_wakes_a_worker_that_sends_it(
    fake: FakeInstance, django_capture_on_commit_callbacks: Any
) -> None:
    before = DBTaskResult.objects.count()
    with django_capture_on_commit_callbacks(execute=True):
        row = _queued(fake)
        activity_send(activities.undo_build(follow=row.activity.payload), instances=[row.instance])
    assert DBTaskResult.objects.count() == before + 1
    assert deliveries_drain.call() == 2
    assert {p.json["type"] for p in fake.received} == {"Follow", "Undo"}
