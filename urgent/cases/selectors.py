"""Reads of cases for public pages and staff views."""

from __future__ import annotations

import re
from dataclasses import dataclass

from django.core.files.storage import storages
from django.db.models import Count, Prefetch, QuerySet

from urgent.cases.models import Case, CaseTarget, PersonAtRisk, Theme, Update
from urgent.officials.models import ContactPoint


def case_list_active(*, country: str | None = None, theme: str | None = None) -> QuerySet[Case]:
    cases = (
        Case.objects.filter(status=Case.Status.ACTIVE)
        .select_related("organisation")
        .prefetch_related("themes", "people")
        .annotate(action_count=Count("actions", distinct=True))
        .order_by("deadline", "-issued_on", "id")
    )
    if country:
        cases = cases.filter(country=country.upper())
    if theme:
        cases = cases.filter(themes__slug=theme)
    return cases


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
