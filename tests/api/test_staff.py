"""Staff API: tokens obey roles; cases go from draft to closed through the services."""

from __future__ import annotations

import datetime
import json
from collections.abc import Callable
from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from tests.api.test_public import assert_error
from urgent.api.models import ApiToken
from urgent.api.services import api_token_revoke
from urgent.cases.models import Case
from urgent.core.models import AuditEntry
from urgent.officials.models import Official

pytestmark = pytest.mark.django_db

Headers = Callable[..., dict[str, Any]]

STAFF_GETS = [
    "/api/v1/staff/cases",
    "/api/v1/staff/stats",
    "/api/v1/staff/officials",
    "/api/v1/staff/cases/{case}",
    "/api/v1/staff/cases/{case}/actions",
    "/api/v1/staff/cases/{case}/stats",
]
STAFF_POSTS = [
    ("/api/v1/staff/cases", "EDIT"),
    ("/api/v1/staff/cases/{case}/targets", "EDIT"),
    ("/api/v1/staff/cases/{case}/updates", "EDIT"),
    ("/api/v1/staff/cases/{case}/publish", "PUBLISH"),
    ("/api/v1/staff/cases/{case}/close", "PUBLISH"),
]


def post(client: Any, url: str, data: Any, headers: dict[str, Any]) -> Any:
    return client.post(url, data=json.dumps(data), content_type="application/json", headers=headers)


def patch(client: Any, url: str, data: Any, headers: dict[str, Any]) -> Any:
    return client.patch(
        url, data=json.dumps(data), content_type="application/json", headers=headers
    )


def case_uuid(slug: str) -> str:
    return str(Case.objects.get(slug=slug).uuid)


def official_uuid(name: str) -> str:
    return str(Official.objects.get(name=name).uuid)


def test_every_staff_endpoint_needs_a_token(client: Any, demo: None, bearer: Headers) -> None:
    case = case_uuid("ua-110-26")
    wrong = {"Authorization": "Bearer urg_not-a-real-token"}
    for url in STAFF_GETS:
        for headers in ({}, wrong, {"Authorization": "Basic dXNlcjpwYXNz"}):
            response = client.get(url.format(case=case), headers=headers)
            assert_error(response, 401, "unauthenticated")
            assert response["WWW-Authenticate"].startswith("Bearer")
    for url, _cap in STAFF_POSTS:
        assert_error(post(client, url.format(case=case), {}, {}), 401, "unauthenticated")
    assert_error(patch(client, f"/api/v1/staff/cases/{case}", {}, {}), 401, "unauthenticated")


def test_roles_decide_what_a_token_may_do(client: Any, demo: None, bearer: Headers) -> None:
    case = case_uuid("ua-110-26")
    nobody = bearer("none")
    for url in STAFF_GETS:
        assert_error(client.get(url.format(case=case), headers=nobody), 403, "forbidden")
    viewer = bearer("viewer")
    for url in STAFF_GETS:
        assert client.get(url.format(case=case), headers=viewer).status_code == 200, url
    for url, _cap in STAFF_POSTS:
        assert_error(post(client, url.format(case=case), {}, viewer), 403, "forbidden")
    editor = bearer("editor")
    for url, cap in STAFF_POSTS:
        if cap == "PUBLISH":
            assert_error(
                post(
                    client,
                    url.format(case=case),
                    {"kind": "released", "occurred_on": "2026-01-01"},
                    editor,
                ),
                403,
                "forbidden",
            )


def test_revoked_token_and_inactive_user_are_refused(
    client: Any, demo: None, api_token: Callable[..., str]
) -> None:
    raw = api_token("viewer")
    headers = {"Authorization": f"Bearer {raw}"}
    assert client.get("/api/v1/staff/cases", headers=headers).status_code == 200
    token = ApiToken.objects.get()
    assert token.last_used_at is not None
    token.user.is_active = False
    token.user.save()
    assert_error(client.get("/api/v1/staff/cases", headers=headers), 401, "unauthenticated")
    token.user.is_active = True
    token.user.save()
    api_token_revoke(token=token)
    assert_error(client.get("/api/v1/staff/cases", headers=headers), 401, "unauthenticated")


