"""Writes to cases: create, edit, publish, Further Information, close, stop switch.

Each function runs in one transaction, checks the actor's role itself (so the workspace,
the API and the importer cannot disagree about who may do what), and records an audit
entry. Publishing, Further Information, closing and the stop switch also write a CaseEvent
in that transaction; who hears about it is decided above cases (urgent.outreach), from
those rows.
"""

from __future__ import annotations

import datetime
import logging
from collections.abc import Mapping, Sequence
from typing import Any

from django.contrib.auth.models import AbstractBaseUser, AnonymousUser
from django.db import IntegrityError, transaction
from django.db.models import F, Max
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import gettext as _

from urgent.cases.models import (
    Ask,
    Case,
    CaseEvent,
    CaseTarget,
    CaseTranslation,
    Outcome,
    PersonAtRisk,
    Update,
)
from urgent.cases.services.events import case_event_record
from urgent.cases.services.photos import people_photos_discard
from urgent.core.audit import audit_record, audit_snapshot
from urgent.core.errors import ApplicationError, Conflict
from urgent.core.models import Organisation
from urgent.core.queue import queue_hold_lift, queue_hold_set
from urgent.core.roles import EDIT, PUBLISH, TRANSLATE, role_require
from urgent.officials.models import ContactPoint, Official
from urgent.officials.selectors import official_fingerprint
from urgent.officials.services import contact_point_add, contact_point_update, official_update

logger = logging.getLogger(__name__)

Actor = AbstractBaseUser | AnonymousUser | None

EDITABLE_FIELDS = (
    "reference",
    "index_number",
    "headline",
    "country",
    "story",
    "background",
    "issued_on",
    "deadline",
    "language",
    "update_request_subject",
)


class CaseIncomplete(ApplicationError):
    code = "case_incomplete"


def case_slug_for(*, reference: str, organisation: Organisation) -> str:
    base = slugify(reference.replace("/", "-").replace(".", "-"))[:70] or "case"
    slug = base
    n = 2
    while Case.objects.filter(slug=slug).exists():
        slug = f"{base}-{organisation.slug}" if n == 2 else f"{base}-{n}"
        n += 1
    return slug


@transaction.atomic
def case_create(
    *,
    organisation: Organisation,
    reference: str,
    headline: str,
    country: str,
    actor: Actor = None,
    people: Sequence[Mapping[str, Any]] = (),
    asks: Sequence[str] = (),
    themes: Sequence[Any] = (),
    **fields: Any,
) -> Case:
    role_require(actor, EDIT)
    unknown = set(fields) - set(EDITABLE_FIELDS) - {"origin_org", "origin_url"}
    if unknown:
        raise ValueError(f"not editable: {sorted(unknown)}")
    reference = " ".join(reference.split())
    if Case.objects.filter(organisation=organisation, reference__iexact=reference).exists():
        raise ApplicationError(
            _("A case with the reference %(ref)s already exists.") % {"ref": reference},
            code="duplicate_reference",
            fields={"reference": [_("This reference is already used.")]},
        )
    case = Case(
        organisation=organisation,
        reference=reference,
        slug=case_slug_for(reference=reference, organisation=organisation),
        headline=headline.strip(),
        country=country.upper(),
        **fields,
    )
    try:
        with transaction.atomic():
            case.save()
    except IntegrityError as exc:
        raise ApplicationError(
            _("A case with the reference %(ref)s already exists.") % {"ref": reference},
            code="duplicate_reference",
        ) from exc
    if themes:
        case.themes.set(themes)
    for position, person in enumerate(people):
        PersonAtRisk.objects.create(case=case, position=position, **person)
    Ask.objects.bulk_create(
        Ask(case=case, text=text.strip(), position=i) for i, text in enumerate(asks) if text.strip()
    )
    audit_record(actor=actor, action="case.create", obj=case, after=audit_snapshot(case))
    return case


