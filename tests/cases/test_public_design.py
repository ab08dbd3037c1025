"""The case page and home as a supporter meets them: action first, only live cases listed,
a closed case led by its outcome, the way to join everywhere."""

from __future__ import annotations

import datetime

import pytest
from django.test import Client
from django.utils import timezone

from urgent.cases.models import Case

pytestmark = pytest.mark.django_db


def test_home_lists_only_cases_taking_letters_soonest_deadline_first(
    client: Client, demo: None
) -> None:
    html = client.get("/").content.decode()
    active = html.split('id="passed-heading"')[0]
    # UA 64/26's deadline passed three days ago: it no longer takes letters.
    assert "Teenager facing execution" not in active
    order = [
        active.index(headline)
        for headline in (
            "Student journalist jailed",  # 12 days left
            "Defensora indígena",  # 25 days
            "Opposition activist at risk",  # 38 days
        )
    ]
    assert order == sorted(order)
    assert active.count('class="case-card"') == 3
    passed = html.split('id="passed-heading"')[1]
    assert "Teenager facing execution" in passed


def test_a_case_without_deadline_comes_after_the_dated_ones(client: Client, demo: None) -> None:
    Case.objects.filter(slug="ua-87-26").update(deadline=None)
    html = client.get("/").content.decode()
    assert html.index("Opposition activist at risk") < html.index("Student journalist jailed")
    Case.objects.filter(slug="ua-101-26").update(deadline=timezone.localdate())
    html = client.get("/").content.decode().split('id="passed-heading"')[0]
    assert "Opposition activist at risk" in html  # the last day still counts


def test_case_page_puts_action_before_addresses_and_background(client: Client, demo: None) -> None:
    html = client.get("/cases/ua-101-26/").content.decode()
    jump = html.index('href="#take-action"')
    asks = html.index('id="asks-heading"')
    letter = html.index('id="id_subject"')
    addresses = html.index('id="targets-heading"')
    story = html.index('id="story-heading"')
    assert jump < asks < letter < addresses < story
    assert html.index('id="summary-heading"') < asks


def test_closed_case_leads_with_its_outcome_and_offers_no_action(
    client: Client, demo: None
) -> None:
    html = client.get("/cases/ua-12-26/").content.decode()
    main = html.split('id="main"', 1)[1]
    assert main.index('class="notice notice-outcome"') < main.index('id="story-heading"')
    assert "Released" in main.split('id="story-heading"')[0]
    assert "Act by" not in main
    assert "days left" not in main
    assert "Get updates on this case" not in main
    assert 'id="take-action"' not in main
    assert 'href="#take-action"' not in main


@pytest.mark.parametrize("path", ["/", "/cases/ua-101-26/", "/cases/ua-12-26/", "/impact/"])
def test_public_pages_link_to_join(client: Client, demo: None, path: str) -> None:
    html = client.get(path).content.decode()
    main = html.split('id="main"', 1)[1]
    assert 'href="/join/"' in main


@pytest.mark.parametrize(
    "path", ["/", "/cases/ua-101-26/", "/cases/ua-12-26/", "/impact/", "/join/", "/preferences/"]
)
def test_every_public_page_has_a_meta_description(client: Client, demo: None, path: str) -> None:
    html = client.get(path).content.decode()
    start = html.index('<meta name="description" content="') + len('<meta name="description"')
    content = html[start:].split('"', 2)[1]
    assert 40 <= len(content) <= 160, content


def test_case_page_description_is_its_summary(client: Client, demo: None) -> None:
    html = client.get("/cases/ua-101-26/").content.decode()
    story = Case.objects.get(slug="ua-101-26").story.split()[:4]
    assert f'<meta name="description" content="{" ".join(story)}' in html


def test_join_page_may_be_indexed_but_signed_link_pages_may_not(client: Client, demo: None) -> None:
    assert "noindex" not in client.get("/join/").content.decode()
    assert "noindex" in client.get("/s/preferences/not-a-token/").content.decode()


def test_deadline_today_is_still_listed(client: Client, demo: None) -> None:
    yesterday = timezone.localdate() - datetime.timedelta(days=1)
    Case.objects.filter(slug="ua-87-26").update(deadline=yesterday)
    html = client.get("/").content.decode().split('id="passed-heading"')
    assert "Student journalist jailed" not in html[0]
    assert "Student journalist jailed" in html[1]


def test_case_page_has_a_print_stylesheet(client: Client, demo: None) -> None:
    html = client.get("/cases/ua-101-26/").content.decode()
    assert 'href="/static/cases/print.css" media="print"' in html
