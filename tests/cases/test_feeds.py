"""The Atom feed and the deadlines calendar: valid, complete, safe, and cheap to serve."""

from __future__ import annotations

import datetime
from typing import Any

import feedparser
import pytest
from django.utils import timezone
from icalendar import Calendar
from lxml import etree

from urgent.cases.models import Case, Update

pytestmark = pytest.mark.django_db

ATOM = "{http://www.w3.org/2005/Atom}"


def atom(client: Any) -> bytes:
    response = client.get("/feeds/cases.atom")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/atom+xml")
    return bytes(response.content)


def test_atom_feed_parses_and_has_the_required_elements(client: Any, demo: None) -> None:
    body = atom(client)
    parsed = feedparser.parse(body)
    assert not parsed.bozo, parsed.get("bozo_exception")
    assert parsed.version == "atom10"

    # RFC 4287: a feed has id, title, updated and a self link; each entry id, title,
    # updated, a link and an author (its own or the feed's).
    root = etree.fromstring(body)
    assert root.tag == f"{ATOM}feed"
    for name in ("id", "title", "updated"):
        assert root.find(f"{ATOM}{name}") is not None, name
    self_links = [k for k in root.findall(f"{ATOM}link") if k.get("rel") == "self"]
    assert self_links and self_links[0].get("href").endswith("/feeds/cases.atom")
    entries = root.findall(f"{ATOM}entry")
    ids = [e.findtext(f"{ATOM}id") for e in entries]
    assert len(ids) == len(set(ids)) == 5 + 2  # five published cases, two updates
    for entry in entries:
        for name in ("id", "title", "updated", "published", "summary"):
            assert entry.find(f"{ATOM}{name}") is not None, name
        assert entry.find(f"{ATOM}id").text.startswith("urn:uuid:")
        assert entry.find(f"{ATOM}link").get("href").startswith("http")
        assert entry.find(f"{ATOM}author/{ATOM}name").text == "Urgent Demo Network"
        datetime.datetime.fromisoformat(entry.findtext(f"{ATOM}updated"))

    titles = [e.title for e in parsed.entries]
    assert "UA 101/26: Opposition activist at risk of torture" in titles
    assert "Draft: lawyer detained incommunicado" not in " ".join(titles)
    update = next(e for e in parsed.entries if e.title.startswith("Further information on UA 87"))
    assert update.link.endswith("/cases/ua-87-26/#update-1")
    assert "Prisoner of conscience" in [t.term for t in update.tags]


def test_atom_entries_are_newest_first(client: Any, demo: None) -> None:
    parsed = feedparser.parse(atom(client))
    published = [e.published_parsed for e in parsed.entries]
    assert published == sorted(published, reverse=True)


def test_atom_feed_escapes_and_hides_names(client: Any, demo: None) -> None:
    case = Case.objects.get(slug="ua-101-26")
    Case.objects.filter(pk=case.pk).update(
        headline='<script>alert("x")</script> & co', hide_names=True
    )
    body = atom(client)
    assert b"<script>" not in body
    parsed = feedparser.parse(body)
    assert not parsed.bozo
    entry = next(e for e in parsed.entries if e.id == f"urn:uuid:{case.uuid}")
    assert entry.title == 'UA 101/26: <script>alert("x")</script> & co'
    # The story names the person: a case with hidden names shows no story in feeds.
    assert "Daniyar" not in entry.summary


def test_atom_query_count_does_not_grow(
    client: Any, demo: None, django_assert_max_num_queries: Any
) -> None:
    case = Case.objects.get(slug="ua-87-26")
    for number in range(2, 12):
        Update.objects.create(
            case=case,
            number=number,
            title=f"FI {number}",
            body="More.",
            issued_on=timezone.localdate(),
            published_at=timezone.now(),
        )
    with django_assert_max_num_queries(5):
        atom(client)


def calendar(client: Any) -> tuple[bytes, Calendar]:
    response = client.get("/feeds/deadlines.ics")
    assert response.status_code == 200
    assert response["Content-Type"] == "text/calendar; charset=utf-8"
    body = bytes(response.content)
    return body, Calendar.from_ical(body)


