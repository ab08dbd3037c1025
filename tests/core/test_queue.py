"""The queue engine on real rows: claim, lease and reclaim, retries, holds, progress.

The rows are mailings' Delivery rows (any model built on QueueItem would do); the last
test claims from several real worker processes at once on PostgreSQL.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap
import uuid
from datetime import timedelta
from typing import Any

import pytest
from django.db import connection
from django.db.models import Q
from django.utils import timezone

from tests.conftest import REPO
from tests.mailings.conftest import mailing_make, supporter_make
from urgent.core.queue import (
    RETRY_LIMIT,
    Outcome,
    Queue,
    QueueItem,
    Recorder,
    RowHold,
    Status,
    progress_from_counts,
    queue_claim,
    queue_counts,
    queue_due_exist,
    queue_hold_lift,
    queue_hold_set,
    queue_lease_renew,
    queue_reclaim,
    queue_release,
    queue_work,
    retry_after,
    retry_total,
    token_new,
)
from urgent.mailings.models import Delivery

QUEUE = Queue(model=Delivery, lease=timedelta(seconds=60))


def rows(count: int, **mailing: Any) -> list[int]:
    for _ in range(count):
        supporter_make()
    made = mailing_make(start=False, **mailing)
    return list(Delivery.objects.filter(mailing=made).order_by("id").values_list("id", flat=True))


@pytest.mark.django_db
def test_a_claim_takes_due_rows_in_order_with_a_lease_and_never_twice() -> None:
    ids = rows(5)
    first = queue_claim(QUEUE, token="a", limit=3)
    second = queue_claim(QUEUE, token="b", limit=3)
    assert first.ids == ids[:3] and second.ids == ids[3:] and not first.stop
    assert queue_claim(QUEUE, token="c", limit=3).ids == []
    row = Delivery.objects.get(pk=ids[0])
    assert row.status == Status.SENDING and row.claimed_by == "a"
    assert row.claimed_until is not None
    assert timedelta(seconds=55) < row.claimed_until - timezone.now() <= timedelta(seconds=60)


@pytest.mark.django_db
def test_an_expired_lease_is_reclaimed_and_the_rows_claimed_again() -> None:
    ids = rows(3)
    queue_claim(QUEUE, token="dead", limit=3)
    assert queue_reclaim(QUEUE) == 0  # the lease still runs
    Delivery.objects.update(claimed_until=timezone.now() - timedelta(seconds=1))
    assert queue_reclaim(QUEUE) == 3
    assert set(Delivery.objects.values_list("status", "claimed_by")) == {(Status.QUEUED, "")}
    assert queue_claim(QUEUE, token="alive", limit=10).ids == ids


@pytest.mark.django_db
def test_a_worker_renews_its_lease_and_hands_back_what_it_did_not_send() -> None:
    ids = rows(3)
    queue_claim(QUEUE, token="a", limit=3)
    Delivery.objects.update(claimed_until=timezone.now() + timedelta(seconds=1))
    assert queue_lease_renew(QUEUE, token="other", ids=ids) == 0  # not its rows
    assert queue_lease_renew(QUEUE, token="a", ids=ids) == 3
    assert queue_reclaim(QUEUE, now=timezone.now() + timedelta(seconds=30)) == 0
    assert queue_release(QUEUE, token="a", ids=ids[1:]) == 2
    statuses = dict(Delivery.objects.values_list("id", "status"))
    assert statuses == {ids[0]: Status.SENDING, ids[1]: Status.QUEUED, ids[2]: Status.QUEUED}


def test_the_retry_schedule_grows_to_a_cap_then_gives_up() -> None:
    waits = [retry_after(n) for n in range(1, RETRY_LIMIT + 1)]
    assert waits[:5] == [
        timedelta(minutes=1),
        timedelta(minutes=4),
        timedelta(minutes=16),
        timedelta(minutes=64),
        timedelta(hours=4),
    ]
    assert all(w == timedelta(hours=4) for w in waits[4:-1])
    assert waits[-1] is None
    assert timedelta(hours=44) < retry_total() < timedelta(hours=48)
    # Exactly: 1 + 4 + 16 + 64 minutes, then eleven waits of 4 hours before the 16th try.
    assert retry_total() == timedelta(hours=45, minutes=25)


@pytest.mark.django_db
def test_a_temporary_failure_waits_its_turn_and_the_last_one_gives_up() -> None:
    first, last = rows(2)
    queue_claim(QUEUE, token="a", limit=2)
    recorder = Recorder(Delivery)
    assert recorder.temporary(first, attempts=0, error="451 try later") == Status.DEFERRED
    assert recorder.temporary(last, attempts=RETRY_LIMIT - 1, error="451 again") == Status.FAILED
    deferred = Delivery.objects.get(pk=first)
    assert deferred.attempts == 1 and deferred.error == "451 try later"
    assert deferred.next_attempt_at is not None
    wait = deferred.next_attempt_at - timezone.now()
    assert timedelta(seconds=50) < wait <= timedelta(minutes=1)
    failed = Delivery.objects.get(pk=last)
    assert failed.error == f"gave up after {RETRY_LIMIT} attempts: 451 again"
    assert queue_claim(QUEUE, token="b", limit=2).ids == []  # not due yet
    later = timezone.now() + timedelta(minutes=2)
    assert queue_due_exist(QUEUE, now=later)
    assert queue_claim(QUEUE, token="b", limit=2, now=later).ids == [first]
    assert (recorder.report.deferred, recorder.report.failed) == (1, 1)


@pytest.mark.django_db
def test_a_hold_key_stops_the_next_claim_until_it_is_lifted() -> None:
    ids = rows(4, hold_key="case:feedface")
    assert queue_hold_set(key="case:feedface", reason="stopped by staff")
    assert not queue_hold_set(key="case:feedface")  # once
    claimed = queue_claim(QUEUE, token="a", limit=2, hold_keys=["case:feedface"])
    assert claimed.ids == [] and claimed.stop == "stopped by staff"
    assert queue_hold_lift(key="case:feedface")
    assert queue_claim(QUEUE, token="a", limit=2, hold_keys=["case:feedface"]).ids == ids[:2]


@pytest.mark.django_db
def test_held_rows_are_skipped_and_the_rest_are_claimed() -> None:
    held = rows(2)
    free = rows(2, key="other")
    by_mailing = Queue(
        model=Delivery, lease=timedelta(seconds=60), row_hold=RowHold("mailing:", "mailing__uuid")
    )
    mailing = Delivery.objects.get(pk=held[0]).mailing
    queue_hold_set(key=by_mailing.row_hold.key(mailing.uuid))  # type: ignore[union-attr]
    assert queue_claim(by_mailing, token="a", limit=10).ids == free
    assert not queue_due_exist(by_mailing)
    queue_hold_lift(key=f"mailing:{mailing.uuid.hex}")
    assert queue_claim(by_mailing, token="a", limit=10).ids == held


@pytest.mark.django_db
def test_a_claim_can_keep_only_what_a_budget_allows() -> None:
    ids = rows(6)
    seen: list[list[int]] = []

    def every_other(candidates: list[tuple[Any, ...]], now: Any, limit: int) -> list[int]:
        seen.append([pk for pk, _status in candidates])
        return [pk for pk, _status in candidates[::2]][:limit]

    claimed = queue_claim(
        QUEUE, token="a", limit=2, choose=every_other, columns=("status",), over=3
    )
    assert seen == [ids] and claimed.ids == [ids[0], ids[2]]


@pytest.mark.django_db
def test_work_sends_each_row_and_records_what_happened() -> None:
    ids = rows(6)
    outcomes = {
        ids[0]: Outcome.sent(),
        ids[1]: Outcome.temporary("451 busy"),
        ids[2]: Outcome.failed("550 no"),
        ids[3]: Outcome.bounced("550 gone"),
        ids[4]: Outcome.submitted(timedelta(hours=2)),
    }

    def send(row: QueueItem) -> Outcome:
        if row.pk not in outcomes:
            raise RuntimeError("a bug in the sender")
        return outcomes[row.pk]

    def load(claimed: list[int]) -> list[Delivery]:
        return list(Delivery.objects.filter(pk__in=claimed).order_by("id"))

    report = queue_work(QUEUE, load=load, send=send, limit=10)
    assert (report.sent, report.deferred, report.failed, report.bounced, report.submitted) == (
        1,
        2,
        1,
        1,
        1,
    )
    found = {d.pk: d for d in Delivery.objects.all()}
    assert found[ids[0]].status == Status.SENT and found[ids[0]].sent_at is not None
    assert found[ids[1]].status == Status.DEFERRED and found[ids[1]].attempts == 1
    assert found[ids[2]].status == Status.FAILED and found[ids[2]].error == "550 no"
    assert found[ids[3]].status == Status.BOUNCED
    submitted = found[ids[4]]
    assert submitted.status == Status.SENDING and submitted.attempts == 0
    assert submitted.claimed_until is not None
    assert submitted.claimed_until - timezone.now() > timedelta(minutes=110)
    assert found[ids[5]].status == Status.DEFERRED
    assert "a bug in the sender" in found[ids[5]].error


@pytest.mark.django_db
def test_progress_counts_rows_by_status() -> None:
    ids = rows(4)
    queue_claim(QUEUE, token="a", limit=2)
    Recorder(Delivery).sent(ids[0])
    progress = progress_from_counts(queue_counts(Delivery.objects.all()), per_second=1.0)
    assert (progress.total, progress.sent, progress.sending, progress.queued) == (4, 1, 1, 2)
    assert progress.remaining == 3 and progress.percent == 25 and progress.seconds_left == 4


_WORKER = textwrap.dedent(
    """
    import json, sys, time
    import django
    django.setup()
    from datetime import timedelta
    from urgent.core.queue import Queue, queue_claim, token_new
    from urgent.mailings.models import Delivery
    queue = Queue(model=Delivery, lease=timedelta(minutes=5))
    token, got = token_new(), []
    while True:
        claimed = queue_claim(queue, token=token, limit=int(sys.argv[1]))
        if not claimed.ids:
            break
        got += claimed.ids
        time.sleep(0.01)  # a worker sends between claims; the others claim meanwhile
    print(json.dumps(got))
    """
)


@pytest.mark.django_db(transaction=True)
def test_worker_processes_claiming_at_once_never_share_a_row(tmp_path: Any) -> None:
    if connection.vendor != "postgresql":
        pytest.skip("SKIP LOCKED is PostgreSQL's; SQLite claims take turns (BEGIN IMMEDIATE)")
    ids = rows(600)
    settings_dict = connection.settings_dict
    url = (
        f"postgres://{settings_dict['USER']}@{settings_dict['HOST']}:{settings_dict['PORT']}/"
        f"{settings_dict['NAME']}"
    )
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "config.settings",
        "DATABASE_URL": url,
        "URGENT_DATA_DIR": str(tmp_path),
    }
    workers = [
        subprocess.Popen(
            [sys.executable, "-c", _WORKER, "20"],
            env=env,
            cwd=REPO,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for _ in range(4)
    ]
    claimed: list[list[int]] = []
    for worker in workers:
        out, err = worker.communicate(timeout=120)
        assert worker.returncode == 0, err
        claimed.append(json.loads(out))
    everything = [pk for got in claimed for pk in got]
    assert sorted(everything) == ids  # every row once, none twice
    assert sum(1 for got in claimed if got) >= 2  # they really claimed side by side
    assert not Delivery.objects.filter(~Q(status=Status.SENDING)).exists()


@pytest.mark.django_db
def test_renewing_and_releasing_touch_only_the_rows_named_that_this_worker_holds() -> None:
    first, second, third = rows(3)
    assert queue_claim(QUEUE, token="one", limit=2).ids == [first, second]
    assert queue_claim(QUEUE, token="two", limit=1).ids == [third]
    leases = dict(Delivery.objects.values_list("id", "claimed_until"))
    # Only the row named, and only while this worker holds it.
    assert queue_lease_renew(QUEUE, token="one", ids=[first, third]) == 1
    renewed = dict(Delivery.objects.values_list("id", "claimed_until"))
    was, now = leases[first], renewed[first]
    assert was is not None and now is not None and now > was
    assert renewed[second] == leases[second]
    assert renewed[third] == leases[third]
    # Released rows are queued again with no claim left on them; others' rows stay theirs.
    assert queue_release(QUEUE, token="one", ids=[first, third]) == 1
    released = Delivery.objects.get(pk=first)
    assert (released.status, released.claimed_until, released.claimed_by) == (
        Status.QUEUED,
        None,
        "",
    )
    assert Delivery.objects.get(pk=second).status == Status.SENDING
    other = Delivery.objects.get(pk=third)
    assert (other.status, other.claimed_by) == (Status.SENDING, "two")
    assert queue_release(QUEUE, token="one", ids=[]) == 0


@pytest.mark.django_db
def test_a_reclaimed_row_is_due_at_once_even_if_it_had_been_deferred() -> None:
    (row,) = rows(1)
    assert queue_claim(QUEUE, token="dead", limit=1).ids == [row]
    # It had waited for a retry before this claim: the retry time is still on it.
    Delivery.objects.filter(pk=row).update(next_attempt_at=timezone.now() + timedelta(hours=3))
    later = timezone.now() + timedelta(minutes=5)
    assert queue_reclaim(QUEUE, now=later) == 1
    back = Delivery.objects.get(pk=row)
    assert (back.status, back.claimed_by, back.claimed_until, back.next_attempt_at) == (
        Status.QUEUED,
        "",
        None,
        None,
    )
    assert queue_claim(QUEUE, token="alive", limit=1, now=later).ids == [row]


@pytest.mark.django_db
def test_only_queued_rows_whose_time_came_and_deferred_rows_due_are_due() -> None:
    paced, deferred, sent, other = rows(4)
    now = timezone.now()
    soon = now + timedelta(minutes=10)
    Delivery.objects.filter(pk=paced).update(next_attempt_at=soon)
    Delivery.objects.filter(pk=deferred).update(status=Status.DEFERRED, next_attempt_at=soon)
    Delivery.objects.filter(pk=sent).update(
        status=Status.SENT, next_attempt_at=now - timedelta(hours=1)
    )
    Delivery.objects.filter(pk=other).update(status=Status.FAILED, next_attempt_at=None)
    # Nothing is due now: a queued row paced to later, a deferred row not yet due, a row
    # already sent (its old retry time past) and a failed one.
    assert not queue_due_exist(QUEUE, now=now)
    assert queue_claim(QUEUE, token="w", limit=10, now=now).ids == []
    later = soon + timedelta(seconds=1)
    assert queue_due_exist(QUEUE, now=later)
    assert sorted(queue_claim(QUEUE, token="w", limit=10, now=later).ids) == [paced, deferred]


@pytest.mark.django_db
def test_whether_work_is_due_looks_only_in_the_scope_asked() -> None:
    ids = rows(2)
    mine = Q(pk=ids[0])
    Delivery.objects.filter(pk=ids[0]).update(status=Status.SENT)
    assert queue_due_exist(QUEUE)
    assert not queue_due_exist(QUEUE, scope=mine)


def test_worker_names_fit_the_claim_column_and_row_holds_name_ids_and_uuids() -> None:
    column = Delivery._meta.get_field("claimed_by").max_length
    assert column is not None and 8 <= len(token_new()) <= column
    assert token_new() != token_new()
    hold = RowHold(prefix="case:", lookup="case_id")
    assert hold.key(42) == "case:42"
    assert hold.key(uuid.UUID(int=255)) == "case:" + "0" * 30 + "ff"