def test_wrong_tokens_are_throttled_per_address(client: Any, db: None) -> None:
    from urgent.api.auth import FAILURES_PER_WINDOW

    wrong = {"Authorization": "Bearer urg_wrong"}
    for _ in range(FAILURES_PER_WINDOW):
        assert client.get("/api/v1/staff/cases", headers=wrong).status_code == 401
    assert_error(client.get("/api/v1/staff/cases", headers=wrong), 429, "throttled")


def test_draft_to_published_to_update_to_closed(client: Any, demo: None, bearer: Headers) -> None:
    headers = bearer("coordinator")
    created = post(
        client,
        "/api/v1/staff/cases",
        {
            "reference": "UA 120/26",
            "headline": "Lawyer held without charge",
            "country": "by",
            "story": "Aliaksei Kuzmich, a lawyer, was detained on 2 May without charge.",
            "background": "Lawyers who defend protesters have lost their licences.",
            "deadline": (timezone.localdate() + datetime.timedelta(days=30)).isoformat(),
            "people": [{"name": "Aliaksei Kuzmich", "pronouns": "he/him"}],
            "asks": ["Release Aliaksei Kuzmich immediately."],
            "themes": ["fair-trial"],
        },
        headers,
    )
    assert created.status_code == 201, created.content
    case = created.json()
    assert case["status"] == "draft" and case["version"] == 1 and case["country"] == "BY"
    assert case["all_people"] == [
        {"name": "Aliaksei Kuzmich", "pronouns": "he/him", "visibility": "public"}
    ]
    url = f"/api/v1/staff/cases/{case['uuid']}"
    assert client.get(f"/api/v1/cases/{case['slug']}").status_code == 404  # not public yet

    refused = post(client, f"{url}/publish", {}, headers)
    body = assert_error(refused, 400, "case_incomplete")
    assert any("primary target" in m for m in body["fields"]["__all__"])

    target = post(
        client,
        f"{url}/targets",
        {"official": official_uuid("Viktar Lasko"), "role": "primary"},
        headers,
    )
    assert target.status_code == 201, target.content
    published = post(client, f"{url}/publish", {}, headers)
    assert published.status_code == 200, published.content
    assert published.json()["status"] == "active"
    assert client.get(f"/api/v1/cases/{case['slug']}").status_code == 200

    update = post(
        client,
        f"{url}/updates",
        {"body": "He was moved to a pre-trial prison.", "asks": ["Let his family see him."]},
        headers,
    )
    assert update.status_code == 201, update.content
    assert update.json()["number"] == 1
    assert update.json()["title"] == "Further information on UA 120/26"

    closed = post(
        client,
        f"{url}/close",
        {"kind": "released", "occurred_on": timezone.localdate().isoformat(), "update_number": 1},
        headers,
    )
    assert closed.status_code == 200, closed.content
    final = closed.json()
    assert final["status"] == "closed"
    assert final["asks"] == ["Let his family see him."]
    assert final["outcomes"][0]["kind"] == "released"
    assert final["outcomes"][0]["update_number"] == 1
    actions = list(
        AuditEntry.objects.filter(object_id=str(Case.objects.get(uuid=case["uuid"]).pk))
        .order_by("id")
        .values_list("action", "actor_name")
    )
    assert [a for a, _ in actions] == [
        "case.create",
        "case.target_add",
        "case.publish",
        "case.update_post",
        "case.close",
    ]
    assert {name for _, name in actions} == {"api-coordinator"}


def test_concurrent_edits_are_detected(client: Any, demo: None, bearer: Headers) -> None:
    headers = bearer("editor")
    url = f"/api/v1/staff/cases/{case_uuid('ua-110-26')}"
    version = client.get(url, headers=headers).json()["version"]
    first = patch(client, url, {"expected_version": version, "headline": "First"}, headers)
    assert first.status_code == 200 and first.json()["version"] == version + 1
    second = patch(client, url, {"expected_version": version, "headline": "Second"}, headers)
    body = assert_error(second, 409, "conflict")
    assert "reload" in body["message"]
    assert Case.objects.get(slug="ua-110-26").headline == "First"


