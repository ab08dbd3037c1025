"""A published case as an urgent action: what crosses to other instances, and nothing more.

Only published (active or closed) cases. People whose visibility is "hidden" never leave;
"initials" leave as initials; with the case's names hidden (stop switch) no person leaves
and every mention of them is taken out of the texts, as on the public pages. Counts are
aggregates. Nothing about supporters (names, addresses, letters, signatures) is read here.
"""

from __future__ import annotations

import datetime
from typing import Any

from urgent.cases.models import Case, PersonAtRisk
from urgent.cases.templatetags.cases import redact
from urgent.federation import keys, vocab
from urgent.federation.selectors import CaseCounts
from urgent.officials.models import ContactPoint, Official


def case_object_id(case: Case) -> str:
    return f"{vocab.base_url()}/federation/cases/{case.uuid}"


def official_object_id(official: Official) -> str:
    return f"{vocab.base_url()}/federation/officials/{official.uuid}"


def _iso(moment: datetime.datetime | None) -> str | None:
    return moment.astimezone(datetime.UTC).isoformat(timespec="seconds") if moment else None


def _day(day: datetime.date | None) -> str | None:
    return day.isoformat() if day else None


def _persons(case: Case) -> list[dict[str, str]]:
    if case.hide_names:
        return []
    return [
        {
            "type": "PersonAtRisk",
            "name": person.public_name,
            "pronouns": person.pronouns,
            "visibility": person.visibility,
        }
        for person in case.people.all()
        if person.visibility != PersonAtRisk.Visibility.HIDDEN and person.public_name
    ]


def _contact_point(point: ContactPoint) -> dict[str, str]:
    return {
        "type": "ContactPoint",
        "kind": point.kind,
        "value": point.value,
        "label": point.label,
        "health": point.health,
    }


def _official(official: Official) -> dict[str, str]:
    return {
        "type": "Official",
        "id": official_object_id(official),
        "honorific": official.honorific,
        "name": official.name,
        "title": official.title,
        "organisation": official.organisation,
        "country": official.country,
        "language": official.preferred_language,
    }


def _targets(case: Case) -> list[dict[str, Any]]:
    return [
        {
            "type": "Target",
            "role": target.role,
            "salutation": target.effective_salutation,
            "official": _official(target.official),
            "contactPoints": [_contact_point(p) for p in target.official.contact_points.all()],
        }
        for target in sorted(
            case.targets.all(), key=lambda t: (t.role != t.Role.PRIMARY, t.position, t.pk)
        )
    ]


def _outcome(case: Case) -> dict[str, str] | None:
    latest = max(case.outcomes.all(), key=lambda o: (o.occurred_on, o.pk), default=None)
    if latest is None:
        return None
    return {
        "type": "Outcome",
        "kind": latest.kind,
        "date": latest.occurred_on.isoformat(),
        "summary": redact(latest.summary, case),
    }


def _further_information(case: Case) -> list[dict[str, Any]]:
    return [
        {
            "type": "FurtherInformation",
            "number": update.number,
            "title": redact(update.title, case),
            "body": redact(update.body, case),
            "issued": update.issued_on.isoformat(),
        }
        for update in case.updates.all()
        if update.published_at is not None
    ]


def _counts(counts: CaseCounts) -> dict[str, Any]:
    return {
        "type": "Counts",
        "actions": sum(counts.by_channel.values()),
        "byChannel": dict(sorted(counts.by_channel.items())),
        "lettersDelivered": counts.letters_delivered,
        "repliesReceived": counts.replies_received,
        "supportersReached": counts.supporters_reached,
    }


def urgent_action_from_case(case: Case, *, counts: CaseCounts) -> dict[str, Any]:
    """The urgent action object of a published case (load it with `case_for_federation`)."""
    if case.status not in {Case.Status.ACTIVE, Case.Status.CLOSED} or case.published_at is None:
        raise ValueError(f"{case.reference} is not published; drafts never leave this instance")
    return {
        "type": "UrgentAction",
        "id": case_object_id(case),
        "url": f"{vocab.base_url()}/cases/{case.slug}/",
        "attributedTo": keys.actor_url(),
        "reference": case.reference,
        "headline": redact(case.headline, case),
        "story": redact(case.story, case),
        "background": redact(case.background, case),
        "country": case.country,
        "language": case.language,
        "themes": [theme.slug for theme in case.themes.all()],
        "persons": _persons(case),
        "asks": [redact(ask.text, case) for ask in case.asks.all()],
        "targets": _targets(case),
        "issued": _day(case.issued_on),
        "deadline": _day(case.deadline),
        "published": _iso(case.published_at),
        "updated": _iso(case.updated_at),
        "version": case.version,
        "status": case.status,
        "stopped": case.actions_stopped,
        "namesHidden": case.hide_names,
        "outcome": _outcome(case),
        "furtherInformation": _further_information(case),
        "counts": _counts(counts),
    }
