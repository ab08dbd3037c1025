"""Reads of cases for public pages, the staff workspace and the API."""

from __future__ import annotations

import datetime
import re
import uuid
from collections.abc import Sequence
from dataclasses import dataclass

from django.core.files.storage import storages
from django.db.models import Count, Exists, F, OuterRef, Prefetch, Q, QuerySet

from urgent.cases.models import (
    Case,
    CaseEvent,
    CaseEventHandled,
    CaseTarget,
    Outcome,
    PersonAtRisk,
    Theme,
    Update,
)
from urgent.officials.models import ContactPoint

PUBLISHED = (Case.Status.ACTIVE, Case.Status.CLOSED)


def case_search(
    *,
    statuses: Sequence[str] = PUBLISHED,
    country: str | None = None,
    theme: str | None = None,
    text: str | None = None,
    people: bool = False,
) -> QuerySet[Case]:
    """Cases for every list (public pages, the workspace, the API), newest first.

    `text` matches words in the reference, the index number or the headline; with
    `people` (staff only: the public must not find a case by a name it hides) also a
    person's name. Each case carries its organisation, themes, people and `action_count`.
    """
    cases = (
        Case.objects.filter(status__in=statuses)
        .select_related("organisation")
        .prefetch_related("themes", "people")
        .annotate(action_count=Count("actions", distinct=True))
        .order_by("-published_at", "-created_at", "-id")
    )
    if country:
        cases = cases.filter(country=country.upper())
    if theme:
        cases = cases.filter(themes__slug=theme)
    text = " ".join((text or "").split())
    if text:
        found = Q(headline__icontains=text) | Q(reference__icontains=text)
        found |= Q(index_number__icontains=text)
        if people:
            named = PersonAtRisk.objects.filter(name__icontains=text).values("case_id")
            found |= Q(pk__in=named)
        cases = cases.filter(found)
    return cases


def case_list_active(
    *, today: datetime.date, country: str | None = None, theme: str | None = None
) -> QuerySet[Case]:
    """The public list: active cases still taking letters, the soonest deadline first.

    A case whose deadline has passed refuses letters, so it is not "active" to a
    supporter (see `case_list_deadline_passed`); cases with no deadline come last.
    """
    return (
        case_search(statuses=(Case.Status.ACTIVE,), country=country, theme=theme)
        .filter(Q(deadline__isnull=True) | Q(deadline__gte=today))
        .order_by(F("deadline").asc(nulls_last=True), "-issued_on", "id")
    )


def case_list_deadline_passed(*, today: datetime.date, limit: int = 10) -> QuerySet[Case]:
    """Published cases whose deadline has passed, most recent deadline first."""
    return (
        case_search(statuses=(Case.Status.ACTIVE,))
        .filter(deadline__lt=today)
        .order_by("-deadline", "id")[:limit]
    )


def case_countries_active() -> list[str]:
    return list(
        Case.objects.filter(status=Case.Status.ACTIVE)
        .order_by("country")
        .values_list("country", flat=True)
        .distinct()
    )


def theme_list_active() -> QuerySet[Theme]:
    return Theme.objects.filter(cases__status=Case.Status.ACTIVE).distinct().order_by("name")


def case_get_public(*, slug: str) -> Case | None:
    """A published (active or closed) case with everything its public page shows."""
    targets = CaseTarget.objects.select_related("official").prefetch_related(
        Prefetch(
            "official__contact_points",
            queryset=ContactPoint.objects.exclude(health=ContactPoint.Health.DEAD),
        )
    )
    return (
        Case.objects.filter(slug=slug, status__in=[Case.Status.ACTIVE, Case.Status.CLOSED])
        .select_related("organisation")
        .prefetch_related(
            "themes",
            "people",
            "asks",
            "outcomes",
            Prefetch("targets", queryset=targets),
            Prefetch("updates", queryset=Update.objects.filter(published_at__isnull=False)),
        )
        .annotate(action_count=Count("actions", distinct=True))
        .first()
    )


def case_get_staff(*, case_uuid: uuid.UUID) -> Case | None:
    """Any case, draft or not, with everything the staff detail shows (dead contacts too)."""
    targets = CaseTarget.objects.select_related("official").prefetch_related(
        Prefetch("official__contact_points", queryset=ContactPoint.objects.all())
    )
    return (
        Case.objects.filter(uuid=case_uuid)
        .select_related("organisation")
        .prefetch_related(
            "themes",
            "people",
            "asks",
            Prefetch("outcomes", queryset=Outcome.objects.select_related("update")),
            Prefetch("targets", queryset=targets),
            "updates",
        )
        .annotate(action_count=Count("actions", distinct=True))
        .first()
    )


def update_get(*, case: Case, number: int) -> Update | None:
    return Update.objects.filter(case=case, number=number).first()


def case_events_pending(*, consumer: str, limit: int = 100) -> list[CaseEvent]:
    """The oldest events `consumer` has not handled yet, with their case, update, outcome."""
    handled = CaseEventHandled.objects.filter(event=OuterRef("pk"), consumer=consumer)
    return list(
        CaseEvent.objects.filter(~Exists(handled))
        .select_related("case", "update", "outcome")
        .order_by("id")[:limit]
    )


# -- Photos of people at risk ---------------------------------------------------------------

PHOTO_DIR = "people"
PHOTO_FILE = re.compile(r"^(?P<key>[A-Za-z0-9_-]{16,64})-(?P<width>\d{2,4})\.(?P<ext>webp|jpg)$")


def photo_file_name(key: str, width: int, ext: str) -> str:
    """Where one copy of a photo is kept in the "media" storage."""
    return f"{PHOTO_DIR}/{key}-{width}.{ext}"


def person_photo_visible(*, person: PersonAtRisk, case: Case) -> bool:
    """Whether the public may see the person's photo.

    Only with consent, only for a person whose name is shown in full, only on a published
    case, and never while the stop switch has stopped action or hidden names.
    """
    return bool(
        person.photo_key
        and person.photo_public
        and person.visibility == PersonAtRisk.Visibility.PUBLIC
        and case.status in (Case.Status.ACTIVE, Case.Status.CLOSED)
        and not case.hide_names
        and not case.actions_stopped
    )


@dataclass(frozen=True)
class PersonPhoto:
    """What an <img> (or <picture>) needs: JPEG and WebP srcsets, a fallback src, the
    intrinsic size of the largest copy (so the page keeps its room while it loads), alt."""

    src: str
    srcset: str
    srcset_webp: str
    width: int
    height: int
    alt: str


def person_photo(
    *, person: PersonAtRisk, case: Case | None = None, staff: bool = False
) -> PersonPhoto | None:
    """The person's photo for a page, or None when there is none or it may not be shown.

    `staff` shows it whatever its consent and the stop switch say (the case editor's
    preview; its files are served to signed-in staff only).
    """
    case = case or person.case
    if not person.photo_key or not (staff or person_photo_visible(person=person, case=case)):
        return None
    media = storages["media"]
    sizes = [(int(w), int(h)) for w, h in person.photo_sizes]
    if not sizes:
        return None

    def srcset(ext: str) -> str:
        return ", ".join(
            f"{media.url(photo_file_name(person.photo_key, w, ext))} {w}w" for w, _h in sizes
        )

    middle = sizes[min(1, len(sizes) - 1)][0]
    return PersonPhoto(
        src=media.url(photo_file_name(person.photo_key, middle, "jpg")),
        srcset=srcset("jpg"),
        srcset_webp=srcset("webp"),
        width=sizes[-1][0],
        height=sizes[-1][1],
        alt=person.photo_alt,
    )