def test_calendar_is_valid_rfc5545(client: Any, demo: None) -> None:
    body, cal = calendar(client)
    text = body.decode("utf-8")
    # Lines end in CRLF and are folded at 75 octets.
    assert text.endswith("\r\n")
    assert "\n" not in text.replace("\r\n", "")
    for line in text.split("\r\n"):
        assert len(line.encode("utf-8")) <= 75, line
    assert cal["VERSION"] == "2.0"
    assert str(cal["PRODID"]).startswith("-//Urgent//")
    assert cal["METHOD"] == "PUBLISH"
    events = list(cal.walk("VEVENT"))
    # Active, not stopped, deadline ahead or in the last 30 days (UA 64/26: 3 days ago).
    refs = sorted(str(e["SUMMARY"]).split()[2] for e in events)
    assert refs == ["101/26", "64/26", "87/26", "95/26"]
    assert text.count("\r\nDTSTAMP:") == len(events)
    uids = [str(e["UID"]) for e in events]
    assert len(set(uids)) == len(uids)
    for event in events:
        assert str(event["UID"]).startswith("case-")
        assert event.decoded("DTSTAMP").tzinfo is not None
        start = event.decoded("DTSTART")
        assert isinstance(start, datetime.date) and not isinstance(start, datetime.datetime)
        assert event.decoded("DTEND") == start + datetime.timedelta(days=1)
        assert str(event["URL"]).startswith("http")
        alarm = next(iter(event.walk("VALARM")))
        assert alarm.decoded("TRIGGER") == datetime.timedelta(days=-3)


def test_calendar_escapes_text_and_keeps_uid_across_edits(client: Any, demo: None) -> None:
    case = Case.objects.get(slug="ua-95-26")
    headline = "Amenazas, intimidación; y \\ ataques\nen Oaxaca " + "muy largo " * 12
    Case.objects.filter(pk=case.pk).update(headline=headline)
    body, cal = calendar(client)
    event = next(e for e in cal.walk("VEVENT") if "95/26" in str(e["SUMMARY"]))
    assert str(event["SUMMARY"]) == f"Deadline: UA 95/26 {headline}"
    raw = body.decode().replace("\r\n ", "")
    assert "Amenazas\\, intimidación\\; y \\\\ ataques\\nen Oaxaca" in raw
    uid = str(event["UID"])
    assert case.deadline is not None
    Case.objects.filter(pk=case.pk).update(
        deadline=case.deadline + datetime.timedelta(days=5), version=case.version + 1
    )
    _, again = calendar(client)
    moved = next(e for e in again.walk("VEVENT") if str(e["UID"]) == uid)
    assert moved.decoded("DTSTART") == case.deadline + datetime.timedelta(days=5)
    assert moved.decoded("SEQUENCE") == case.version + 1


def test_calendar_leaves_out_stopped_closed_and_undated_cases(client: Any, demo: None) -> None:
    Case.objects.filter(slug="ua-101-26").update(actions_stopped=True)
    Case.objects.filter(slug="ua-87-26").update(deadline=None)
    _, cal = calendar(client)
    summaries = " ".join(str(e["SUMMARY"]) for e in cal.walk("VEVENT"))
    assert "101/26" not in summaries and "87/26" not in summaries
    assert "12/26" not in summaries  # closed
    assert "110/26" not in summaries  # draft


def test_calendar_query_count(client: Any, demo: None, django_assert_max_num_queries: Any) -> None:
    with django_assert_max_num_queries(3):
        calendar(client)


def test_feeds_answer_get_only(client: Any) -> None:
    assert client.post("/feeds/deadlines.ics").status_code == 405


def test_feed_links_open_a_page_that_explains_both_feeds(
    client: Any, demo: None, settings: Any
) -> None:
    settings.URGENT_BASE_URL = "https://urgent.example.org"
    listing = client.get("/").content.decode()
    # The visible links lead to a page for people, not to raw XML or a calendar file.
    assert 'href="/feeds/#atom-heading"' in listing
    assert 'href="/feeds/#calendar-heading"' in listing
    assert '<a href="/feeds/cases.atom"' not in listing
    response = client.get("/feeds/")
    assert response.status_code == 200 and response["Content-Type"].startswith("text/html")
    page = response.content.decode()
    assert "feed reader" in page and "https://urgent.example.org/feeds/cases.atom" in page
    assert "webcal://urgent.example.org/feeds/deadlines.ics" in page
    assert "reminder three days before" in page
    assert "UA 95/26" in page  # what each feed holds now, from the same selectors as the feeds
    assert client.post("/feeds/").status_code == 405


def test_feeds_page_query_count(
    client: Any, demo: None, django_assert_max_num_queries: Any
) -> None:
    with django_assert_max_num_queries(8):
        assert client.get("/feeds/").status_code == 200
