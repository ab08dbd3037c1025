"""The cases outbox and its drain: every lifecycle change is a row written with the change,
and what supporters are told follows from the rows, once, even after a crash."""

from __future__ import annotations

import datetime
import json
import subprocess
import threading
from pathlib import Path
from typing import Any

import pytest
from django.db import connections, transaction
from django.utils import timezone

from tests.conftest import URGENT, run_urgent
from urgent.cases import services as cases
from urgent.cases.models import Case, CaseEvent, CaseEventHandled, Theme
from urgent.cases.selectors import case_events_pending
from urgent.core.models import Organisation
from urgent.core.sweeps import sweeps_now
from urgent.mailings.models import Delivery, Mailing
from urgent.officials.models import ContactPoint, Official
from urgent.outreach import services
from urgent.outreach.models import Notice
from urgent.supporters.models import Subscription, Supporter


def draft_ready(reference: str = "UA 300/26") -> Case:
    """A draft with everything publication needs, and one supporter who wants new cases."""
    org = Organisation.objects.get_or_create(slug="invented", defaults={"name": "Invented"})[0]
    official = Official.objects.create(name="Invented Minister", country="TM")
    ContactPoint.objects.create(official=official, kind="email", value="minister@example.org")
    case = cases.case_create(
        organisation=org,
        reference=reference,
        headline="Invented reporter detained",
        country="TM",
        story="Detained for reporting.",
        asks=["Release him"],
        themes=[Theme.objects.get_or_create(slug="torture", defaults={"name": "Torture"})[0]],
    )
    cases.case_target_add(case=case, actor=None, official=official, role="primary")
    supporter = Supporter.objects.create(
        email=f"reader-{reference[3:6]}@example.org", status="active", language="en"
    )
    Subscription.objects.create(supporter=supporter, kind="new_cases", confirmed_at=timezone.now())
    return case


@pytest.mark.django_db
def test_each_lifecycle_change_writes_one_keyed_event() -> None:
    case = draft_ready()
    cases.case_publish(case=case, actor=None)
    update = cases.update_post(case=case, actor=None, title="", body="Moved to a prison.")
    outcome = cases.case_close(
        case=case, actor=None, kind="released", occurred_on=timezone.localdate()
    )
    cases.case_stop_switch(case=case, actor=None, stopped=True, hide_names=True, reason="Family")
    cases.case_stop_switch(case=case, actor=None, stopped=False, hide_names=True, reason="Safe")

    events = list(CaseEvent.objects.filter(case=case))
    assert [e.kind for e in events] == [
        "published",
        "update_posted",
        "closed",
        "stopped",
        "resumed",
    ]
    assert events[0].key == f"published:{case.uuid}"
    assert events[1].update == update and events[1].data["number"] == 1
    assert events[2].outcome == outcome and events[2].data == {"kind": "released"}
    assert events[3].data == {"hide_names": True}
    # The stop switch's reason is for the audit log only; events may leave the instance.
    assert "Family" not in json.dumps([e.data for e in events])
    assert len({e.key for e in events}) == 5


@pytest.mark.django_db
def test_the_event_commits_with_the_change_or_not_at_all() -> None:
    case = draft_ready()
    with pytest.raises(RuntimeError), transaction.atomic():
        cases.case_publish(case=case, actor=None)
        raise RuntimeError("the request failed after publishing")
    assert Case.objects.get(pk=case.pk).status == "draft"
    assert not CaseEvent.objects.exists()


@pytest.mark.django_db(transaction=True)
def test_an_event_outside_a_transaction_is_refused() -> None:
    case = draft_ready()
    with pytest.raises(RuntimeError, match="own transaction"):
        cases.case_event_record(case=case, kind="published", key="outside")


