"""Writes to the officials directory: the health of contact points.

A permanent bounce marks an email contact point *bouncing*; after
URGENT_BOUNCES_BEFORE_DEAD permanent bounces it is *dead*: letters stop using it, public
pages hide it, and staff are told so they can find a working address.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping, Sequence
from typing import Any

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import AbstractBaseUser, AnonymousUser
from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from urgent.core.audit import audit_record, audit_snapshot
from urgent.core.errors import ApplicationError
from urgent.core.mail import mail_send
from urgent.core.text import one_line
from urgent.officials.models import ContactPoint, Official
from urgent.officials.numbers import DIALLED_KINDS, contact_dial

Actor = AbstractBaseUser | AnonymousUser | None

log = logging.getLogger(__name__)


def contact_point_bounce_record(
    *, contact_point_id: int, permanent: bool, diagnostic: str, trusted: bool = False
) -> ContactPoint:
    """Count a bounce on a contact point; a temporary one changes nothing but the log.

    `trusted` is for a refusal heard in our own SMTP conversation. A bounce report is mail,
    which anyone can forge: past the threshold it only makes the point *suspect*, for staff
    to confirm dead or working, so strangers cannot silence an official.
    """
    with transaction.atomic():
        point = ContactPoint.objects.select_for_update().get(pk=contact_point_id)
        if not permanent:
            log.info("temporary bounce on contact point %s: %s", point.pk, diagnostic[:200])
            return point
        before = point.health
        ContactPoint.objects.filter(pk=point.pk).update(bounce_count=F("bounce_count") + 1)
        point.refresh_from_db(fields=["bounce_count"])
        point.health = _health_after_bounce(point, trusted=trusted)
        point.save(update_fields=["health", "updated_at"])
        if point.health != before and point.health in _FLAGGED:
            point_id, reason = point.pk, diagnostic
            transaction.on_commit(
                lambda: contact_point_flag_to_staff(contact_point_id=point_id, reason=reason)
            )
    return point


H = ContactPoint.Health
_FLAGGED = (H.DEAD, H.SUSPECT)


def _health_after_bounce(point: ContactPoint, *, trusted: bool) -> str:
    if point.health == H.DEAD:
        return H.DEAD
    if point.bounce_count < settings.URGENT_BOUNCES_BEFORE_DEAD:
        return H.BOUNCING if point.health == H.OK else point.health
    return H.DEAD if trusted else H.SUSPECT


def contact_point_reported_dead(*, contact_point_id: int, reason: str) -> ContactPoint:
    """Other organisations report the contact point dead (their own bounces). Their word is
    not ours: it becomes *suspect* for staff to confirm dead or working, never dead, and
    staff are told. A point already suspect or dead is left as it is."""
    with transaction.atomic():
        point = ContactPoint.objects.select_for_update().get(pk=contact_point_id)
        if point.health not in (H.OK, H.BOUNCING):
            return point
        point.health = H.SUSPECT
        point.save(update_fields=["health", "updated_at"])
        point_id = point.pk
        transaction.on_commit(
            lambda: contact_point_flag_to_staff(contact_point_id=point_id, reason=reason)
        )
    return point


def contact_point_health_reset(*, contact_point_id: int) -> None:
    """Staff found the address works again (or corrected it): start counting afresh."""
    ContactPoint.objects.filter(pk=contact_point_id).update(
        health=ContactPoint.Health.OK, bounce_count=0
    )


def contact_point_flag_to_staff(*, contact_point_id: int, reason: str) -> int:
    """Tell staff (every active staff account with an address) that a contact point died,
    or, when only bounce reports say so, that it needs checking."""
    point = ContactPoint.objects.select_related("official").get(pk=contact_point_id)
    staff = list(
        get_user_model()
        .objects.filter(is_staff=True, is_active=True)
        .exclude(email="")
        .values_list("email", flat=True)
    )
    log.warning(
        "contact point %s of %s is %s after %s bounces: %s",
        point.pk,
        point.official,
        point.health,
        point.bounce_count,
        reason[:200],
    )
    if not staff:
        return 0
    suspect = point.health == ContactPoint.Health.SUSPECT
    return mail_send(
        to=staff,
        template_prefix=f"officials/mail/contact_point_{'suspect' if suspect else 'dead'}",
        context={
            "point": point,
            "official": point.official,
            "reason": reason[:1000],
            "url": f"{settings.URGENT_BASE_URL}/staff/officials/{point.official_id}/",
        },
    )


# The directory itself: create, edit, staff confirmation of health. Merging duplicates
# rewrites the cases' targets, so it lives with them (urgent.cases.services.targets).

OFFICIAL_FIELDS = (
    "honorific",
    "name",
    "title",
    "organisation",
    "country",
    "preferred_language",
    "salutation",
)


def _clean_contact(kind: str, value: str) -> str:
    if kind not in ContactPoint.Kind.values:
        raise ApplicationError(_("Unknown kind of contact point: %(kind)s.") % {"kind": kind})
    lines = [" ".join(line.split()) for line in str(value).replace("\r", "").split("\n")]
    value = "\n".join(line for line in lines if line)
    if kind != ContactPoint.Kind.POSTAL:
        value = value.replace("\n", " ")
    if kind == ContactPoint.Kind.EMAIL:
        value = value.lower()
    return value


@transaction.atomic
def official_create(
    *,
    actor: Actor,
    data: Mapping[str, Any],
    contact_points: Sequence[tuple[str, str]] = (),
    dials: Mapping[str, str] | None = None,
) -> Official:
    """A new official. `dials` maps printed numbers to the E.164 form an importer read."""
    fields = {k: one_line(data.get(k, "")) for k in OFFICIAL_FIELDS}
    if not fields["name"] and not fields["title"]:
        raise ApplicationError(
            _("An official needs a name or a title."),
            fields={"name": [_("Give a name, a title, or both.")]},
        )
    fields["country"] = fields["country"].upper()
    official = Official.objects.create(**fields)
    for position, (kind, value) in enumerate(contact_points):
        value = _clean_contact(kind, value)
        if value:
            dial = contact_dial(
                kind=kind, value=value, country=official.country, given=(dials or {}).get(value)
            )
            ContactPoint.objects.get_or_create(
                official=official,
                kind=kind,
                value=value,
                defaults={"position": position, "dial": dial},
            )
    audit_record(
        actor=actor, action="official.create", obj=official, after=audit_snapshot(official)
    )
    return official


@transaction.atomic
def official_update(*, official: Official, actor: Actor, data: Mapping[str, Any]) -> Official:
    before = audit_snapshot(official, OFFICIAL_FIELDS)
    for key in OFFICIAL_FIELDS:
        if key in data:
            setattr(official, key, one_line(data[key]))
    official.country = official.country.upper()
    if not official.name and not official.title:
        raise ApplicationError(_("An official needs a name or a title."))
    official.save()
    if official.country != before.get("country"):
        _dial_forms_refresh(official)
    audit_record(
        actor=actor,
        action="official.update",
        obj=official,
        before=before,
        after=audit_snapshot(official, OFFICIAL_FIELDS),
    )
    return official


def _dial_forms_refresh(official: Official) -> None:
    """Numbers printed without a country code are read anew in the official's new country."""
    for point in official.contact_points.filter(kind__in=DIALLED_KINDS):
        dial = contact_dial(kind=point.kind, value=point.value, country=official.country)
        if dial != point.dial:
            ContactPoint.objects.filter(pk=point.pk).update(dial=dial)