def test_patch_replaces_people_and_asks(client: Any, demo: None, bearer: Headers) -> None:
    headers = bearer("editor")
    url = f"/api/v1/staff/cases/{case_uuid('ua-110-26')}"
    version = client.get(url, headers=headers).json()["version"]
    response = patch(
        client,
        url,
        {
            "expected_version": version,
            "people": [{"name": "Pavel Sidarenka", "visibility": "initials"}],
            "asks": ["Reveal where he is held.", "Let him see a lawyer."],
        },
        headers,
    )
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["asks"] == ["Reveal where he is held.", "Let him see a lawyer."]
    assert body["people"] == [{"name": "P. S.", "pronouns": ""}]
    assert body["version"] == version + 1


@pytest.mark.parametrize(
    ("payload", "field"),
    [
        ({"headline": "x", "country": "MX"}, "reference"),
        ({"reference": "UA 1/27", "headline": " ", "country": "MX"}, "headline"),
        ({"reference": "UA 1/27", "headline": "x", "country": "XX"}, "country"),
        (
            {"reference": "UA 1/27", "headline": "x", "country": "MX", "deadline": "soon"},
            "deadline",
        ),
        ({"reference": "UA 1/27", "headline": "x\x00", "country": "MX"}, "headline"),
        ({"reference": "UA 1/27", "headline": "x", "country": "MX", "themes": ["nope"]}, "themes"),
        (
            {"reference": "UA 1/27", "headline": "x", "country": "MX", "language": "english"},
            "language",
        ),
        (
            {"reference": "UA 1/27", "headline": "x", "country": "MX", "people": [{"name": ""}]},
            "people.0.name",
        ),
        (
            {
                "reference": "UA 1/27",
                "headline": "x",
                "country": "MX",
                "targets": [{"official": "00000000-0000-0000-0000-000000000000"}],
            },
            "targets",
        ),
        ({"reference": "UA 101/26", "headline": "x", "country": "MX"}, "reference"),
    ],
)
def test_bad_case_input_is_named(
    client: Any, demo: None, bearer: Headers, payload: dict[str, Any], field: str
) -> None:
    response = post(client, "/api/v1/staff/cases", payload, bearer("editor"))
    assert response.status_code in {400, 422}, response.content
    body = response.json()
    assert field in body["fields"], body
    assert Case.objects.filter(reference="UA 1/27").count() == 0


def test_bad_bodies(client: Any, demo: None, bearer: Headers) -> None:
    headers = bearer("coordinator")
    response = client.post(
        "/api/v1/staff/cases", data="{not json", content_type="application/json", headers=headers
    )
    assert_error(response, 400, "bad_request")
    url = f"/api/v1/staff/cases/{case_uuid('ua-101-26')}"
    assert_error(patch(client, url, {"headline": "no version"}, headers), 422, "invalid")
    assert_error(
        patch(client, url, {"expected_version": 1, "headline": None}, headers), 400, "invalid"
    )
    future = (timezone.localdate() + datetime.timedelta(days=3)).isoformat()
    body = assert_error(
        post(client, f"{url}/close", {"kind": "released", "occurred_on": future}, headers),
        400,
        "invalid",
    )
    assert "occurred_on" in body["fields"]
    body = assert_error(
        post(client, f"{url}/close", {"kind": "pardoned", "occurred_on": "2026-01-01"}, headers),
        422,
        "invalid",
    )
    assert "kind" in body["fields"]
    assert_error(post(client, f"{url}/updates", {"body": "  "}, headers), 422, "invalid")
    assert_error(client.get("/api/v1/staff/cases/not-a-uuid", headers=headers), 422, "invalid")
    assert_error(
        client.get("/api/v1/staff/cases/00000000-0000-0000-0000-000000000000", headers=headers),
        404,
        "not_found",
    )


def test_publish_twice_and_update_on_draft_are_refused(
    client: Any, demo: None, bearer: Headers
) -> None:
    headers = bearer("coordinator")
    active = f"/api/v1/staff/cases/{case_uuid('ua-101-26')}"
    assert_error(post(client, f"{active}/publish", {}, headers), 400, "not_draft")
    draft = f"/api/v1/staff/cases/{case_uuid('ua-110-26')}"
    assert_error(post(client, f"{draft}/updates", {"body": "News."}, headers), 400, "invalid")


