"""Staff list pages cost the same number of queries for one row as for thirty: N+1 is a bug.

Each page is loaded with one row, then with thirty, each row carrying what the page shows
(contact points of several kinds and health, case targets; audit entries with their actor).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from django.contrib.auth.models import User
from django.db import connection
from django.test.utils import CaptureQueriesContext

from urgent.cases.models import Case, CaseTarget
from urgent.core.models import AuditEntry
from urgent.officials.models import ContactPoint, Official

pytestmark = pytest.mark.django_db


def _queries(client: Any, url: str, needle: str, count: int) -> int:
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url)
    assert response.status_code == 200
    assert response.content.decode().count(needle) == count
    return len(captured)


def _officials(start: int, count: int) -> None:
    case = Case.objects.get(slug="ua-101-26")
    for n in range(start, start + count):
        official = Official.objects.create(
            name=f"Rowan Testofficial {n}", title="Director", country="FR"
        )
        ContactPoint.objects.create(
            official=official, kind="email", value=f"director{n}@example.org"
        )
        ContactPoint.objects.create(
            official=official,
            kind="fax",
            value=f"+33 1 55 50 {n:04d}",
            health=ContactPoint.Health.BOUNCING,
        )
        CaseTarget.objects.create(case=case, official=official, role="copy", position=10 + n)


def test_the_officials_list_does_not_grow_with_its_rows(
    staff_client: Callable[..., Any], demo: None
) -> None:
    coordinator = staff_client("coordinator")
    url = "/staff/officials/?q=Testofficial"
    _officials(0, 1)
    coordinator.get(url)  # sessions and caches warm
    one = _queries(coordinator, url, "Rowan Testofficial", 1)
    _officials(1, 29)
    thirty = _queries(coordinator, url, "Rowan Testofficial", 30)
    assert thirty == one, f"{one} queries for one official, {thirty} for thirty"


def _entries(actor: User, count: int) -> None:
    for n in range(count):
        AuditEntry.objects.create(
            actor=actor,
            actor_name=actor.username,
            action="case.update",
            object_type="cases.case",
            object_id=str(n),
            object_repr=f"UA {n}/26 (testentry)",
        )


def test_the_audit_log_does_not_grow_with_its_rows(staff_client: Callable[..., Any]) -> None:
    coordinator = staff_client("coordinator")
    AuditEntry.objects.all().delete()
    _entries(coordinator.user, 1)
    coordinator.get("/staff/audit/")
    one = _queries(coordinator, "/staff/audit/", "(testentry)", 1)
    others = [User.objects.create_user(f"editor{n}", is_staff=True) for n in range(29)]
    for other in others:
        _entries(other, 1)
    thirty = _queries(coordinator, "/staff/audit/", "(testentry)", 30)
    assert thirty == one, f"{one} queries for one entry, {thirty} for thirty"