@transaction.atomic
def case_update(
    *, case: Case, actor: Actor, expected_version: int, data: Mapping[str, Any]
) -> Case:
    """Change a case's own fields; refuses when someone else saved it since it was read."""
    role_require(actor, EDIT)
    unknown = set(data) - set(EDITABLE_FIELDS)
    if unknown:
        raise ValueError(f"not editable: {sorted(unknown)}")
    before = audit_snapshot(case, EDITABLE_FIELDS)
    if "reference" in data:
        data = {**data, "reference": " ".join(str(data["reference"]).split())}
        taken = Case.objects.filter(
            organisation_id=case.organisation_id, reference__iexact=data["reference"]
        ).exclude(pk=case.pk)
        if taken.exists():
            raise ApplicationError(
                _("A case with the reference %(ref)s already exists.") % {"ref": data["reference"]},
                code="duplicate_reference",
                fields={"reference": [_("This reference is already used.")]},
            )
    try:
        with transaction.atomic():
            updated = Case.objects.filter(pk=case.pk, version=expected_version).update(
                version=F("version") + 1, updated_at=timezone.now(), **data
            )
    except IntegrityError as exc:  # another save took the reference in the same instant
        raise ApplicationError(
            _("A case with this reference already exists."), code="duplicate_reference"
        ) from exc
    if not updated:
        raise Conflict(
            _(
                "Someone else saved this case while you were editing it. Your changes were not "
                "saved: reload the case, then apply them again."
            )
        )
    case.refresh_from_db()
    _translations_mark_outdated(case=case, changed=set(data))
    audit_record(
        actor=actor,
        action="case.update",
        obj=case,
        before=before,
        after=audit_snapshot(case, EDITABLE_FIELDS),
    )
    return case


@transaction.atomic
def case_save(
    *,
    case: Case,
    actor: Actor,
    expected_version: int,
    data: Mapping[str, Any],
    themes: Sequence[Any] | None = None,
    people: Sequence[Mapping[str, Any]] | None = None,
    asks: Sequence[str] | None = None,
) -> Case:
    """Save the case editor's one form: fields, themes, people and asks together or not at all.

    The version check of `case_update` covers every part, so a save based on an older
    version changes nothing. A part given as None is left as it is.
    """
    case = case_update(case=case, actor=actor, expected_version=expected_version, data=data)
    if themes is not None:
        before = sorted(t.slug for t in case.themes.all())
        case.themes.set(themes)
        after = sorted(t.slug for t in case.themes.all())
        if before != after:
            audit_record(
                actor=actor,
                action="case.themes",
                obj=case,
                before={"themes": before},
                after={"themes": after},
            )
    if people is not None:
        case_people_set(case=case, actor=actor, people=people)
    if asks is not None:
        case_asks_set(case=case, actor=actor, asks=asks)
    return case


def _version_claim(*, case: Case, expected_version: int) -> None:
    """Bump the case's version if it is still the one the person read; else refuse."""
    claimed = Case.objects.filter(pk=case.pk, version=expected_version).update(
        version=F("version") + 1, updated_at=timezone.now()
    )
    if not claimed:
        raise Conflict(
            _(
                "Someone else saved this case while you were editing it. Your changes were not "
                "saved: reload the case, then apply them again."
            )
        )


def _translations_mark_outdated(*, case: Case, changed: set[str]) -> None:
    if changed & {"headline", "story", "background"}:
        case.translations.filter(state="done").update(state="outdated")


def case_missing_for_publication(*, case: Case) -> list[str]:
    """What stops a case from being published, in words a coordinator acts on."""
    missing = []
    if not case.headline.strip():
        missing.append(_("a headline"))
    if not case.country:
        missing.append(_("a country"))
    if not case.story.strip():
        missing.append(_("the story"))
    if not case.asks.exists():
        missing.append(_("at least one ask"))
    working = ContactPoint.objects.filter(
        official__case_targets__case=case,
        official__case_targets__role=CaseTarget.Role.PRIMARY,
    ).exclude(health=ContactPoint.Health.DEAD)
    if not working.exists():
        missing.append(_("a primary target with at least one working contact point"))
    if case.deadline and case.deadline < timezone.localdate():
        missing.append(_("a deadline that has not passed"))
    return missing


