"""Urgent actions as they leave: the serialiser, the strict parser, and what never leaves."""

from __future__ import annotations

import copy
import json
from collections.abc import Iterator
from typing import Any

import pytest
from django.test import Client

from tests.federation.fake import FakeInstance
from tests.federation.test_inbox import _known
from tests.supporters.factories import supporter_with_history
from urgent.actions.models import Action
from urgent.cases.models import Case
from urgent.federation import activities, keys, vocab
from urgent.federation.actor import actor_document
from urgent.federation.delivery import activity_body
from urgent.federation.errors import Refusal
from urgent.federation.models import Activity, Instance
from urgent.federation.schemas import activity_parse
from urgent.federation.selectors import case_counts, case_for_federation
from urgent.federation.serialise import urgent_action_from_case
from urgent.federation.services import case_activity_send

pytestmark = pytest.mark.django_db


def _action(slug: str) -> dict[str, Any]:
    case = case_for_federation(case_id=Case.objects.get(slug=slug).pk)
    assert case is not None
    return urgent_action_from_case(case, counts=case_counts(case=case))


def _keys(value: Any, parent: str = "") -> Iterator[str]:
    if isinstance(value, dict):
        for key, item in value.items():
            if parent != "byChannel":
                yield key
            yield from _keys(item, key)
    elif isinstance(value, list):
        for item in value:
            yield from _keys(item, parent)


def test_an_urgent_action_carries_the_case(demo: None) -> None:
    action = _action("ua-101-26")
    case = Case.objects.get(slug="ua-101-26")
    assert action["type"] == "UrgentAction"
    assert action["id"] == f"http://127.0.0.1:8000/federation/cases/{case.uuid}"
    assert action["url"] == "http://127.0.0.1:8000/cases/ua-101-26/"
    assert action["reference"] == case.reference and action["version"] == case.version
    assert action["persons"] == [
        {
            "type": "PersonAtRisk",
            "name": "Daniyar Orazmyradov",
            "pronouns": "he/him",
            "visibility": "public",
        }
    ]
    assert action["asks"] == [a.text for a in case.asks.all()]
    primary = action["targets"][0]
    assert primary["role"] == "primary" and primary["official"]["type"] == "Official"
    assert {p["kind"] for p in primary["contactPoints"]} >= {"email", "postal"}
    assert action["counts"]["actions"] == Action.objects.filter(case=case).count()
    assert action["stopped"] is False and action["namesHidden"] is False


def test_every_term_is_defined_by_a_context(demo: None) -> None:
    for slug in ["ua-101-26", "ua-87-26", "ua-95-26", "ua-64-26", "ua-12-26"]:
        payload = activities.case_activity_build("Create", urgent_action=_action(slug))
        assert set(_keys(payload)) <= vocab.TERMS, set(_keys(payload)) - vocab.TERMS
    assert set(_keys(actor_document())) <= vocab.TERMS


def test_everything_we_send_passes_our_own_strict_parser(demo: None) -> None:
    action = _action("ua-87-26")
    follow = activities.follow_build(actor_url="https://b.example/federation/actor")
    follow["actor"] = keys.actor_url()
    built = [
        activities.case_activity_build(kind, urgent_action=action)
        for kind in ("Create", "Update", "Announce")
    ] + [
        activities.case_delete_build(object_id=action["id"]),
        follow,
        activities.accept_build(follow=follow),
        activities.reject_build(follow=follow),
        activities.undo_build(follow=follow),
        activities.actor_update_build(actor=actor_document(), to=[]),
    ]
    for payload in built:
        parsed, data = activity_parse(activity_body(payload))
        assert parsed.type == payload["type"]
        assert data == json.loads(activity_body(payload))


def test_drafts_never_leave(demo: None) -> None:
    case = Case.objects.get(slug="ua-101-26")
    Case.objects.filter(pk=case.pk).update(status=Case.Status.DRAFT)
    assert case_for_federation(case_id=case.pk) is None
    case.status = Case.Status.DRAFT
    with pytest.raises(ValueError, match="not published"):
        urgent_action_from_case(case, counts=case_counts(case=case))


def test_hidden_people_never_leave_and_initials_leave_as_initials(demo: None) -> None:
    hidden = json.dumps(_action("ua-64-26"))
    assert "Jun" not in hidden
    mixed = _action("ua-95-26")
    assert [(p["name"], p["visibility"]) for p in mixed["persons"]] == [
        ("Rosa Santiago López", "public"),
        ("T. R.", "initials"),
    ]
    assert "Tomás" not in json.dumps(mixed)


