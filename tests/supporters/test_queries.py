"""Pages and reads that list a supporter's history cost the same few queries however long it is."""

from __future__ import annotations

from typing import Any

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from tests.supporters.factories import supporter_with_history
from urgent.actions.models import Action
from urgent.cases.models import Case
from urgent.officials.models import Official
from urgent.outreach import selectors as outreach_selectors
from urgent.supporters import selectors
from urgent.supporters.links import supporter_url
from urgent.supporters.models import Subscription

pytestmark = pytest.mark.django_db


def grow(supporter: Any, n: int) -> None:
    officials = list(Official.objects.all()[:2])
    for case in Case.objects.exclude(status="draft"):
        Subscription.objects.get_or_create(
            supporter=supporter,
            kind="case",
            case=case,
            defaults={"confirmed_at": supporter.created_at},
        )
    for i in range(n):
        action = Action.objects.create(
            case=Case.objects.get(slug="ua-87-26"),
            supporter=supporter,
            channel="post",
            letter=f"{i}",
        )
        action.officials.set(officials)


def count(fn: Any) -> int:
    with CaptureQueriesContext(connection) as queries:
        fn()
    return len(queries)


def test_preference_centre_and_export_do_not_grow_with_history(client: Client, demo: None) -> None:
    supporter = supporter_with_history()
    url = supporter_url(supporter_uuid=supporter.uuid, purpose="preferences").split("8000", 1)[1]
    client.get(url)  # warm caches (sessions, content types)
    small_page = count(lambda: client.get(url))
    small_export = count(lambda: outreach_selectors.supporter_export(supporter=supporter))
    grow(supporter, 30)
    assert count(lambda: client.get(url)) == small_page
    assert count(lambda: outreach_selectors.supporter_export(supporter=supporter)) == small_export
    assert small_page <= 16


def test_audiences_are_one_query(demo: None) -> None:
    supporter = supporter_with_history()
    case = Case.objects.get(slug="ua-101-26")
    assert count(lambda: list(selectors.subscription_case_audience(case=case))) == 1
    assert count(lambda: list(selectors.supporter_new_case_audience(case=case))) == 2
    assert supporter in selectors.supporter_new_case_audience(case=case)