@pytest.mark.django_db
def test_publishing_wakes_a_worker_only_after_the_commit(
    django_capture_on_commit_callbacks: Any,
) -> None:
    from django_tasks_db.models import DBTaskResult

    case = draft_ready()
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        cases.case_publish(case=case, actor=None)
    assert len(callbacks) == 1
    assert DBTaskResult.objects.filter(task_path="urgent.core.sweeps.sweeps_now").count() == 1
    # The wake-up decides nothing: no mailing until a worker drains the event.
    assert not Mailing.objects.exists()
    sweeps_now.call()  # what the worker runs for the wake-up: every sweep, once
    assert Mailing.objects.filter(kind="alert").count() == 1


@pytest.mark.django_db
def test_draining_twice_creates_each_notice_and_mailing_once() -> None:
    case = draft_ready()
    cases.case_publish(case=case, actor=None)
    cases.update_post(case=case, actor=None, title="", body="News.")
    cases.case_stop_switch(case=case, actor=None, stopped=True, hide_names=False, reason="x")

    assert services.case_events_drain() == 3
    assert services.case_events_drain() == 0
    assert sorted(Notice.objects.values_list("purpose", flat=True)) == ["alert", "update"]
    assert Mailing.objects.filter(kind="alert").count() == 1
    assert Delivery.objects.filter(mailing__kind="alert").count() == 1
    assert not case_events_pending(consumer="outreach")
    # The stop switch tells supporters nothing, but it is handled all the same.
    stop = CaseEvent.objects.get(kind="stopped")
    assert CaseEventHandled.objects.filter(event=stop, consumer="outreach").exists()


@pytest.mark.django_db
def test_an_alert_for_a_case_closed_before_the_drain_is_not_sent() -> None:
    case = draft_ready()
    cases.case_publish(case=case, actor=None)
    cases.case_close(case=case, actor=None, kind="released", occurred_on=timezone.localdate())
    services.case_events_drain()
    alert = Notice.objects.get(purpose="alert")
    assert alert.mailing is None and "no longer active" in alert.note
    assert Notice.objects.get(purpose="outcome").mailing is not None


@pytest.mark.django_db
def test_each_consumer_keeps_its_own_place() -> None:
    case = draft_ready()
    cases.case_publish(case=case, actor=None)
    event = CaseEvent.objects.get()
    with transaction.atomic():
        assert cases.case_event_handled_mark(event=event, consumer="federation")
        assert not cases.case_event_handled_mark(event=event, consumer="federation")
    assert case_events_pending(consumer="outreach") == [event]
    assert case_events_pending(consumer="federation") == []


@pytest.mark.django_db
def test_a_failing_event_is_left_for_the_next_round(monkeypatch: pytest.MonkeyPatch) -> None:
    first, second = draft_ready("UA 301/26"), draft_ready("UA 302/26")
    cases.case_publish(case=first, actor=None)
    cases.case_publish(case=second, actor=None)
    real = services.notices.case_alert_schedule

    def flaky(*, case: Case) -> Any:
        if case.pk == first.pk:
            raise ConnectionError("mail templates unavailable")
        return real(case=case)

    monkeypatch.setattr(services.notices, "case_alert_schedule", flaky)
    assert services.case_events_drain() == 1
    assert [e.case_id for e in case_events_pending(consumer="outreach")] == [first.pk]
    monkeypatch.setattr(services.notices, "case_alert_schedule", real)
    assert services.case_events_drain() == 1
    assert Mailing.objects.filter(kind="alert").count() == 2


@pytest.mark.django_db(transaction=True)
def test_two_workers_draining_at_once_create_one_mailing() -> None:
    if connections["default"].vendor != "postgresql":
        pytest.skip(
            "the SQLite test database is in memory and refuses a second writer outright; "
            "test_the_alert_goes_out_although_the_process_died_after_the_commit races two "
            "processes on an SQLite file"
        )
    case = draft_ready()
    cases.case_publish(case=case, actor=None)
    cases.update_post(case=case, actor=None, title="", body="News.")
    start = threading.Barrier(2)
    errors: list[BaseException] = []

    def worker() -> None:
        try:
            start.wait()
            services.case_events_drain()
        except BaseException as exc:  # reported below
            errors.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=worker) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert not errors
    assert Mailing.objects.filter(kind="alert").count() == 1
    assert Mailing.objects.filter(kind="update").count() == 1
    assert Notice.objects.count() == 2
    assert CaseEventHandled.objects.filter(consumer="outreach").count() == 2
    assert Delivery.objects.filter(mailing__kind="alert").count() == 1