@transaction.atomic
def case_publish(*, case: Case, actor: Actor, expected_version: int | None = None) -> Case:
    """Publish a complete draft; its `published` event tells outreach to alert supporters.

    With `expected_version` (what the person checked before pressing Publish), a case
    saved since then is refused, so nobody publishes what they have not seen.
    """
    role_require(actor, PUBLISH)
    case = Case.objects.select_for_update().get(pk=case.pk)
    if case.status != Case.Status.DRAFT:
        raise ApplicationError(_("Only a draft can be published."), code="not_draft")
    if expected_version is not None and case.version != expected_version:
        raise Conflict(_("The case changed after you checked it. Check it again, then publish."))
    missing = case_missing_for_publication(case=case)
    if missing:
        raise CaseIncomplete(
            _("This case cannot be published yet. It needs: %(missing)s.")
            % {"missing": "; ".join(missing)},
            fields={"__all__": missing},
        )
    before = audit_snapshot(case, ["status", "published_at"])
    case.status = Case.Status.ACTIVE
    case.published_at = timezone.now()
    case.version += 1
    case.save(update_fields=["status", "published_at", "version", "updated_at"])
    audit_record(
        actor=actor,
        action="case.publish",
        obj=case,
        before=before,
        after=audit_snapshot(case, ["status", "published_at"]),
    )
    case_event_record(case=case, kind=CaseEvent.Kind.PUBLISHED, key=f"published:{case.uuid}")
    return case


@transaction.atomic
def update_post(
    *,
    case: Case,
    actor: Actor,
    title: str,
    body: str,
    issued_on: datetime.date | None = None,
    asks: Sequence[str] | None = None,
    status: str | None = None,
) -> Update:
    """Post a numbered Further Information; may replace the asks and reopen a closed case.

    Closing needs an outcome (case_close) and publishing a draft needs its checks
    (case_publish), so `status` may only be "active", and only a publisher may reopen.
    """
    role_require(actor, EDIT)
    if status and status != Case.Status.ACTIVE:
        raise ApplicationError(
            _("Further Information cannot close a case: close it with an outcome instead."),
            code="status_not_allowed",
            fields={"status": [_("Only “active” (to reopen a closed case) is allowed.")]},
        )
    case = Case.objects.select_for_update().get(pk=case.pk)
    reopen = bool(status) and case.status == Case.Status.CLOSED
    if reopen:
        role_require(actor, PUBLISH)
    if case.status == Case.Status.DRAFT:
        raise ApplicationError(_("Publish the case before posting Further Information."))
    if not body.strip():
        raise ApplicationError(
            _("Further Information needs a text."), fields={"body": [_("This field is required.")]}
        )
    number = (case.updates.aggregate(n=Max("number"))["n"] or 0) + 1
    update = Update.objects.create(
        case=case,
        number=number,
        title=title.strip() or _("Further information on %(ref)s") % {"ref": case.reference},
        body=body.strip(),
        issued_on=issued_on or timezone.localdate(),
        published_at=timezone.now(),
        origin_org=case.origin_org,
    )
    if asks is not None:
        case.asks.all().delete()
        Ask.objects.bulk_create(
            Ask(case=case, text=t.strip(), position=i) for i, t in enumerate(asks) if t.strip()
        )
    if reopen:
        case.status = Case.Status.ACTIVE
        case.version += 1
        case.save(update_fields=["status", "version", "updated_at"])
    audit_record(actor=actor, action="case.update_post", obj=case, after={"update": number})
    case_event_record(
        case=case,
        kind=CaseEvent.Kind.UPDATE_POSTED,
        key=f"update:{update.uuid}",
        update=update,
        data={"number": number, "reopened": reopen},
    )
    return update