@transaction.atomic
def contact_point_add(
    *, official: Official, actor: Actor, kind: str, value: str, label: str = "", dial: str = ""
) -> ContactPoint:
    value = _clean_contact(kind, value)
    if not value:
        raise ApplicationError(_("The contact point is empty."), fields={"value": [_("Required.")]})
    point, created = ContactPoint.objects.get_or_create(
        official=official,
        kind=kind,
        value=value,
        defaults={
            "label": one_line(label)[:100],
            "position": official.contact_points.count(),
            "dial": contact_dial(kind=kind, value=value, country=official.country, given=dial),
        },
    )
    if created:
        audit_record(actor=actor, action="contact_point.add", obj=point, after={"value": value})
    return point


@transaction.atomic
def contact_point_update(
    *, contact_point: ContactPoint, actor: Actor, value: str, label: str = ""
) -> ContactPoint:
    """Correct a contact point; a changed address starts afresh (working, no bounces)."""
    value = _clean_contact(contact_point.kind, value)
    if not value:
        raise ApplicationError(
            _("A contact point cannot be empty; mark it dead instead."),
            fields={"value": [_("Required.")]},
        )
    before = audit_snapshot(contact_point, ["value", "label", "health"])
    if value != contact_point.value:
        taken = ContactPoint.objects.filter(
            official_id=contact_point.official_id, kind=contact_point.kind, value=value
        ).exclude(pk=contact_point.pk)
        if taken.exists():
            raise ApplicationError(
                _("This official already has the contact point %(value)s.") % {"value": value},
                fields={"value": [_("Already there.")]},
            )
        contact_point.value = value
        contact_point.dial = contact_dial(
            kind=contact_point.kind, value=value, country=contact_point.official.country
        )
        contact_point.health = ContactPoint.Health.OK
        contact_point.bounce_count = 0
        contact_point.last_confirmed_on = None
    contact_point.label = one_line(label)[:100]
    contact_point.save()
    after = audit_snapshot(contact_point, ["value", "label", "health"])
    if after != before:
        audit_record(
            actor=actor,
            action="contact_point.update",
            obj=contact_point,
            before=before,
            after=after,
        )
    return contact_point


@transaction.atomic
def contact_point_health_set(
    *, contact_point: ContactPoint, actor: Actor, health: str, note: str = ""
) -> ContactPoint:
    """Staff confirm a contact point works (ok, dated today) or mark it dead."""
    if health not in ContactPoint.Health.values:
        raise ApplicationError(_("Unknown health state."))
    before = audit_snapshot(contact_point, ["health", "last_confirmed_on", "bounce_count"])
    contact_point.health = health
    if health == ContactPoint.Health.OK:
        contact_point.last_confirmed_on = timezone.localdate()
        contact_point.bounce_count = 0
    contact_point.save()
    after = audit_snapshot(contact_point, ["health", "last_confirmed_on", "bounce_count"])
    if note:
        after["note"] = note.strip()[:500]
    audit_record(
        actor=actor, action=f"contact_point.{health}", obj=contact_point, before=before, after=after
    )
    return contact_point
