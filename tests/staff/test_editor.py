"""The case editor: one Save for the case, its people and asks; targets changed in place."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from tests.staff.test_cases import editor_form
from urgent.cases.models import Case, CaseTarget
from urgent.core.models import AuditEntry
from urgent.officials.models import ContactPoint

pytestmark = pytest.mark.django_db


@pytest.fixture
def coordinator(staff_client: Callable[..., Any], demo: None) -> Any:
    return staff_client("coordinator")


def people_rows(case: Case, *names: str) -> dict[str, Any]:
    rows: dict[str, Any] = {}
    existing = list(case.people.all())
    for i, name in enumerate([*names, "", ""]):
        person = next((p for p in existing if p.name == name), None)
        rows.update(
            {
                f"id_{i}": person.pk if person else "",
                f"name_{i}": name,
                f"pronouns_{i}": "",
                f"visibility_{i}": "public",
            }
        )
    return rows


def test_the_editor_has_one_form_and_one_save(coordinator: Any) -> None:
    case = Case.objects.get(reference="UA 101/26")
    html = coordinator.get(f"/staff/cases/{case.pk}/").content.decode()
    assert html.count(f'action="/staff/cases/{case.pk}/"') == 1
    assert html.count(">Save case<") == 1
    assert "Save people" not in html and "Save asks" not in html
    assert 'name="name_0"' in html and 'name="asks"' in html


def test_one_save_keeps_people_it_names_and_changes_all_parts(coordinator: Any) -> None:
    case = Case.objects.get(reference="UA 101/26")
    kept = case.people.get()
    response = coordinator.post(
        f"/staff/cases/{case.pk}/",
        {
            **editor_form(case),
            "headline": "Activist missing after arrest",
            **people_rows(case, kept.name, "Second Person"),
            "asks": "Reveal where he is\nRelease him",
        },
    )
    assert response.status_code == 302
    case.refresh_from_db()
    assert case.headline == "Activist missing after arrest"
    assert [p.name for p in case.people.all()] == [kept.name, "Second Person"]
    assert case.people.get(name=kept.name).pk == kept.pk  # the same row, not a new one
    assert [a.text for a in case.asks.all()] == ["Reveal where he is", "Release him"]


def test_a_stale_save_changes_no_part(coordinator: Any) -> None:
    case = Case.objects.get(reference="UA 101/26")
    form = editor_form(case)
    asks = [a.text for a in case.asks.all()]
    people = [p.name for p in case.people.all()]
    first = {**form, **people_rows(case, *people), "asks": "\n".join(asks)}
    assert coordinator.post(f"/staff/cases/{case.pk}/", first).status_code == 302
    stale = {**form, **people_rows(case, "Somebody Else"), "asks": "Something else"}
    response = coordinator.post(f"/staff/cases/{case.pk}/", stale)
    assert response.status_code == 400
    html = response.content.decode()
    assert "Someone else saved this case" in html
    assert "There is a problem" in html and "Something else" in html  # their text stays
    assert [a.text for a in case.asks.all()] == asks
    assert [p.name for p in case.people.all()] == people


def test_a_target_is_changed_in_place(coordinator: Any) -> None:
    case = Case.objects.get(reference="UA 101/26")
    target = case.targets.select_related("official").get(role="primary")
    official = target.official
    email = official.contact_points.get(kind="email")
    email.health, email.bounce_count = "bouncing", 2
    email.save()
    url = f"/staff/cases/{case.pk}/targets/{target.pk}/"
    page = coordinator.get(url).content.decode()
    assert "Salutation for this case" in page and email.value in page

    data = {
        "role": "copy",
        "salutation": "Dear Mr President,",
        "version": case.version,
        "official-honorific": official.honorific,
        "official-name": official.name,
        "official-title": "President of the Republic",
        "official-organisation": official.organisation,
        "official-country": official.country,
        "official-preferred_language": official.preferred_language,
        "official-salutation": official.salutation,
        "points-new_kind": "phone",
        "points-new_value": "+993 12 000000",
        "points-new_label": "",
    }
    for point in official.contact_points.all():
        value = "new.address@example.org" if point.pk == email.pk else point.value
        data[f"points-value_{point.pk}"] = value
        data[f"points-label_{point.pk}"] = point.label
    response = coordinator.post(url, data)
    assert response.status_code == 302, response.content.decode()[:3000]

    target.refresh_from_db()
    assert CaseTarget.objects.filter(case=case).count() == 2  # the same target, not re-added
    assert (target.role, target.salutation) == ("copy", "Dear Mr President,")
    official.refresh_from_db()
    assert official.title == "President of the Republic"
    email.refresh_from_db()
    assert (email.value, email.health, email.bounce_count) == ("new.address@example.org", "ok", 0)
    assert official.contact_points.filter(kind="phone", value="+993 12 000000").exists()
    assert AuditEntry.objects.filter(action="case.target_update").exists()

    # The page it came from is now out of date: the case's version moved on.
    stale = {**data, "role": "primary", "official-title": "Someone else's title"}
    response = coordinator.post(url, stale)
    assert response.status_code == 400
    assert "Someone else saved this case" in response.content.decode()
    target.refresh_from_db()
    official.refresh_from_db()
    assert target.role == "copy" and official.title == "President of the Republic"


def test_target_form_errors_are_explained(coordinator: Any) -> None:
    case = Case.objects.get(reference="UA 101/26")
    target = case.targets.get(role="primary")
    url = f"/staff/cases/{case.pk}/targets/{target.pk}/"
    point = ContactPoint.objects.filter(official=target.official).first()
    assert point is not None
    response = coordinator.post(
        url,
        {
            "role": "nonsense",
            "version": case.version,
            "official-name": "",
            "official-title": "",
            f"points-value_{point.pk}": "",
            "points-new_value": "somewhere",
        },
    )
    assert response.status_code == 400
    html = response.content.decode()
    assert "There is a problem" in html
    assert "Select a valid choice" in html
    assert "Give a name, a title, or both." in html
    assert "Say what kind of contact point this is." in html
    assert coordinator.get(f"/staff/cases/{case.pk}/targets/999999/").status_code == 404


def test_viewers_cannot_change_targets(staff_client: Callable[..., Any], demo: None) -> None:
    case = Case.objects.get(reference="UA 101/26")
    target = case.targets.get(role="primary")
    viewer = staff_client("viewer")
    assert viewer.get(f"/staff/cases/{case.pk}/targets/{target.pk}/").status_code == 403
