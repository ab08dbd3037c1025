"""Public API: published cases only, names as public pages show them, one error shape."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from urgent.cases.models import Case, PersonAtRisk
from urgent.officials.models import ContactPoint

pytestmark = pytest.mark.django_db


def assert_error(response: Any, status: int, code: str) -> dict[str, Any]:
    assert response.status_code == status, response.content
    assert response["Content-Type"].startswith("application/json")
    body = response.json()
    assert set(body) == {"code", "message", "fields"}
    assert body["code"] == code
    assert body["message"] and "Traceback" not in body["message"]
    return body


def test_list_shows_published_cases_only(client: Any, demo: None) -> None:
    body = client.get("/api/v1/cases").json()
    refs = {item["reference"] for item in body["items"]}
    assert refs == {"UA 101/26", "UA 87/26", "UA 95/26", "UA 64/26", "UA 12/26"}
    assert "UA 110/26" not in refs  # the draft
    assert body["count"] == 5 and body["next"] is None and body["previous"] is None
    first = body["items"][0]
    assert first["url"].startswith("http") and first["url"].endswith(f"/cases/{first['slug']}/")
    assert first["sheet_url"].endswith("/sheet.pdf")


def test_filters_and_paging(client: Any, demo: None) -> None:
    closed = client.get("/api/v1/cases?status=closed").json()
    assert [c["reference"] for c in closed["items"]] == ["UA 12/26"]
    mexico = client.get("/api/v1/cases?country=mx").json()
    assert [c["reference"] for c in mexico["items"]] == ["UA 95/26"]
    death = client.get("/api/v1/cases?theme=death-penalty").json()
    assert [c["reference"] for c in death["items"]] == ["UA 64/26"]
    found = client.get("/api/v1/cases?q=journalist").json()
    assert [c["reference"] for c in found["items"]] == ["UA 87/26"]

    page1 = client.get("/api/v1/cases?limit=2&status=active").json()
    assert page1["count"] == 4 and len(page1["items"]) == 2
    assert page1["previous"] is None
    assert "status=active" in page1["next"] and "offset=2" in page1["next"]
    page2 = client.get("/api/v1" + page1["next"].split("/api/v1", 1)[1]).json()
    assert page2["previous"] and "offset=0" in page2["previous"]
    seen = [c["slug"] for c in page1["items"] + page2["items"]]
    assert len(set(seen)) == 4


@pytest.mark.parametrize(
    ("query", "field"),
    [
        ("country=ZZ", "country"),
        ("country=Mexico", "country"),
        ("limit=0", "limit"),
        ("limit=101", "limit"),
        ("offset=-1", "offset"),
        ("offset=99999999999999999999", "offset"),
        ("status=draft", "status"),
        ("theme=no%20spaces", "theme"),
        ("q=%00", "q"),
    ],
)
def test_bad_filters_are_named(client: Any, query: str, field: str) -> None:
    body = assert_error(client.get(f"/api/v1/cases?{query}"), 422, "invalid")
    assert field in body["fields"], body


def test_detail_respects_visibility_and_hidden_names(client: Any, demo: None) -> None:
    mexico = client.get("/api/v1/cases/ua-95-26").json()
    assert mexico["people"] == [
        {"name": "Rosa Santiago López", "pronouns": "she/her"},
        {"name": "T. R.", "pronouns": "he/him"},
    ]
    assert "Tomás" not in str(mexico)
    teen = client.get("/api/v1/cases/ua-64-26").json()
    assert teen["people"] == []  # visibility "hidden"
    Case.objects.filter(slug="ua-95-26").update(hide_names=True)
    hidden = client.get("/api/v1/cases/ua-95-26").json()
    assert hidden["people"] == []
    assert "all_people" not in hidden and "version" not in hidden


def test_detail_has_asks_targets_updates_and_outcomes(client: Any, demo: None) -> None:
    case = client.get("/api/v1/cases/ua-12-26").json()
    assert case["status"] == "closed" and case["accepts_action"] is False
    assert case["asks"] == ["Release Merdan Gurbanov immediately and unconditionally."]
    assert sorted(t["role"] for t in case["targets"]) == ["copy", "primary"]
    president = next(t for t in case["targets"] if t["role"] == "primary")
    assert president["salutation"] == "Dear President,"
    kinds = {p["kind"] for p in president["contact_points"]}
    assert kinds == {"postal", "fax", "email"}
    assert case["updates"][0]["number"] == 1
    assert case["outcomes"][0] | {"summary": ""} == {
        "kind": "released",
        "label": "Released",
        "positive": True,
        "occurred_on": case["updates"][0]["issued_on"],
        "summary": "",
        "update_number": 1,
    }
    assert case["update_request"] == {
        "email": "updates@example.org",
        "subject": "Keep me updated on UA 12/26",
    }


def test_dead_contact_points_are_not_published(client: Any, demo: None) -> None:
    ContactPoint.objects.filter(value="mission.tm@example.org").update(health="dead")
    case = client.get("/api/v1/cases/ua-101-26").json()
    values = [p["value"] for t in case["targets"] for p in t["contact_points"]]
    assert "mission.tm@example.org" not in values
    assert "+1 212 555 0142" in values


def test_drafts_and_unknown_cases_are_not_found(client: Any, demo: None) -> None:
    assert_error(client.get("/api/v1/cases/ua-110-26"), 404, "not_found")
    assert_error(client.get("/api/v1/cases/nothing-here"), 404, "not_found")
    assert_error(client.get("/api/v1/cases/%E2%80%AE"), 404, "not_found")
    assert_error(client.get("/api/v1/no/such/endpoint"), 404, "not_found")


def test_wrong_method_gets_the_error_shape(client: Any) -> None:
    response = client.delete("/api/v1/cases")
    body = assert_error(response, 405, "method_not_allowed")
    assert "GET" in body["message"] and response["Allow"] == "GET"


def test_list_query_count_does_not_grow_with_cases(client: Any, demo: None) -> None:
    with CaptureQueriesContext(connection) as few:
        assert client.get("/api/v1/cases").status_code == 200
    case = Case.objects.get(slug="ua-101-26")
    for n in range(8):
        extra = Case.objects.create(
            organisation=case.organisation,
            reference=f"UA {200 + n}/26",
            slug=f"ua-{200 + n}-26",
            headline="More",
            country="MX",
            status="active",
        )
        PersonAtRisk.objects.create(case=extra, name=f"Person {n}")
    with CaptureQueriesContext(connection) as many:
        body = client.get("/api/v1/cases").json()
    assert body["count"] == 13
    assert len(many) == len(few) <= 4, [q["sql"] for q in many]


def test_detail_query_count(client: Any, demo: None, django_assert_max_num_queries: Any) -> None:
    with django_assert_max_num_queries(9):
        assert client.get("/api/v1/cases/ua-95-26").status_code == 200


def test_impact_endpoint(client: Any, demo: None) -> None:
    body = client.get("/api/v1/impact").json()
    assert body["totals"]["cases"] == 5
    assert body["totals"]["positive"] == 1
    assert body["totals"]["positive_share"] == 20.0
    assert {r["key"] for r in body["by_country"]} == {"TM", "BY", "MX", "PH"}
    assert body["outcomes_by_kind"] == [
        {"key": "released", "label": "Released", "count": 1, "confirmed": None, "positive": True}
    ]
    tm = client.get("/api/v1/impact?country=TM").json()
    assert tm["totals"]["cases"] == 2 and tm["country"] == "TM"
    assert_error(client.get("/api/v1/impact?year=20"), 422, "invalid")


def test_server_errors_are_json_without_a_trace(client: Any, monkeypatch: Any) -> None:
    from urgent.api.routers import public

    def broken(**kwargs: Any) -> None:
        raise RuntimeError("secret internals")

    monkeypatch.setattr(public, "case_search", broken)
    client.raise_request_exception = False
    body = assert_error(client.get("/api/v1/cases"), 500, "server_error")
    assert "secret" not in body["message"]


def test_the_root_is_an_index_of_the_api(client: Any) -> None:
    response = client.get("/api/v1/")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/json")
    body = response.json()
    assert body["docs"].endswith("/api/v1/docs")
    assert body["openapi"].endswith("/api/v1/openapi.json")
    listed = {(e["method"], e["url"].split("/api/v1", 1)[1]) for e in body["endpoints"]}
    assert listed == {("GET", "/cases"), ("GET", "/cases/{slug}"), ("GET", "/impact")}
    assert "/api/v1/staff/" in body["staff"]
    # Every link it gives answers.
    for url in (body["docs"], body["openapi"], body["endpoints"][0]["url"]):
        assert client.get(urlsplit(url).path).status_code == 200
