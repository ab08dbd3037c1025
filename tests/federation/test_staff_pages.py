"""Staff pages of federation: readable by every role, queries that do not grow with rows."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from urgent.federation.models import Activity, Delivery, Instance, InstanceKey, RefusedActivity

pytestmark = pytest.mark.django_db


def _instances(n: int, start: int = 0) -> None:
    for i in range(start, start + n):
        state = ["pending", "accepted"][i % 2]
        instance = Instance.objects.create(
            actor_url=f"https://s{i}.example/federation/actor",
            inbox_url=f"https://s{i}.example/federation/inbox",
            name=f"Section {i}",
            follower_state=state,
            following_state=state,
        )
        InstanceKey.objects.create(
            instance=instance,
            key_id=instance.actor_url + "#key-1",
            public_key_pem="x",
            fingerprint=f"{i:064x}",
        )
        RefusedActivity.objects.create(status=401, code="unsigned", message="m <b>x</b>")
        activity = Activity.objects.create(
            activity_id=f"https://here.example/federation/activities/{i}",
            direction="out",
            kind="Create",
            public=True,
            payload={},
        )
        for other in Instance.objects.all():
            Delivery.objects.create(
                activity=activity, instance=other, inbox_url=other.inbox_url, status="deferred"
            )


def _queries(client: Any, path: str) -> int:
    with CaptureQueriesContext(connection) as captured:
        assert client.get(path).status_code == 200
    return len(captured)


@pytest.mark.parametrize(
    "path", ["/staff/federation/", "/staff/federation/refused/", "/staff/federation/deliveries/"]
)
def test_list_pages_do_not_query_per_row(staff_client: Callable[..., Any], path: str) -> None:
    viewer = staff_client("viewer")
    _instances(2)
    few = _queries(viewer, path)
    _instances(10, start=2)
    assert _queries(viewer, path) == few


def test_the_pages_escape_what_other_instances_sent(staff_client: Callable[..., Any]) -> None:
    Instance.objects.create(
        actor_url="https://evil.example/federation/actor",
        inbox_url="https://evil.example/federation/inbox",
        name="<script>alert(1)</script>",
        follower_state="pending",
    )
    RefusedActivity.objects.create(
        status=401, code="unsigned", message="m", activity_type="<img src=x onerror=alert(1)>"
    )
    viewer = staff_client("viewer")
    for path in ["/staff/federation/", "/staff/federation/refused/"]:
        html = viewer.get(path).content.decode()
        assert "<script>alert" not in html and "<img src=x" not in html
    instance = Instance.objects.get()
    page = viewer.get(f"/staff/federation/instances/{instance.pk}/").content.decode()
    assert "&lt;script&gt;" in page
    assert "Accept its follow request" not in page  # a viewer cannot answer


def test_an_unknown_instance_or_action_is_not_found(staff_client: Callable[..., Any]) -> None:
    coordinator = staff_client("coordinator")
    assert coordinator.get("/staff/federation/instances/999/").status_code == 404
    _instances(1)
    pk = Instance.objects.get().pk
    assert coordinator.post(f"/staff/federation/instances/{pk}/explode/").status_code == 404