def test_with_names_hidden_no_name_leaves_anywhere(demo: None) -> None:
    Case.objects.filter(slug="ua-95-26").update(hide_names=True, actions_stopped=True)
    action = _action("ua-95-26")
    assert action["persons"] == [] and action["namesHidden"] is True and action["stopped"] is True
    text = json.dumps(action, ensure_ascii=False)
    assert "Rosa" not in text and "Santiago" not in text
    assert "[name withheld]" in action["story"]


def test_no_supporter_data_in_any_payload(demo: None, client: Client) -> None:
    supporter = supporter_with_history(email="leak.check@example.org")
    case = Case.objects.get(slug="ua-101-26")
    Action.objects.create(
        case=case,
        supporter=supporter,
        channel="email",
        letter="Unique letter text 7f3a from a supporter",
        signature="Signed Secretname",
        confirmed=True,
    )
    Instance.objects.create(
        actor_url="https://b.example/federation/actor",
        inbox_url="https://b.example/federation/inbox",
        name="B",
        follower_state="accepted",
    )
    case_activity_send(case=case, kind="Create")
    outbound = [a.payload for a in Activity.objects.filter(direction="out")]
    outbound.append(client.get("/federation/actor").json())
    outbound.append(client.get("/federation/outbox?page=1").json())
    outbound.append(client.get(f"/federation/cases/{case.uuid}").json())
    text = json.dumps(outbound, ensure_ascii=False)
    for secret in [
        "leak.check@example.org",
        "Ana Lima",
        "Porto Exemplo",
        "Unique letter text 7f3a",
        "Secretname",
        str(supporter.uuid),
    ]:
        assert secret not in text
    assert outbound[0]["object"]["counts"]["byChannel"]["email"] >= 2


def _create(fake: FakeInstance, action: dict[str, Any]) -> dict[str, Any]:
    obj = {**action, "id": f"{fake.base}/federation/cases/1", "attributedTo": fake.actor_url}
    return fake.activity("Create", obj)


@pytest.mark.parametrize(
    ("change", "where"),
    [
        ({"surprise": 1}, "surprise"),
        ({"country": "Turkmenistan"}, "country"),
        ({"version": "3"}, "version"),
        ({"version": 0}, "version"),
        ({"published": "2026-01-01T10:00:00"}, "published"),
        ({"persons": [{"type": "PersonAtRisk", "name": "X", "visibility": "hidden"}]}, "persons"),
        ({"namesHidden": True}, "names hidden"),
        ({"asks": ["x"] * 31}, "asks"),
        ({"status": "draft"}, "status"),
        ({"counts": {"type": "Counts", "actions": -1}}, "counts"),
    ],
)
def test_the_parser_refuses_a_wrong_urgent_action(
    demo: None, client: Client, fake: FakeInstance, change: dict[str, Any], where: str
) -> None:
    _known(fake, following_state="accepted")
    action = {**copy.deepcopy(_action("ua-87-26")), **change}
    response = fake.post(client, _create(fake, action))
    assert response.status_code == 422, response.content
    assert response.json()["code"] == "invalid_activity"
    assert where in response.json()["message"] or where == "names hidden"
    assert not Activity.objects.filter(direction="in").exists()


def test_an_urgent_action_from_a_followed_instance_is_taken(
    demo: None, client: Client, fake: FakeInstance
) -> None:
    _known(fake, following_state="accepted")
    create = _create(fake, _action("ua-87-26"))
    assert fake.post(client, create).status_code == 202
    stored = Activity.objects.get(direction="in", kind="Create")
    assert stored.object_id == create["object"]["id"] and stored.payload == create


def test_an_urgent_action_from_an_instance_not_followed_is_refused(
    demo: None, client: Client, fake: FakeInstance
) -> None:
    _known(fake, follower_state="accepted", following_state="pending")
    response = fake.post(client, _create(fake, _action("ua-87-26")))
    assert response.status_code == 403 and response.json()["code"] == "not_following"
    assert not Activity.objects.filter(direction="in").exists()


def test_an_urgent_action_with_an_id_on_another_site_is_refused(
    demo: None, client: Client, fake: FakeInstance
) -> None:
    _known(fake, following_state="accepted")
    create = fake.activity("Create", _action("ua-87-26"))
    response = fake.post(client, create)
    assert response.status_code == 422 and response.json()["code"] == "foreign_id"
    announce = fake.activity("Announce", _action("ua-87-26"))
    assert fake.post(client, announce).status_code == 202


def test_refusals_carry_the_reason_in_words(demo: None) -> None:
    body = activity_body(activities.case_delete_build(object_id="ftp://x"))
    with pytest.raises(Refusal) as caught:
        activity_parse(body)
    assert "object.id" in caught.value.message
