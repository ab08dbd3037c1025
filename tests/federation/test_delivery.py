"""Delivering activities: signed POSTs to a real inbox, retries on a schedule, then failure."""

from __future__ import annotations

import datetime
from collections.abc import Callable
from typing import Any

import pytest
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from tests.conftest import free_port
from tests.federation.fake import FakeInstance
from urgent.core.models import AuditEntry
from urgent.core.queue import RETRY_LIMIT, retry_after
from urgent.federation import activities, delivery, keys
from urgent.federation.models import Activity, Delivery, Instance
from urgent.federation.selectors import instances_followers
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
        activity=activity, instance=instance, inbox_url=instance.inbox_url, key_id=key_id
    )


def test_a_delivery_is_a_signed_post_the_inbox_can_verify(fake: FakeInstance) -> None:
    row = _queued(fake)
    assert delivery.deliveries_run() == 1
    [posted] = fake.received
    assert posted.verified and posted.path == "/federation/inbox"
    assert posted.headers["Content-Type"] == "application/activity+json"
    assert posted.json == row.activity.payload
    row.refresh_from_db()
    assert (row.status, row.attempts, row.last_status) == ("sent", 1, 202)
    assert row.sent_at is not None
    assert delivery.deliveries_run() == 0


def test_a_server_error_is_retried_on_the_schedule(fake: FakeInstance) -> None:
    fake.inbox_status = 503
    row = _queued(fake)
    delivery.deliveries_run()
    row.refresh_from_db()
    assert (row.status, row.attempts, row.last_status) == ("deferred", 1, 503)
    assert row.next_attempt_at is not None
    wait = row.next_attempt_at - timezone.now()
    # The one retry schedule of the queue engine: one minute after the first failure.
    assert datetime.timedelta(seconds=55) < wait <= datetime.timedelta(minutes=1) == retry_after(1)
    assert delivery.deliveries_run() == 0  # not due yet


def test_after_the_last_retry_the_delivery_fails_and_the_follower_expires(
    fake: FakeInstance, staff_client: Callable[..., Any]
) -> None:
    fake.inbox_status = 500
    row = _queued(fake)
    Instance.objects.filter(pk=row.instance_id).update(follower_state="accepted")
    for n in range(RETRY_LIMIT):
        Delivery.objects.filter(pk=row.pk).update(next_attempt_at=timezone.now())
        delivery.deliveries_run()
        row.refresh_from_db()
        if n < RETRY_LIMIT - 1:
            assert row.status == "deferred"
            assert Instance.objects.get(pk=row.instance_id).follower_state == "accepted"
    assert row.status == "failed" and row.attempts == RETRY_LIMIT
    assert "gave up after 16 attempts" in row.error
    # The follower expired: staff are told, and nothing more is queued for it.
    instance = Instance.objects.get(pk=row.instance_id)
    assert instance.follower_state == "expired"
    assert AuditEntry.objects.filter(action="federation.follower_expired").count() == 1
    assert list(instances_followers()) == []
    page = staff_client("viewer").get("/staff/federation/").content.decode()
    assert f'id="expired-{instance.pk}"' in page and "stopped answering" in page


def test_an_inbox_that_already_has_it_counts_as_delivered(fake: FakeInstance) -> None:
    fake.inbox_status = 409
    row = _queued(fake)
    delivery.deliveries_run()
    row.refresh_from_db()
    assert row.status == "sent"


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
    assert row.status == "deferred" and "could not be reached" in row.error


def test_a_rotation_is_signed_with_the_old_key(fake: FakeInstance) -> None:
    old, _ = keys.key_rotate()
    row = _queued(fake, key_id=old.key_id)
    delivery.deliveries_run()
    [posted] = fake.received
    assert posted.verified
    assert signature_claim(posted.headers).key_id == old.key_id
    row.refresh_from_db()
    assert row.status == "sent"


def test_a_key_no_longer_kept_fails_the_delivery(fake: FakeInstance) -> None:
    row = _queued(fake, key_id="http://127.0.0.1:8000/federation/actor#key-gone")
    delivery.deliveries_run()
    row.refresh_from_db()
    assert row.status == "failed" and "no longer kept" in row.error
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
    assert row.status == "queued"
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
