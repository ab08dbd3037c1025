"""One selector per read: the same search answers the pages, the workspace and the API."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from urgent.cases.models import Case
from urgent.cases.selectors import case_search
from urgent.cases.themes import THEME_NAMES, theme_name
from urgent.core.models import Organisation
from urgent.core.selectors import organisation_default
from urgent.ingest.convert import THEME_NAMES as IMPORTER_THEMES
from urgent.officials.models import ContactPoint, Official
from urgent.officials.selectors import official_search
from urgent.web.demo import CASES as DEMO_CASES

pytestmark = pytest.mark.django_db


def test_a_hidden_name_finds_its_case_for_staff_only(
    demo: None, client: Any, staff_client: Callable[..., Any]
) -> None:
    hidden = Case.objects.get(people__visibility="hidden")
    name = hidden.people.get().name
    assert list(case_search(text=name, people=True)) == [hidden]
    assert hidden not in case_search(text=name)
    assert client.get("/api/v1/cases", {"q": name}).json()["count"] == 0
    page = staff_client("viewer").get("/staff/cases/", {"q": name}).content.decode()
    assert hidden.reference in page


def test_case_search_reads_reference_index_and_headline_with_its_filters(demo: None) -> None:
    case = Case.objects.get(slug="ua-101-26")
    assert list(case_search(text="  ua   101/26 ")) == [case]
    assert case in case_search(country="tm", theme=case.themes.first().slug)  # type: ignore[union-attr]
    assert not case_search(statuses=("draft",), text=case.reference).exists()
    found = case_search(text=case.headline[:12]).get(pk=case.pk)
    assert found.action_count == case.actions.count()  # type: ignore[attr-defined]


def test_official_search_lists_each_official_once_with_whole_counts(demo: None) -> None:
    official = Official.objects.filter(contact_points__kind="email").first()
    assert official is not None
    point = official.contact_points.filter(kind="email").first()
    assert point is not None
    ContactPoint.objects.filter(pk=point.pk).update(health=ContactPoint.Health.DEAD)
    by_address = list(official_search(text=point.value.upper()))
    assert by_address == [official]
    assert official in official_search(text=official.country.lower())
    assert list(official_search(health="dead")) == [official]
    assert official not in official_search(text="no such official anywhere")


def test_the_workspace_finds_an_official_by_address_as_the_api_does(
    demo: None, staff_client: Callable[..., Any]
) -> None:
    official = Official.objects.filter(contact_points__kind="email").first()
    assert official is not None
    address = official.contact_points.filter(kind="email").values_list("value", flat=True)[0]
    editor = staff_client("editor")
    assert official.name in editor.get("/staff/officials/", {"q": address}).content.decode()
    case = Case.objects.get(slug="ua-110-26")
    editor_page = editor.get(f"/staff/cases/{case.pk}/", {"official": address}).content.decode()
    assert f'value="{official.pk}"' in editor_page


def test_the_default_organisation_is_made_once_on_a_fresh_instance() -> None:
    first = organisation_default()
    assert (first.slug, first.name) == ("urgent", "Urgent")
    assert organisation_default() == first
    older = Organisation.objects.create(name="Invented Section", slug="invented")
    assert organisation_default() == first != older
    assert Organisation.objects.count() == 2


def test_one_theme_table_names_every_theme() -> None:
    assert IMPORTER_THEMES is THEME_NAMES
    assert {slug for case in DEMO_CASES for slug in case.themes} <= set(THEME_NAMES)
    assert theme_name("torture") == "Torture and ill-treatment"
    assert theme_name("land-rights") == "Land rights"
