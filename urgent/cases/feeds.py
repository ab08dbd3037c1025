"""Publication feeds: an Atom feed of published cases and updates, an iCalendar of deadlines.

Links in both are absolute and built from URGENT_BASE_URL (the public address), so a feed
fetched through a proxy or by a worker still points readers at the right site.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit

from django.conf import settings
from django.contrib.syndication.views import Feed
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.feedgenerator import Atom1Feed
from django.utils.html import escape, linebreaks
from django.utils.text import Truncator
from django.utils.translation import gettext as _
from django.views.decorators.cache import cache_control
from django.views.decorators.http import require_GET
from icalendar import Alarm, Calendar, Event

from urgent.cases.models import Case, Update
from urgent.core.countries import country_name

FEED_ENTRIES = 40
# Deadlines that passed more than this many days ago drop out of the calendar.
CALENDAR_PAST_DAYS = 30
SUMMARY_WORDS = 80


def absolute_url(path: str) -> str:
    return settings.URGENT_BASE_URL.rstrip("/") + path


def case_url(case: Case) -> str:
    return absolute_url(reverse("case_detail", args=[case.slug]))


def _public_cases() -> Any:
    return Case.objects.filter(
        status__in=[Case.Status.ACTIVE, Case.Status.CLOSED], published_at__isnull=False
    )


@dataclass(frozen=True)
class FeedEntry:
    """One entry of the Atom feed: a newly published case or one of its updates."""

    case: Case
    title: str
    link: str
    guid: str
    published: datetime.datetime
    updated: datetime.datetime
    summary: str
    categories: list[str] = field(default_factory=list)


def _paragraph(text: str) -> str:
    first = text.strip().split("\n\n", 1)[0]
    return Truncator(first).words(SUMMARY_WORDS, truncate=" …")


def _case_summary(case: Case) -> str:
    # A case whose names are hidden for safety shows no story in feeds: readers copy feed
    # entries to places we cannot later correct.
    lines = [f"{country_name(case.country)} · {case.reference}"]
    if not case.hide_names:
        lines.append(_paragraph(case.story))
    if case.deadline:
        lines.append(_("Act by %(date)s.") % {"date": case.deadline.isoformat()})
    return "".join(linebreaks(escape(line)) for line in lines if line)


def feed_entries(*, limit: int = FEED_ENTRIES) -> list[FeedEntry]:
    """The newest published cases and updates, newest first."""
    cases = list(
        _public_cases()
        .select_related("organisation")
        .prefetch_related("themes")
        .order_by("-published_at", "-id")[:limit]
    )
    updates = list(
        Update.objects.filter(published_at__isnull=False, case__in=_public_cases())
        .select_related("case", "case__organisation")
        .prefetch_related("case__themes")
        .order_by("-published_at", "-id")[:limit]
    )
    entries: list[FeedEntry] = []
    for case in cases:
        assert case.published_at is not None
        entries.append(
            FeedEntry(
                case=case,
                title=f"{case.reference}: {case.headline}",
                link=case_url(case),
                guid=f"urn:uuid:{case.uuid}",
                published=case.published_at,
                updated=max(case.published_at, case.updated_at),
                summary=_case_summary(case),
                categories=[t.name for t in case.themes.all()],
            )
        )
    for update in updates:
        assert update.published_at is not None
        case = update.case
        body = "" if case.hide_names else linebreaks(escape(_paragraph(update.body)))
        entries.append(
            FeedEntry(
                case=case,
                title=update.title,
                link=f"{case_url(case)}#update-{update.number}",
                guid=f"urn:uuid:{update.uuid}",
                published=update.published_at,
                updated=max(update.published_at, update.updated_at),
                summary=linebreaks(escape(f"{case.reference}: {case.headline}")) + body,
                categories=[t.name for t in case.themes.all()],
            )
        )
    entries.sort(key=lambda e: (e.published, e.guid), reverse=True)
    return entries[:limit]


class CasesAtomFeed(Feed):
    feed_type = Atom1Feed

    def title(self) -> str:
        return _("Urgent actions and updates")

    def subtitle(self) -> str:
        return _("New urgent actions and Further Information as they are published.")

    def link(self) -> str:
        return absolute_url(reverse("case_list"))

    def feed_url(self) -> str:
        return absolute_url(reverse("feed_cases_atom"))

    def feed_guid(self) -> str:
        return self.feed_url()

    def author_name(self) -> str:
        return "Urgent"

    def items(self) -> list[FeedEntry]:
        return feed_entries()

    def item_title(self, item: FeedEntry) -> str:
        return item.title

    def item_description(self, item: FeedEntry) -> str:
        return item.summary

    def item_link(self, item: FeedEntry) -> str:
        return item.link

    def item_guid(self, item: FeedEntry) -> str:
        return item.guid

    def item_guid_is_permalink(self, item: FeedEntry) -> bool:
        return False

    def item_pubdate(self, item: FeedEntry) -> datetime.datetime:
        return item.published

    def item_updateddate(self, item: FeedEntry) -> datetime.datetime:
        return item.updated

    def item_author_name(self, item: FeedEntry) -> str:
        return item.case.organisation.name

    def item_categories(self, item: FeedEntry) -> list[str]:
        return item.categories


cases_atom = cache_control(public=True, max_age=300)(CasesAtomFeed())


# ---------------------------------------------------------------------------
# iCalendar (RFC 5545; the icalendar package folds lines and escapes text)


def _uid_domain() -> str:
    return urlsplit(settings.URGENT_BASE_URL).hostname or "localhost"


def deadline_cases() -> list[Case]:
    """Active cases with a deadline that is ahead or recent; stopped cases are left out."""
    since = timezone.localdate() - datetime.timedelta(days=CALENDAR_PAST_DAYS)
    return list(
        Case.objects.filter(
            status=Case.Status.ACTIVE,
            actions_stopped=False,
            deadline__isnull=False,
            deadline__gte=since,
        )
        .select_related("organisation")
        .prefetch_related("themes", "asks")
        .order_by("deadline", "id")
    )


def _deadline_description(case: Case, url: str) -> str:
    asks = [f"• {ask.text}" for ask in case.asks.all()]
    return "\n".join(
        [
            f"{case.reference}: {case.headline}",
            country_name(case.country),
            "",
            _("What to ask for:"),
            *asks,
            "",
            _("Act before the deadline: %(url)s") % {"url": url},
        ]
    )


def _deadline_event(case: Case, domain: str) -> Event:
    assert case.deadline is not None
    url = case_url(case)
    event = Event()
    # The UID stays the same for the life of the case, so a moved deadline updates the
    # event in people's calendars instead of adding a second one.
    event.add("uid", f"case-{case.uuid}@{domain}")
    # DTSTAMP is when this event's data last changed (RFC 5545 3.8.7.2 for calendars
    # without METHOD:REQUEST), which keeps the feed stable between fetches.
    event.add("dtstamp", case.updated_at.astimezone(datetime.UTC))
    event.add("last-modified", case.updated_at.astimezone(datetime.UTC))
    event.add("sequence", case.version)
    event.add("dtstart", case.deadline)
    event.add("dtend", case.deadline + datetime.timedelta(days=1))
    event.add(
        "summary",
        _("Deadline: %(ref)s %(headline)s") % {"ref": case.reference, "headline": case.headline},
    )
    event.add("description", _deadline_description(case, url))
    event.add("url", url)
    event.add("status", "CONFIRMED")
    event.add("transp", "TRANSPARENT")
    event.add("class", "PUBLIC")
    themes = [t.name for t in case.themes.all()]
    if themes:
        event.add("categories", themes)
    reminder = Alarm()
    reminder.add("action", "DISPLAY")
    reminder.add("description", _("%(ref)s: three days left to act") % {"ref": case.reference})
    reminder.add("trigger", datetime.timedelta(days=-3))
    event.add_component(reminder)
    return event


def deadlines_calendar(cases: list[Case]) -> Calendar:
    calendar = Calendar()
    calendar.add("prodid", "-//Urgent//Urgent action deadlines//EN")
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("method", "PUBLISH")
    name = _("Urgent action deadlines")
    calendar.add("name", name)  # RFC 7986
    calendar.add("x-wr-calname", name)
    calendar.add("refresh-interval", datetime.timedelta(hours=6), parameters={"VALUE": "DURATION"})
    calendar.add("x-published-ttl", "PT6H")
    calendar.add("url", absolute_url(reverse("feed_deadlines_ics")))
    domain = _uid_domain()
    for case in cases:
        calendar.add_component(_deadline_event(case, domain))
    return calendar


@require_GET
@cache_control(public=True, max_age=300)
def deadlines_ics(request: HttpRequest) -> HttpResponse:
    body = deadlines_calendar(deadline_cases()).to_ical()
    response = HttpResponse(body, content_type="text/calendar; charset=utf-8")
    response["Content-Disposition"] = 'inline; filename="urgent-deadlines.ics"'
    return response


# ---------------------------------------------------------------------------
# The page a person lands on: what each feed is, how to subscribe, what it holds now.
# Browsers show a raw feed as XML (and are dropping XSLT), so people get a page of their own.


@require_GET
@cache_control(public=True, max_age=300)
def feeds_page(request: HttpRequest) -> HttpResponse:
    ics_url = absolute_url(reverse("feed_deadlines_ics"))
    context = {
        "atom_url": absolute_url(reverse("feed_cases_atom")),
        "ics_url": ics_url,
        "webcal_url": "webcal://" + ics_url.split("://", 1)[-1],
        "entries": feed_entries(limit=10),
        "deadlines": deadline_cases(),
    }
    return render(request, "cases/feeds.html", context)