@transaction.atomic
def case_close(
    *,
    case: Case,
    actor: Actor,
    kind: str,
    occurred_on: datetime.date,
    summary: str = "",
    update: Update | None = None,
) -> Outcome:
    """Close a case with a structured outcome and tell everyone who acted or subscribed."""
    role_require(actor, PUBLISH)
    if kind not in Outcome.Kind.values:
        raise ApplicationError(
            _("Choose an outcome from the list."), fields={"kind": [_("Unknown outcome.")]}
        )
    if occurred_on > timezone.localdate():
        raise ApplicationError(
            _("The outcome date cannot be in the future."),
            fields={"occurred_on": [_("Give the date it happened.")]},
        )
    case = Case.objects.select_for_update().get(pk=case.pk)
    if case.status == Case.Status.DRAFT:
        raise ApplicationError(_("A draft cannot be closed; delete it instead."))
    outcome = Outcome.objects.create(
        case=case, kind=kind, occurred_on=occurred_on, summary=summary.strip(), update=update
    )
    before = audit_snapshot(case, ["status"])
    case.status = Case.Status.CLOSED
    case.version += 1
    case.save(update_fields=["status", "version", "updated_at"])
    audit_record(
        actor=actor,
        action="case.close",
        obj=case,
        before=before,
        after={"status": case.status, "outcome": kind, "occurred_on": str(occurred_on)},
    )
    case_event_record(
        case=case,
        kind=CaseEvent.Kind.CLOSED,
        key=f"closed:{outcome.uuid}",
        outcome=outcome,
        data={"kind": kind},
    )
    return outcome


@transaction.atomic
def case_stop_switch(
    *, case: Case, actor: Actor, stopped: bool, hide_names: bool, reason: str
) -> Case:
    """Stop (or resume) action at once: forms hidden, everything naming the person held.

    In the same transaction the case's queue hold (`Case.hold_key`) is set, or lifted on
    resume: every claim reads holds in its own transaction, so once this commits no worker
    claims another letter, fax or batch of a mailing about the case (alerts, Further
    Information, outcome notices), and the letter worker re-checks the hold before each
    letter of a batch already claimed. The reason stays in the audit log only: the event
    says what changed, not why (other instances receive it).
    """
    role_require(actor, PUBLISH)
    if not reason.strip():
        raise ApplicationError(
            _("Say why action is stopped or resumed; the reason goes to the audit log."),
            fields={"reason": [_("This field is required.")]},
        )
    case = Case.objects.select_for_update().get(pk=case.pk)
    before = audit_snapshot(case, ["actions_stopped", "hide_names"])
    case.actions_stopped = stopped
    case.hide_names = hide_names
    case.version += 1
    case.save(update_fields=["actions_stopped", "hide_names", "version", "updated_at"])
    if stopped:
        queue_hold_set(key=case.hold_key, reason=_("held: action on this case is stopped"))
    else:
        queue_hold_lift(key=case.hold_key)
    after = {**audit_snapshot(case, ["actions_stopped", "hide_names"]), "reason": reason.strip()}
    audit_record(
        actor=actor,
        action="case.stop" if stopped else "case.resume",
        obj=case,
        before=before,
        after=after,
    )
    kind = CaseEvent.Kind.STOPPED if stopped else CaseEvent.Kind.RESUMED
    case_event_record(
        case=case,
        kind=kind,
        key=f"{kind}:{case.uuid}:v{case.version}",
        data={"hide_names": hide_names},
    )
    return case


