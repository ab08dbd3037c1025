"""Reads shared by every app."""

from __future__ import annotations

from django.db import IntegrityError, transaction

from urgent.core.models import Organisation


def organisation_default() -> Organisation:
    """The instance's own organisation, which new cases belong to: the oldest one.

    A fresh instance has none until the first case is made, by a page, the API or the
    importer alike; then one named "Urgent" is created (rename it in the admin).
    """
    organisation = Organisation.objects.order_by("created_at", "pk").first()
    if organisation is not None:
        return organisation
    try:
        with transaction.atomic():
            organisation, _created = Organisation.objects.get_or_create(
                slug="urgent", defaults={"name": "Urgent"}
            )
    except IntegrityError:  # made by another request at the same moment
        organisation = Organisation.objects.get(slug="urgent")
    return organisation