def test_actions_and_stats(client: Any, demo: None, bearer: Headers) -> None:
    headers = bearer("viewer")
    url = f"/api/v1/staff/cases/{case_uuid('ua-87-26')}"
    page = client.get(f"{url}/actions?limit=5", headers=headers).json()
    assert page["count"] == 118 and len(page["items"]) == 5
    assert set(page["items"][0]) == {
        "uuid",
        "channel",
        "confirmed",
        "language",
        "created_at",
        "officials",
    }
    faxes = client.get(f"{url}/actions?channel=fax&limit=500", headers=headers).json()
    assert faxes["count"] == len(faxes["items"]) > 0
    assert {a["channel"] for a in faxes["items"]} == {"fax"}
    stats = client.get(f"{url}/stats", headers=headers).json()
    assert stats["actions"] == 118
    assert sum(r["count"] for r in stats["actions_by_channel"]) == 118
    assert sum(d["count"] for d in stats["actions_by_day"]) == 118
    totals = client.get("/api/v1/staff/stats", headers=headers).json()
    assert totals["drafts"] == 1 and totals["totals"]["cases"] == 5
    officials = client.get("/api/v1/staff/officials?q=president", headers=headers).json()
    assert [o["name"] for o in officials["items"]] == ["Oraz Baymuradov"]
    assert officials["items"][0]["contact_points"]


def test_actions_query_count_does_not_grow_with_the_page(
    client: Any, demo: None, bearer: Headers
) -> None:
    headers = bearer("viewer")
    url = f"/api/v1/staff/cases/{case_uuid('ua-12-26')}/actions"
    client.get(url, headers=headers)  # the token's last use is written once a minute
    with CaptureQueriesContext(connection) as small:
        assert len(client.get(f"{url}?limit=5", headers=headers).json()["items"]) == 5
    with CaptureQueriesContext(connection) as large:
        assert len(client.get(f"{url}?limit=200", headers=headers).json()["items"]) == 200
    assert len(large) == len(small) <= 14, [q["sql"] for q in large]


def test_null_lists_and_numeric_dates(client: Any, demo: None, bearer: Headers) -> None:
    """Found by schemathesis: a null list crashed validation; a number passed as a date."""
    headers = bearer("coordinator")
    url = f"/api/v1/staff/cases/{case_uuid('ua-87-26')}"
    version = client.get(url, headers=headers).json()["version"]
    response = patch(client, url, {"expected_version": version, "asks": None}, headers)
    assert response.status_code in {200, 400}, response.content
    assert response.json().get("code") != "server_error"
    body = assert_error(
        post(client, f"{url}/updates", {"body": "News.", "issued_on": 0}, headers), 422, "invalid"
    )
    assert "issued_on" in body["fields"]
    ok = post(client, f"{url}/updates", {"body": "News.", "asks": None}, headers)
    assert ok.status_code == 201, ok.content


def test_patch_to_a_used_reference_is_refused(client: Any, demo: None, bearer: Headers) -> None:
    """Found by schemathesis: renaming a case to another case's reference was a 500."""
    headers = bearer("editor")
    url = f"/api/v1/staff/cases/{case_uuid('ua-110-26')}"
    version = client.get(url, headers=headers).json()["version"]
    response = patch(client, url, {"expected_version": version, "reference": "ua 101/26"}, headers)
    body = assert_error(response, 400, "duplicate_reference")
    assert "reference" in body["fields"]
    assert Case.objects.get(slug="ua-110-26").reference == "UA 110/26"


def test_the_api_cannot_close_without_an_outcome_nor_reopen_without_the_role(
    client: Any, demo: None, bearer: Headers
) -> None:
    active = Case.objects.get(slug="ua-101-26")
    closed = Case.objects.get(slug="ua-12-26")
    editor, coordinator = bearer("editor"), bearer("coordinator")

    closing = post(
        client,
        f"/api/v1/staff/cases/{active.uuid}/updates",
        {"body": "Released.", "status": "closed"},
        coordinator,
    )
    assert_error(closing, 422, "invalid")
    assert Case.objects.get(pk=active.pk).status == "active"

    url = f"/api/v1/staff/cases/{closed.uuid}/updates"
    reopening = post(client, url, {"body": "Re-arrested.", "status": "active"}, editor)
    body = assert_error(reopening, 403, "forbidden")
    assert "publish" in body["message"]
    assert Case.objects.get(pk=closed.pk).status == "closed"
    assert (
        post(client, url, {"body": "Re-arrested.", "status": "active"}, coordinator).status_code
        == 201
    )
    assert Case.objects.get(pk=closed.pk).status == "active"