@transaction.atomic
def case_people_set(
    *, case: Case, actor: Actor, people: Sequence[Mapping[str, Any]]
) -> list[PersonAtRisk]:
    """Set the people at risk, in order (name, pronouns, visibility).

    A row keeps the person it stands for (by `id`, or else by the same name), so what is
    attached to a person, such as a photo, stays with them; people left out are removed.
    """
    role_require(actor, EDIT)
    existing = {p.pk: p for p in case.people.all()}
    before = [p.name for p in existing.values()]
    rows: list[PersonAtRisk] = []
    for person in people:
        name = " ".join(str(person.get("name", "")).split())
        if not name:
            continue
        visibility = person.get("visibility") or PersonAtRisk.Visibility.PUBLIC
        if visibility not in PersonAtRisk.Visibility.values:
            raise ApplicationError(_("Unknown visibility: %(v)s.") % {"v": visibility})
        row = _person_match(case, existing, person_id=person.get("id"), name=name, taken=rows)
        row.name, row.visibility, row.position = name, visibility, len(rows)
        row.pronouns = str(person.get("pronouns", "")).strip()[:40]
        rows.append(row)
    removed = [p for p in existing.values() if p not in rows]
    if removed:
        case.people.filter(pk__in=[p.pk for p in removed]).delete()
        people_photos_discard(removed)
    PersonAtRisk.objects.bulk_update(
        [r for r in rows if r.pk], ["name", "pronouns", "visibility", "position"]
    )
    PersonAtRisk.objects.bulk_create([r for r in rows if not r.pk])
    audit_record(
        actor=actor,
        action="case.people",
        obj=case,
        before={"people": before},
        after={"people": [p.name for p in rows]},
    )
    return rows


def _person_match(
    case: Case,
    existing: Mapping[int, PersonAtRisk],
    *,
    person_id: Any,
    name: str,
    taken: list[PersonAtRisk],
) -> PersonAtRisk:
    match = existing.get(int(person_id)) if str(person_id or "").isdigit() else None
    if match is None or match in taken:
        match = next((p for p in existing.values() if p.name == name and p not in taken), None)
    return match or PersonAtRisk(case=case)


@transaction.atomic
def case_asks_set(*, case: Case, actor: Actor, asks: Sequence[str]) -> list[Ask]:
    role_require(actor, EDIT)
    before = [a.text for a in case.asks.all()]
    texts = [" ".join(t.split()) for t in asks if t and t.strip()]
    case.asks.all().delete()
    rows = Ask.objects.bulk_create(Ask(case=case, text=t, position=i) for i, t in enumerate(texts))
    _translations_mark_outdated(case=case, changed={"story"} if before != texts else set())
    audit_record(
        actor=actor, action="case.asks", obj=case, before={"asks": before}, after={"asks": texts}
    )
    return rows


@transaction.atomic
def case_target_add(
    *, case: Case, actor: Actor, official: Any, role: str, salutation: str = ""
) -> CaseTarget:
    role_require(actor, EDIT)
    if role not in CaseTarget.Role.values:
        raise ApplicationError(_("A target is either written to or sent a copy."))
    if CaseTarget.objects.filter(case=case, official=official).exists():
        raise ApplicationError(
            _("%(official)s is already a target of this case.") % {"official": official},
            code="duplicate_target",
        )
    position = case.targets.filter(role=role).count()
    target = CaseTarget.objects.create(
        case=case, official=official, role=role, position=position, salutation=salutation.strip()
    )
    audit_record(
        actor=actor,
        action="case.target_add",
        obj=case,
        after={"official": official.pk, "role": role},
    )
    return target


def _official_unchanged_claim(*, official_id: int, seen: str) -> None:
    """Lock the official; refuse when it changed since its fingerprint `seen` was read."""
    official = Official.objects.select_for_update().get(pk=official_id)
    if official_fingerprint(official=official) != seen:
        raise Conflict(
            _(
                "Someone else changed this official while you were editing it. Your "
                "changes were not saved: reload the page, then apply them again."
            )
        )


def _contact_points_apply(
    *, official: Official, actor: Actor, points: Sequence[Mapping[str, Any]]
) -> None:
    """Change the contact points that carry an id, add those without one."""
    for point in points:
        if point.get("id"):
            existing = official.contact_points.filter(pk=point["id"]).first()
            if existing is None:
                raise ApplicationError(
                    _("A contact point was removed while you were editing; reload the page.")
                )
            contact_point_update(
                contact_point=existing,
                actor=actor,
                value=str(point.get("value", "")),
                label=str(point.get("label", "")),
            )
        elif str(point.get("value", "")).strip():
            contact_point_add(
                official=official,
                actor=actor,
                kind=str(point.get("kind", "")),
                value=str(point["value"]),
                label=str(point.get("label", "")),
            )