# A process that publishes, commits, and is killed before anything after the commit runs.
PUBLISH_THEN_DIE = """
import os, signal
from django.utils import timezone
from urgent.cases import services
from urgent.cases.services import events
from urgent.core.models import Organisation
from urgent.core.sweeps import sweeps_now
from urgent.officials.models import ContactPoint, Official
from urgent.supporters.models import Subscription, Supporter
org = Organisation.objects.create(name="Invented", slug="invented")
official = Official.objects.create(name="Invented Minister", country="TM")
ContactPoint.objects.create(official=official, kind="email", value="minister@example.org")
case = services.case_create(organisation=org, reference="UA 9/26", headline="Invented case",
    country="TM", story="Detained.", asks=["Release him"])
services.case_target_add(case=case, actor=None, official=official, role="primary")
reader = Supporter.objects.create(email="reader@example.org", status="active", language="en")
Subscription.objects.create(supporter=reader, kind="new_cases", confirmed_at=timezone.now())
events.sweeps_wake = lambda: os.kill(os.getpid(), signal.SIGKILL)
services.case_publish(case=case, actor=None)
print("not reached")
"""

DRAIN = """
from urgent.outreach.services import case_events_drain
print(case_events_drain())
"""

COUNT = """
from urgent.cases.models import Case
from urgent.mailings.models import Delivery
sent = Delivery.objects.filter(mailing__kind="alert", status="sent")
print(Case.objects.get().status, sent.count())
"""


def test_the_alert_goes_out_although_the_process_died_after_the_commit(
    scratch_env: dict[str, str],
) -> None:
    assert run_urgent("migrate", "--noinput", env=scratch_env).returncode == 0
    died = run_urgent("shell", "--no-imports", "-c", PUBLISH_THEN_DIE, env=scratch_env)
    assert died.returncode == -9, died.stderr
    assert "not reached" not in died.stdout
    assert run_urgent("shell", "--no-imports", "-c", COUNT, env=scratch_env).stdout.split() == [
        "active",
        "0",
    ]

    # Two workers' sweeps find the event at the same moment; one alert is decided.
    drains = [
        subprocess.Popen(
            [URGENT, "shell", "--no-imports", "-c", DRAIN],
            env=scratch_env,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for _ in range(2)
    ]
    results = [drain.communicate(timeout=120) for drain in drains]
    assert [d.returncode for d in drains] == [0, 0], results
    assert sorted(out.strip() for out, _err in results) == ["0", "1"]
    worker = run_urgent("worker", "--batch", env=scratch_env)
    assert worker.returncode == 0, worker.stderr
    assert run_urgent("shell", "--no-imports", "-c", COUNT, env=scratch_env).stdout.split() == [
        "active",
        "1",
    ]
    mail = list((Path(scratch_env["URGENT_DATA_DIR"]) / "mail").rglob("*"))
    sent = [
        p for p in mail if p.is_file() and "reader@example.org" in p.read_text(errors="replace")
    ]
    assert len(sent) == 1
    assert "UA 9/26" in sent[0].read_text(errors="replace")


@pytest.mark.django_db
def test_the_digest_is_decided_once_a_week_even_with_nothing_to_say() -> None:
    now = timezone.now()
    assert services.digest_weekly_schedule(now=now) is None
    notice = Notice.objects.get(purpose="digest")
    assert "nothing sent" in notice.note
    assert services.digest_weekly_schedule(now=now) is None
    assert Notice.objects.filter(purpose="digest").count() == 1
    services.digest_weekly_schedule(now=now + datetime.timedelta(days=7))
    assert Notice.objects.filter(purpose="digest").count() == 2
