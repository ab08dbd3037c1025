"""Publishing to followers from the cases outbox: one delivery per accepted follower and
activity, on the queue engine, sent once whatever happens to the worker."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from tests.conftest import free_port
from tests.federation.fake import FakeInstance
from tests.federation.test_inbox import _known
from urgent.cases.models import Case, CaseEvent
from urgent.cases.services import case_publish, case_stop_switch
from urgent.federation.delivery import deliveries_run
from urgent.federation.models import Activity, Delivery, Instance
from urgent.federation.services.publishing import case_events_publish, cases_health_publish
from urgent.federation.sweeps import case_events_sweep
from urgent.officials.models import ContactPoint

pytestmark = pytest.mark.django_db


def _published_events() -> int:
    """A draft published, another case stopped: two events of the cases outbox."""
    case_publish(case=Case.objects.get(status="draft"), actor=None)
    active = Case.objects.filter(status="active").first()
    assert active is not None
    case_stop_switch(case=active, actor=None, stopped=True, hide_names=False, reason="x")
    return CaseEvent.objects.count()


def test_each_event_reaches_each_accepted_follower_once(demo: None, fake: FakeInstance) -> None:
    _known(fake, follower_state="accepted")
    down = Instance.objects.create(
        actor_url="http://127.0.0.1:9/federation/actor",
        inbox_url=f"http://127.0.0.1:{free_port()}/federation/inbox",
        name="Section down",
        follower_state="accepted",
    )
    for state in ["pending", "rejected", "expired", "none"]:
        Instance.objects.create(
            actor_url=f"https://{state}.example/federation/actor",
            inbox_url=f"https://{state}.example/federation/inbox",
            name=state,
            follower_state=state,
        )
    events = _published_events()
    assert events == 2
    assert case_events_publish() == events
    assert case_events_publish() == 0  # handled once
    activities = Activity.objects.filter(direction="out", public=True)
    assert activities.count() == events
    assert Delivery.objects.count() == 2 * events
    assert set(Delivery.objects.values_list("instance__name", flat=True)) == {
        fake.name,
        down.name,
    }
    while deliveries_run():
        pass
    assert len(fake.received) == events and all(p.verified for p in fake.received)
    assert {p.json["type"] for p in fake.received} == {"Create", "Update"}
    # The follower that is down waits on the one retry schedule; the other has them all.
    assert set(Delivery.objects.filter(instance=down).values_list("status", flat=True)) == {
        "deferred"
    }
    assert Delivery.objects.filter(instance__name=fake.name, status="sent").count() == events


def test_a_stop_is_sent_as_an_update_with_the_stop_switch_on(
    demo: None, fake: FakeInstance
) -> None:
    _known(fake, follower_state="accepted")
    case = Case.objects.filter(status="active").first()
    assert case is not None
    case_stop_switch(
        case=case, actor=None, stopped=True, hide_names=False, reason="Reason 4c1d kept private"
    )
    case_events_sweep()
    while deliveries_run():
        pass
    [update] = fake.posted("Update")
    assert update.verified
    assert update.json["object"]["stopped"] is True
    assert update.json["object"]["version"] == case.version + 1
    assert "4c1d" not in update.body.decode()  # the reason stays in the audit log


def test_a_newly_published_case_is_created_at_followers(
    demo: None, fake: FakeInstance, django_capture_on_commit_callbacks: Callable[..., Any]
) -> None:
    _known(fake, follower_state="accepted")
    draft = Case.objects.get(status="draft")
    with django_capture_on_commit_callbacks(execute=True):
        case_publish(case=draft, actor=None)
        case_events_sweep()
    while deliveries_run():
        pass
    [create] = [
        p for p in fake.posted("Create") if p.json["object"]["reference"] == draft.reference
    ]
    assert create.json["object"]["status"] == "active"


def test_a_draft_withdrawn_before_the_sweep_never_leaves(demo: None, fake: FakeInstance) -> None:
    _known(fake, follower_state="accepted")
    draft = Case.objects.get(status="draft")
    case_publish(case=draft, actor=None)
    Case.objects.filter(pk=draft.pk).update(status="draft")
    case_events_sweep()
    assert not Activity.objects.filter(case=draft).exists()


def test_a_contact_point_found_dead_is_sent_to_followers_once(
    demo: None, fake: FakeInstance
) -> None:
    _known(fake, follower_state="accepted")
    draft = Case.objects.get(status="draft")
    case_publish(case=draft, actor=None)
    case_events_sweep()
    assert cases_health_publish() == 0  # followers have the case as it is
    point = ContactPoint.objects.filter(official__case_targets__case=draft).first()
    assert point is not None
    ContactPoint.objects.filter(pk=point.pk).update(health="dead")
    assert cases_health_publish() == 1
    assert cases_health_publish() == 0
    while deliveries_run():
        pass
    update = fake.posted("Update")[-1]
    points = [p for t in update.json["object"]["targets"] for p in t["contactPoints"]]
    assert {"kind": point.kind, "value": point.value} in [
        {"kind": p["kind"], "value": p["value"]} for p in points if p["health"] == "dead"
    ]
