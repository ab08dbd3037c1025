"""The public endpoints: actor, discovery, context, outbox pages, objects."""

from __future__ import annotations

import json
from typing import Any

import pytest
from django.test import Client

from urgent.cases.models import Case
from urgent.federation import activities, keys, vocab
from urgent.federation.models import Activity
from urgent.federation.remote import actor_from_document

pytestmark = pytest.mark.django_db


def test_the_actor_document_has_inbox_outbox_and_key(client: Client) -> None:
    response = client.get("/federation/actor")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/activity+json; charset=utf-8"
    actor = response.json()
    assert actor["id"] == "http://127.0.0.1:8000/federation/actor"
    assert actor["type"] == "Organization"
    assert actor["inbox"].endswith("/federation/inbox")
    assert actor["outbox"].endswith("/federation/outbox")
    assert actor["publicKey"]["id"] == keys.key_current().key_id
    assert actor["publicKey"]["owner"] == actor["id"]
    assert actor["@context"][0] == vocab.AS_CONTEXT
    # Another instance reads it with the same checks this one applies.
    found = actor_from_document(response.content, url=actor["id"])
    assert found.key.fingerprint == keys.key_current().fingerprint


def test_after_a_rotation_the_old_key_is_listed_with_its_end(client: Client) -> None:
    old, new = keys.key_rotate()
    actor = client.get("/federation/actor").json()
    assert actor["publicKey"]["id"] == new.key_id
    [retired] = actor["retiredKeys"]
    assert retired["id"] == old.key_id and retired["validUntil"]


def test_webfinger_finds_the_actor(client: Client) -> None:
    response = client.get("/.well-known/webfinger", {"resource": "acct:urgent@127.0.0.1:8000"})
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/jrd+json")
    [link] = response.json()["links"]
    assert link == {
        "rel": "self",
        "type": "application/activity+json",
        "href": "http://127.0.0.1:8000/federation/actor",
    }
    by_url = client.get("/.well-known/webfinger", {"resource": link["href"]})
    assert by_url.status_code == 200
    assert client.get("/.well-known/webfinger", {"resource": "acct:x@y"}).status_code == 404
    assert client.get("/.well-known/webfinger").status_code == 400


def test_the_well_known_document_and_nodeinfo(client: Client) -> None:
    known = client.get("/.well-known/urgent").json()
    assert known["actor"].endswith("/federation/actor")
    assert known["fingerprint"] == keys.key_current().fingerprint
    assert known["protocol"] == vocab.PROTOCOL
    index = client.get("/.well-known/nodeinfo").json()
    href = index["links"][0]["href"]
    info = client.get(href.replace("http://127.0.0.1:8000", "")).json()
    assert info["protocols"] == ["activitypub"] and info["software"]["name"] == "urgent"


def test_the_context_document_defines_the_terms(client: Client) -> None:
    response = client.get("/federation/context.jsonld")
    assert response["Content-Type"].startswith("application/ld+json")
    context = response.json()["@context"]
    for term in ["reference", "headline", "persons", "asks", "targets", "deadline", "stopped"]:
        assert term in context
    assert context["deadline"] == {"@id": "ua:deadline", "@type": "xsd:date"}
    assert context["ua"] == vocab.NAMESPACE


def _public(n: int) -> None:
    for i in range(n):
        payload = activities.case_delete_build(
            object_id=f"http://127.0.0.1:8000/federation/cases/{i}"
        )
        Activity.objects.create(
            activity_id=payload["id"], direction="out", kind="Delete", public=True, payload=payload
        )


def test_the_outbox_is_paged_newest_first(
    client: Client, django_assert_max_num_queries: Any
) -> None:
    empty = client.get("/federation/outbox").json()
    assert empty["type"] == "OrderedCollection" and empty["totalItems"] == 0
    _public(25)
    private = activities.follow_build(actor_url="https://b.example/federation/actor")
    Activity.objects.create(
        activity_id=private["id"], direction="out", kind="Follow", payload=private
    )
    collection = client.get("/federation/outbox").json()
    assert collection["totalItems"] == 25
    assert collection["last"].endswith("?page=2")
    with django_assert_max_num_queries(2):
        first = client.get("/federation/outbox", {"page": "1"}).json()
    assert first["type"] == "OrderedCollectionPage" and len(first["orderedItems"]) == 20
    assert first["orderedItems"][0]["object"]["id"].endswith("/24")
    assert "@context" not in first["orderedItems"][0]
    assert first["next"].endswith("?page=2") and "prev" not in first
    second = client.get("/federation/outbox", {"page": "2"}).json()
    assert len(second["orderedItems"]) == 5 and "next" not in second
    assert client.get("/federation/outbox", {"page": "3"}).status_code == 404
    assert client.get("/federation/outbox", {"page": "x"}).status_code == 404
    assert "Follow" not in json.dumps([first, second])


def test_public_activities_and_published_cases_can_be_fetched(client: Client, demo: None) -> None:
    _public(1)
    activity = Activity.objects.get()
    response = client.get(activity.activity_id.replace("http://127.0.0.1:8000", ""))
    assert response.status_code == 200 and response.json()["id"] == activity.activity_id
    case = Case.objects.get(slug="ua-101-26")
    document = client.get(f"/federation/cases/{case.uuid}").json()
    assert document["type"] == "UrgentAction" and document["@context"] == vocab.contexts()
    Case.objects.filter(pk=case.pk).update(status=Case.Status.DRAFT)
    assert client.get(f"/federation/cases/{case.uuid}").status_code == 404
    private = activities.follow_build(actor_url="https://b.example/federation/actor")
    Activity.objects.create(
        activity_id=private["id"], direction="out", kind="Follow", payload=private
    )
    assert client.get(private["id"].replace("http://127.0.0.1:8000", "")).status_code == 404