@transaction.atomic
def case_target_update(
    *,
    target: CaseTarget,
    actor: Actor,
    expected_version: int,
    role: str,
    salutation: str = "",
    official_data: Mapping[str, Any] | None = None,
    contact_points: Sequence[Mapping[str, Any]] = (),
    official_seen: str | None = None,
) -> CaseTarget:
    """Change a target in place: its role and salutation on this case, and its official.

    `official_data` and `contact_points` change the official in the directory, for every
    case it is on; each contact point is `{"id", "value", "label"}` to change one, or
    `{"kind", "value", "label"}` without an id to add one. Refused, with nothing changed,
    when the case was saved by someone else since `expected_version` was read, or when
    the official was changed (from this or another case) since `official_seen`, its
    `official_fingerprint`, was read.
    """
    role_require(actor, EDIT)
    if role not in CaseTarget.Role.values:
        raise ApplicationError(
            _("A target is either written to or sent a copy."),
            fields={"role": [_("Choose Write to or Copy to.")]},
        )
    _version_claim(case=target.case, expected_version=expected_version)
    if official_seen is not None:
        _official_unchanged_claim(official_id=target.official_id, seen=official_seen)
    before = {"role": target.role, "salutation": target.salutation}
    if role != target.role:
        target.position = target.case.targets.filter(role=role).count()
    target.role, target.salutation = role, salutation.strip()
    target.save(update_fields=["role", "salutation", "position"])
    if official_data is not None:
        official_update(official=target.official, actor=actor, data=official_data)
    _contact_points_apply(official=target.official, actor=actor, points=contact_points)
    audit_record(
        actor=actor,
        action="case.target_update",
        obj=target.case,
        before={"official": target.official_id, **before},
        after={"official": target.official_id, "role": role, "salutation": target.salutation},
    )
    return target


@transaction.atomic
def case_target_remove(
    *, target: CaseTarget, actor: Actor, expected_version: int | None = None
) -> None:
    """Remove a target; with `expected_version`, refused when the case was saved since."""
    role_require(actor, EDIT)
    if expected_version is not None:
        _version_claim(case=target.case, expected_version=expected_version)
    audit_record(
        actor=actor,
        action="case.target_remove",
        obj=target.case,
        before={"official": target.official_id, "role": target.role},
    )
    target.delete()


@transaction.atomic
def case_translation_save(
    *,
    case: Case,
    actor: Actor,
    language: str,
    data: Mapping[str, Any],
    done: bool,
    expected_version: int | None = None,
) -> CaseTranslation:
    """Save a translation. With `expected_version` (the translation's version when the
    translator opened it, 0 for none yet), refused with nothing changed when someone else
    saved it meanwhile, so a second translator never silently overwrites the first."""
    role_require(actor, TRANSLATE)
    if language == case.language:
        raise ApplicationError(_("This is the case's own language; edit the case instead."))
    translation, created = CaseTranslation.objects.select_for_update().get_or_create(
        case=case, language=language, defaults={"headline": str(data.get("headline", ""))}
    )
    seen = 0 if created else translation.version
    if expected_version is not None and expected_version != seen:
        raise Conflict(
            _(
                "Someone else saved this translation while you were editing it. Your changes "
                "were not saved: reload the page, then apply them again."
            )
        )
    if not created:
        translation.version += 1
    before = audit_snapshot(translation, ["headline", "state"])
    translation.headline = str(data.get("headline", "")).strip()
    translation.story = str(data.get("story", "")).strip()
    translation.background = str(data.get("background", "")).strip()
    translation.asks = [str(a).strip() for a in data.get("asks", []) if str(a).strip()]
    translation.state = CaseTranslation.State.DONE if done else CaseTranslation.State.DRAFT
    translation.save()
    audit_record(
        actor=actor,
        action="case.translation",
        obj=case,
        before=before,
        after={**audit_snapshot(translation, ["headline", "state"]), "language": language},
    )
    return translation
