"""Arbitrary input to the public forms (join, letter, preferences) through the test client:
an answer every time, never a server error."""

from __future__ import annotations

from typing import Any
from urllib.parse import quote

import pytest
from django.test import Client
from hypothesis import given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st

from tests.fuzz.strategies import address, nasty_text
from urgent.supporters.links import supporter_token
from urgent.supporters.models import Supporter
from urgent.supporters.selectors import supporters_by_email

pytestmark = pytest.mark.django_db

field = st.one_of(nasty_text, st.sampled_from(["", "0", "-1", "99", "on", "FR", "en", "every"]))
many = st.lists(field, max_size=3)


def _post(client: Client, path: str, data: dict[str, Any]) -> int:
    # Django's test client cannot encode NUL or lone surrogates in a form; browsers neither.
    clean = {
        k: [x.replace("\x00", "") for x in v] if isinstance(v, list) else v.replace("\x00", "")
        for k, v in data.items()
    }
    return int(client.post(path, clean).status_code)


@hypothesis_settings(max_examples=20)
@given(
    name=field,
    email=st.one_of(address, field),
    city=field,
    country=field,
    language=field,
    countries=many,
    themes=many,
    frequency=field,
    monthly_cap=field,
    consent=field,
    website=st.sampled_from(["", "x"]),
)
def test_join_form_never_errors(db: None, client: Client, **data: Any) -> None:
    assert _post(client, "/join/", data) < 500


@hypothesis_settings(max_examples=20)
@given(
    language=field,
    subject=field,
    letter=st.one_of(field, nasty_text.map(lambda t: "Dear Minister,\n\n" + t * 3)),
    personal=field,
    name=field,
    city=field,
    country=field,
    initials_only=field,
    email=st.one_of(address, field),
    channel=st.one_of(st.sampled_from(["email", "fax", "post", "mail_app"]), field),
    altcha=field,
    website=st.sampled_from(["", "x"]),
)
def test_letter_form_never_errors(demo: None, client: Client, **data: Any) -> None:
    assert _post(client, "/act/ua-101-26/", data) < 500


@hypothesis_settings(max_examples=20)
@given(
    token=st.one_of(st.just("valid"), nasty_text.filter(lambda t: "/" not in t and t.strip())),
    name=field,
    city=field,
    country=field,
    language=field,
    countries=many,
    themes=many,
    frequency=field,
    monthly_cap=field,
    channels=many,
    new_cases=field,
)
def test_preferences_form_never_errors(demo: None, client: Client, token: str, **data: Any) -> None:
    supporter = supporters_by_email("fuzz@example.org").first() or Supporter.objects.create(
        email="fuzz@example.org", status=Supporter.Status.ACTIVE, name="Fuzz"
    )
    if token == "valid":
        token = supporter_token(supporter_uuid=supporter.uuid, purpose="preferences")
    path = f"/s/preferences/{quote(token, safe='')}/"
    assert client.get(path).status_code < 500
    assert _post(client, path, data) < 500
