from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from urgent.cases.models import Case, CaseTarget
from urgent.officials.models import ContactPoint, Official

pytestmark = pytest.mark.django_db


@pytest.fixture
def coordinator(staff_client: Callable[..., Any], demo: None) -> Any:
    return staff_client("coordinator")


def test_search_and_health_filter(coordinator: Any) -> None:
    html = coordinator.get("/staff/officials/", {"q": "embassy.tm@example.org"}).content.decode()
    assert "Serdar ANNAYEV" in html and "Oraz Baymuradov" not in html
    point = ContactPoint.objects.get(value="embassy.tm@example.org")
    point.health = "bouncing"
    point.save()
    html = coordinator.get("/staff/officials/", {"health": "bouncing"}).content.decode()
    assert "Serdar ANNAYEV" in html and "Viktar Lasko" not in html


def test_confirm_and_mark_dead_with_history(coordinator: Any) -> None:
    point = ContactPoint.objects.get(value="embassy.tm@example.org")
    coordinator.post(f"/staff/contact-points/{point.pk}/health/", {"health": "dead"})
    point.refresh_from_db()
    assert point.health == "dead"
    coordinator.post(f"/staff/contact-points/{point.pk}/health/", {"health": "ok"})
    point.refresh_from_db()
    assert point.health == "ok" and point.last_confirmed_on
    html = coordinator.get(f"/staff/officials/{point.official_id}/").content.decode()
    assert "contact_point.dead" in html and "contact_point.ok" in html
    response = coordinator.post(
        f"/staff/contact-points/{point.pk}/health/", {"health": "zombie"}, follow=True
    )
    assert "Unknown health state" in response.content.decode()


def test_a_suspect_contact_point_is_listed_and_staff_confirm_it(coordinator: Any) -> None:
    point = ContactPoint.objects.get(value="embassy.tm@example.org")
    ContactPoint.objects.filter(pk=point.pk).update(health="suspect", bounce_count=3)
    html = coordinator.get("/staff/officials/", {"health": "suspect"}).content.decode()
    assert "Serdar ANNAYEV" in html and "Viktar Lasko" not in html
    assert "Suspect: check it" in html
    html = coordinator.get(f"/staff/officials/{point.official_id}/").content.decode()
    assert "Suspect: check it" in html and "Confirm working" in html and "Mark dead" in html
    coordinator.post(f"/staff/contact-points/{point.pk}/health/", {"health": "dead"})
    point.refresh_from_db()
    assert point.health == "dead"
    html = coordinator.get(f"/staff/officials/{point.official_id}/").content.decode()
    assert "contact_point.dead" in html


def test_merge_duplicates_moves_targets_and_contact_points(coordinator: Any) -> None:
    keep = Official.objects.get(name="Oraz Baymuradov")
    duplicate = Official.objects.create(name="O. Baymuradov", title="President", country="TM")
    ContactPoint.objects.create(official=duplicate, kind="email", value="mission.tm@example.org")
    ContactPoint.objects.create(official=duplicate, kind="phone", value="+1 212 555 0143")
    case = Case.objects.get(reference="UA 87/26")
    CaseTarget.objects.create(case=case, official=duplicate, role="copy")
    response = coordinator.post(
        f"/staff/officials/{keep.pk}/merge/", {"duplicate": duplicate.pk}, follow=True
    )
    assert "Merged" in response.content.decode()
    assert not Official.objects.filter(pk=duplicate.pk).exists()
    assert CaseTarget.objects.filter(case=case, official=keep, role="copy").exists()
    assert keep.contact_points.filter(value="+1 212 555 0143").exists()
    assert keep.contact_points.filter(value="mission.tm@example.org").count() == 1
    response = coordinator.post(
        f"/staff/officials/{keep.pk}/merge/", {"duplicate": keep.pk}, follow=True
    )
    assert "two different officials" in response.content.decode()


def test_edit_official_and_add_contact_point(coordinator: Any) -> None:
    official = Official.objects.get(name="Viktar Lasko")
    response = coordinator.post(f"/staff/officials/{official.pk}/", {"name": "", "title": ""})
    assert response.status_code == 400 and "name, a title, or both" in response.content.decode()
    coordinator.post(
        f"/staff/officials/{official.pk}/contact-points/add/",
        {
            "kind": "postal",
            "value": "Line one\r\n\r\nLine two",
            "label": "",
        },
    )
    assert official.contact_points.filter(value="Line one\nLine two").exists()
