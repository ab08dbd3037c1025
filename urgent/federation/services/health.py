"""Dead contact points across the network: a section tells the origin what its own bounces
say about an official's address; the origin counts the sections that say so, makes the
address suspect for its staff to confirm (never dead on their word), and warns its other
followers, who show the warning on that contact point. Only the official's address
crosses, never anything about a supporter or a letter.
"""

from __future__ import annotations

import logging
from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _

from urgent.core.audit import audit_record
from urgent.federation import activities, vocab
from urgent.federation.errors import Refusal
from urgent.federation.models import Activity, ContactPointReport, Instance
from urgent.federation.schemas import FlagIn, origin
from urgent.federation.selectors import (
    ReportDue,
    case_of_ours,
    case_sent_to,
    contact_point_of_case,
    contact_reporters,
    contact_reports_due,
    incoming_has_contact,
    official_of_ours,
    report_relay_instances,
)
from urgent.federation.services.outbox import activity_send
from urgent.officials.models import ContactPoint
from urgent.officials.services import contact_point_reported_dead

logger = logging.getLogger(__name__)

# Distinct sections that must report a contact point dead before it becomes suspect here:
# one follower alone cannot make staff doubt an official's address.
REPORTS_BEFORE_SUSPECT = 2

Role = ContactPointReport.Role


@transaction.atomic
def contact_report_send(*, due: ReportDue) -> Activity:
    """Tell the origin that a contact point of its case is dead here (or working again)."""
    instance = due.incoming.instance
    payload = activities.flag_build(
        to=instance.actor_url,
        target=due.incoming.object_id,
        contact={
            "official": due.official_id,
            "kind": due.kind,
            "value": due.value,
            "health": due.health,
        },
    )
    ContactPointReport.objects.update_or_create(
        role=Role.SENT,
        instance=instance,
        official_id=due.official_id,
        kind=due.kind,
        value=due.value,
        defaults={"health": due.health, "case": due.incoming.case},
    )
    return activity_send(payload, instances=[instance], case=due.incoming.case)


def contact_reports_send() -> int:
    """Report every contact point whose state here changed since the origin was told."""
    sent = 0
    for due in contact_reports_due():
        try:
            contact_report_send(due=due)
        except Exception:
            logger.exception("report on %s %s not sent; tried again later", due.kind, due.value)
        else:
            sent += 1
    return sent


def contact_flag_receive(*, instance: Instance, activity: FlagIn) -> None:
    """A section's report about one of our officials, or an origin's warning about one of
    its own; anything else is refused."""
    site = origin(activity.object.official)
    if site == origin(vocab.base_url()):
        _report_receive(instance, activity)
    elif site == origin(instance.actor_url):
        _warning_receive(instance, activity)
    else:
        raise Refusal(
            422,
            "unexpected",
            "A Flag is about a contact point of an official of the receiver (a section's "
            "report) or of the sender (the origin's warning), not of a third instance.",
        )


def _report_receive(instance: Instance, activity: FlagIn) -> None:
    contact = activity.object
    if instance.follower_state != Instance.Follow.ACCEPTED:
        raise Refusal(
            403,
            "not_following",
            f"{instance} does not follow this instance; only followers report contact points.",
        )
    case_id = case_of_ours(object_id=activity.target or "")
    if case_id is None or not case_sent_to(case_id=case_id, instance=instance):
        raise Refusal(
            403,
            "not_following",
            f"{activity.target} is not a case this instance sent to {instance}; a contact "
            "point is reported for a case the section received.",
        )
    if contact.reports is not None:
        raise Refusal(422, "invalid_activity", "A section's report does not carry `reports`.")
    official = official_of_ours(official_id=contact.official)
    point = None
    if official is not None:
        point = contact_point_of_case(
            case_id=case_id, official=official, kind=contact.kind, value=contact.value
        )
    if official is None or point is None:
        raise Refusal(
            422,
            "unknown_contact_point",
            f"The {contact.kind} {contact.value[:100]} of {contact.official} is not a contact "
            f"point of an official that {activity.target} writes to.",
        )
    key: dict[str, Any] = {
        "role": Role.RECEIVED,
        "instance": instance,
        "official_id": contact.official,
        "kind": contact.kind,
        "value": contact.value,
    }
    if contact.health == "dead":
        _row, changed = ContactPointReport.objects.get_or_create(
            **key, defaults={"contact_point": point, "case_id": case_id}
        )
    else:
        changed = ContactPointReport.objects.filter(**key).delete()[0] > 0
    if changed:  # a report repeated by the same instance counts once
        _report_changed(instance, point, contact.health)


def _report_changed(instance: Instance, point: ContactPoint, health: str) -> None:
    reports = contact_reporters(contact_point=point)
    audit_record(
        actor=None,
        action="federation.contact_reported"
        if health == "dead"
        else "federation.contact_report_withdrawn",
        obj=point,
        after={"instance": instance.name, "health": health, "reports": reports},
    )
    if health == "dead" and reports >= REPORTS_BEFORE_SUSPECT:
        reason = _("%(count)s organisations of the network report this address dead.") % {
            "count": reports
        }
        contact_point_reported_dead(contact_point_id=point.pk, reason=reason)
    for follower in report_relay_instances(official=point.official, reporter=instance):
        warning = activities.flag_build(
            to=follower.actor_url,
            contact={
                "official": _official_id(point),
                "kind": point.kind,
                "value": point.value,
                "health": "dead" if reports else "ok",
                "reports": reports,
            },
        )
        activity_send(warning, instances=[follower])


def _official_id(point: ContactPoint) -> str:
    return f"{vocab.base_url()}/federation/officials/{point.official.uuid}"


def _warning_receive(instance: Instance, activity: FlagIn) -> None:
    contact = activity.object
    if instance.following_state != Instance.Follow.ACCEPTED:
        raise Refusal(
            403,
            "not_following",
            f"This instance does not follow {instance}; it takes warnings only from instances "
            "it follows.",
        )
    if contact.reports is None:
        raise Refusal(
            422,
            "invalid_activity",
            "An origin's warning says how many sections report the contact point (`reports`).",
        )
    if not incoming_has_contact(
        instance=instance, official_id=contact.official, kind=contact.kind, value=contact.value
    ):
        raise Refusal(
            422,
            "unknown_contact_point",
            f"No case received from {instance} has the {contact.kind} {contact.value[:100]} "
            f"of {contact.official}.",
        )
    key: dict[str, Any] = {
        "role": Role.RELAYED,
        "instance": instance,
        "official_id": contact.official,
        "kind": contact.kind,
        "value": contact.value,
    }
    if contact.health == "dead" and contact.reports > 0:
        ContactPointReport.objects.update_or_create(
            **key, defaults={"health": "dead", "reports": contact.reports}
        )
    else:
        ContactPointReport.objects.filter(**key).delete()
