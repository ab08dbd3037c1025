"""Merging duplicate officials: it rewrites the case targets that name them.

The officials directory sits below cases, so the merge lives here, next to CaseTarget,
rather than in urgent.officials.services.
"""

from __future__ import annotations

from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from urgent.cases.models import CaseTarget
from urgent.cases.services.lifecycle import Actor
from urgent.core.audit import audit_record
from urgent.core.errors import ApplicationError
from urgent.core.roles import EDIT, role_require
from urgent.officials.models import ContactPoint, Official
from urgent.officials.services import OFFICIAL_FIELDS


@transaction.atomic
def official_merge(*, keep: Official, duplicate: Official, actor: Actor) -> Official:
    """Fold a duplicate into the official kept: its case targets, actions and contact points.

    Rows that point at a contact point (letters, deliveries) follow it to the official kept,
    or to the kept official's identical contact point.
    """
    role_require(actor, EDIT)
    if keep.pk == duplicate.pk:
        raise ApplicationError(_("Choose two different officials to merge."))
    for target in CaseTarget.objects.filter(official=duplicate).select_related("case"):
        if CaseTarget.objects.filter(case=target.case, official=keep).exists():
            target.delete()
        else:
            target.official = keep
            target.save(update_fields=["official"])
    for point in duplicate.contact_points.all():
        twin = keep.contact_points.filter(kind=point.kind, value=point.value).first()
        if twin is None:
            point.official = keep
            point.save(update_fields=["official"])
        else:
            _contact_point_repoint(old=point, new=twin)
    for relation in duplicate._meta.related_objects:
        if relation.many_to_many:
            for row in getattr(duplicate, str(relation.get_accessor_name())).all():
                getattr(row, relation.field.name).add(keep)
    for key in OFFICIAL_FIELDS:
        if not getattr(keep, key) and getattr(duplicate, key):
            setattr(keep, key, getattr(duplicate, key))
    keep.save()
    audit_record(
        actor=actor,
        action="official.merge",
        obj=keep,
        before={"merged": str(duplicate), "merged_id": duplicate.pk},
        after={"kept_id": keep.pk},
    )
    duplicate.delete()
    return keep


def _contact_point_repoint(*, old: ContactPoint, new: ContactPoint) -> None:
    try:
        with transaction.atomic():
            for relation in old._meta.related_objects:
                if relation.one_to_many:
                    manager = relation.related_model._default_manager  # type: ignore[union-attr]
                    manager.filter(**{relation.field.name: old}).update(
                        **{relation.field.name: new}
                    )
            old.delete()
    except IntegrityError as exc:
        raise ApplicationError(
            _(
                "Both officials received the same letter at %(value)s, so their records cannot "
                "be merged automatically. Mark one contact point dead instead."
            )
            % {"value": old.value}
        ) from exc
