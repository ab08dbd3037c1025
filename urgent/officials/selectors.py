"""Reads of the officials directory."""

from __future__ import annotations

import hashlib
import json
import uuid

from django.db.models import Q, QuerySet

from urgent.officials.models import ContactPoint, Official
from urgent.officials.services import OFFICIAL_FIELDS


def official_search(
    *, text: str | None = None, country: str | None = None, health: str | None = None
) -> QuerySet[Official]:
    """Officials for the workspace, the case editor and the API, with their contact points.

    `text` matches words in the name, title or organisation, a contact point (an address,
    a number), or is a country code; `health` keeps officials with a contact point in that
    state. Matches are found by subquery, not by join, so each official appears once and
    counts annotated by the caller stay whole.
    """
    officials = Official.objects.prefetch_related("contact_points").order_by(
        "country", "name", "title", "id"
    )
    if country:
        officials = officials.filter(country=country.upper())
    text = " ".join((text or "").split())
    if text:
        points = ContactPoint.objects.filter(value__icontains=text).values("official_id")
        officials = officials.filter(
            Q(name__icontains=text)
            | Q(title__icontains=text)
            | Q(organisation__icontains=text)
            | Q(country__iexact=text)
            | Q(pk__in=points)
        )
    if health:
        unwell = ContactPoint.objects.filter(health=health).values("official_id")
        officials = officials.filter(pk__in=unwell)
    return officials


def official_get(*, official_uuid: uuid.UUID) -> Official | None:
    return Official.objects.filter(uuid=official_uuid).first()


def official_fingerprint(*, official: Official) -> str:
    """A digest of an official's fields and contact points as an editor shows them.

    An official is shared by every case it is a target of, so the case's version cannot
    tell whether someone changed it from another case meanwhile; this can (one query).
    """
    points = list(
        ContactPoint.objects.filter(official=official)
        .order_by("pk")
        .values_list("pk", "kind", "value", "label")
    )
    fields = [getattr(official, key) for key in OFFICIAL_FIELDS]
    return hashlib.sha256(json.dumps([fields, points], default=str).encode()).hexdigest()[:24]
