"""Reads for the federation pages, the outbox and the serialiser."""

from __future__ import annotations

import datetime
import difflib
from dataclasses import dataclass
from typing import Any
from uuid import UUID

from django.db.models import Count, Max, Prefetch, Q, QuerySet, Sum
from django.utils import timezone

from urgent.actions.models import Action, LetterDelivery, OfficialReply
from urgent.actions.selectors import action_counts_by_channel
from urgent.cases.models import Case, CaseTarget
from urgent.core.queue import Status
from urgent.federation import vocab
from urgent.federation.models import (
    Activity,
    ContactPointReport,
    Delivery,
    IncomingCase,
    Instance,
    InstanceKey,
    RefusedActivity,
    SectionCounts,
)
from urgent.officials.models import ContactPoint, Official

OUTBOX_PAGE_SIZE = 20


@dataclass(frozen=True)
class CaseCounts:
    by_channel: dict[str, int]
    letters_delivered: int
    replies_received: int
    supporters_reached: int = 0


def case_for_federation(*, case_id: int) -> Case | None:
    """A published case with everything its urgent action carries."""
    targets = CaseTarget.objects.select_related("official").prefetch_related(
        "official__contact_points"
    )
    return (
        Case.objects.filter(pk=case_id, status__in=[Case.Status.ACTIVE, Case.Status.CLOSED])
        .prefetch_related(
            "themes", "people", "asks", "outcomes", "updates", Prefetch("targets", targets)
        )
        .first()
    )


def case_published_id(*, uuid: str) -> int | None:
    return (
        Case.objects.filter(uuid=uuid, status__in=[Case.Status.ACTIVE, Case.Status.CLOSED])
        .values_list("pk", flat=True)
        .first()
    )


def case_counts(*, case: Case) -> CaseCounts:
    """Aggregates only: how many, never who."""
    return CaseCounts(
        by_channel=action_counts_by_channel(case=case),
        letters_delivered=LetterDelivery.objects.filter(
            case=case, status=LetterDelivery.Status.SENT
        ).count(),
        replies_received=OfficialReply.objects.filter(case=case).count(),
        supporters_reached=Action.objects.filter(case=case).values("supporter").distinct().count(),
    )


def case_of_ours(*, object_id: str) -> int | None:
    """The published case of ours an urgent action id names (`<base>/federation/cases/<uuid>`)."""
    prefix = f"{vocab.base_url()}/federation/cases/"
    if not object_id.startswith(prefix):
        return None
    try:
        uuid = str(UUID(object_id.removeprefix(prefix)))
    except ValueError:
        return None
    return case_published_id(uuid=uuid)


def case_sent_to(*, case_id: int, instance: Instance) -> bool:
    """Whether this instance was sent the case (so it may report counts for it)."""
    return Delivery.objects.filter(instance=instance, activity__case_id=case_id).exists()


def incoming_counts_due(*, today: datetime.date) -> list[IncomingCase]:
    """Adopted, published copies whose counts were not sent to the origin today."""
    return list(
        IncomingCase.objects.filter(
            case__status__in=[Case.Status.ACTIVE, Case.Status.CLOSED],
            instance__following_state=Instance.Follow.ACCEPTED,
        )
        .filter(Q(counts_sent_on__isnull=True) | Q(counts_sent_on__lt=today))
        .select_related("instance", "case")
        .defer("payload", "adopted_payload")
    )


@dataclass(frozen=True)
class NetworkCounts:
    """A case's figures here, each section's latest report, and their sum."""

    own: CaseCounts
    sections: list[SectionCounts]
    actions: int
    letters_delivered: int
    replies_received: int
    supporters_reached: int

    @property
    def own_actions(self) -> int:
        return sum(self.own.by_channel.values())


def network_counts(*, case: Case) -> NetworkCounts:
    own = case_counts(case=case)
    sections = list(SectionCounts.objects.filter(case=case).select_related("instance"))
    return _network(own, sections)


def network_counts_many(*, cases: QuerySet[Case]) -> list[tuple[Case, NetworkCounts]]:
    """`network_counts` for every case of `cases` that sections reported counts for, newest
    first, in a fixed number of queries however many cases and sections there are."""
    sections: dict[int, list[SectionCounts]] = {}
    rows = SectionCounts.objects.filter(case__in=cases.values("pk")).select_related("instance")
    for row in rows.order_by("case_id", "instance__name", "id"):
        sections.setdefault(row.case_id, []).append(row)
    ids = list(sections)
    actions = Action.objects.filter(case_id__in=ids).order_by()
    by_channel: dict[int, dict[str, int]] = {}
    for a in actions.values("case_id", "channel").annotate(n=Count("id")):
        by_channel.setdefault(a["case_id"], {})[a["channel"]] = a["n"]
    letters = _per_case(
        LetterDelivery.objects.filter(case_id__in=ids, status=LetterDelivery.Status.SENT),
        Count("id"),
    )
    replies = _per_case(OfficialReply.objects.filter(case_id__in=ids), Count("id"))
    reached = _per_case(actions, Count("supporter", distinct=True))
    found = []
    cases_found = Case.objects.filter(pk__in=ids).select_related("organisation")
    for case in cases_found.prefetch_related("people").order_by("-pk"):
        own = CaseCounts(
            by_channel=by_channel.get(case.pk, {}),
            letters_delivered=letters.get(case.pk, 0),
            replies_received=replies.get(case.pk, 0),
            supporters_reached=reached.get(case.pk, 0),
        )
        found.append((case, _network(own, sections[case.pk])))
    return found


def _per_case(rows: QuerySet[Any], count: Count) -> dict[int, int]:
    return {r["case_id"]: int(r["n"]) for r in rows.order_by().values("case_id").annotate(n=count)}


def _network(own: CaseCounts, sections: list[SectionCounts]) -> NetworkCounts:
    return NetworkCounts(
        own=own,
        sections=sections,
        actions=sum(own.by_channel.values()) + sum(s.actions for s in sections),
        letters_delivered=own.letters_delivered + sum(s.letters_delivered for s in sections),
        replies_received=own.replies_received + sum(s.replies_received for s in sections),
        supporters_reached=own.supporters_reached + sum(s.supporters_reached for s in sections),
    )


def section_counts_total(*, case_id: int) -> tuple[int, int]:
    """The actions all sections reported for one of our cases, and how many sections."""
    row = SectionCounts.objects.filter(case_id=case_id).aggregate(
        actions=Sum("actions"), sections=Count("id")
    )
    return int(row["actions"] or 0), int(row["sections"] or 0)


def network_cases() -> list[dict[str, Any]]:
    """Our cases that sections reported counts for, with the sections' sums (one query)."""
    return list(
        SectionCounts.objects.values("case_id", "case__reference", "case__headline")
        .annotate(
            sections=Count("id"),
            actions=Sum("actions"),
            letters=Sum("letters_delivered"),
            replies=Sum("replies_received"),
            supporters=Sum("supporters_reached"),
        )
        .order_by("-case_id")
    )


def instance_current_key(*, instance: Instance) -> InstanceKey | None:
    return instance.keys.filter(valid_until__isnull=True).first()


def instance_key_valid(
    *, actor_url: str, key_id: str, now: datetime.datetime | None = None
) -> tuple[Instance | None, InstanceKey | None]:
    """The instance with this actor, and its pinned key with this id if still valid."""
    instance = Instance.objects.filter(actor_url=actor_url).first()
    if instance is None:
        return None, None
    key = (
        instance.keys.filter(key_id=key_id)
        .filter(Q(valid_until__isnull=True) | Q(valid_until__gt=now or timezone.now()))
        .first()
    )
    return instance, key


def _with_current_key(instances: QuerySet[Instance]) -> QuerySet[Instance]:
    return instances.prefetch_related(
        Prefetch("keys", InstanceKey.objects.filter(valid_until__isnull=True), "current_keys")
    )


def instances_following() -> QuerySet[Instance]:
    """Instances this one follows or asked to follow."""
    return _with_current_key(Instance.objects.exclude(following_state=Instance.Follow.NONE))


def instances_follow_requests() -> QuerySet[Instance]:
    return _with_current_key(Instance.objects.filter(follower_state=Instance.Follow.PENDING))


def instances_followers() -> QuerySet[Instance]:
    return _with_current_key(Instance.objects.filter(follower_state=Instance.Follow.ACCEPTED))


def instances_related() -> QuerySet[Instance]:
    """Every instance that follows, or is followed by, this one (or asked to)."""
    live = [Instance.Follow.PENDING, Instance.Follow.ACCEPTED]
    return Instance.objects.filter(Q(follower_state__in=live) | Q(following_state__in=live))


def instance_detail(*, pk: int) -> Instance | None:
    return Instance.objects.filter(pk=pk).prefetch_related("keys").first()


def instance_deliveries(*, instance: Instance, limit: int = 50) -> list[Delivery]:
    return list(Delivery.objects.filter(instance=instance).select_related("activity")[:limit])


def instance_activities_received(*, instance: Instance, limit: int = 50) -> list[Activity]:
    return list(
        Activity.objects.filter(instance=instance, direction=Activity.Direction.IN).defer(
            "payload"
        )[:limit]
    )


def instances_expired() -> QuerySet[Instance]:
    """Followers that stopped answering: every retry of a delivery to them failed."""
    return Instance.objects.filter(follower_state=Instance.Follow.EXPIRED)


def delivery_counts() -> dict[str, int]:
    """Deliveries by status; `waiting` adds queued and deferred (due later) together."""
    rows = Delivery.objects.values("status").annotate(n=Count("id"))
    counts = {row["status"]: row["n"] for row in rows}
    counts["waiting"] = counts.get(Status.QUEUED, 0) + counts.get(Status.DEFERRED, 0)
    return counts


@dataclass(frozen=True)
class DeliveryTable:
    """Rows are activities (newest first), columns the instances they went to."""

    instances: list[Instance]
    rows: list[tuple[Activity, list[Delivery | None]]]


def deliveries_by_activity(*, limit: int = 30) -> DeliveryTable:
    """The recent activities sent to several instances or to the public, and each
    instance's delivery of each (three queries whatever the size)."""
    recent = list(
        Activity.objects.filter(direction=Activity.Direction.OUT, deliveries__isnull=False)
        .distinct()
        .select_related("case")
        .defer("payload")
        .order_by("-created_at", "-id")[:limit]
    )
    found = Delivery.objects.filter(activity__in=recent).defer("error")
    cells = {(d.activity_id, d.instance_id): d for d in found}
    instance_ids = sorted({instance_id for _activity, instance_id in cells})
    instances = list(Instance.objects.filter(pk__in=instance_ids).order_by("name", "pk"))
    rows = [(a, [cells.get((a.pk, i.pk)) for i in instances]) for a in recent]
    return DeliveryTable(instances=instances, rows=rows)


def outbox_activities() -> QuerySet[Activity]:
    return Activity.objects.filter(direction=Activity.Direction.OUT, public=True).order_by(
        "-created_at", "-id"
    )


def activity_public_get(*, activity_id: str) -> Activity | None:
    return outbox_activities().filter(activity_id=activity_id).first()


def refused_list() -> QuerySet[RefusedActivity]:
    return RefusedActivity.objects.all()


def activity_seen(*, activity_id: str) -> bool:
    return Activity.objects.filter(activity_id=activity_id).exists()


def incoming_list() -> list[IncomingCase]:
    """Cases received from followed instances, newest change first, with their copy and the
    number of Further Information and outcomes not yet sent on."""
    return list(
        IncomingCase.objects.select_related("instance", "case")
        .defer("payload", "adopted_payload")
        .annotate(notices_waiting=Count("notices", filter=Q(notices__sent_at__isnull=True)))
        .order_by("-updated_at", "-id")
    )


def incoming_detail(*, pk: int) -> IncomingCase | None:
    return (
        IncomingCase.objects.select_related("instance", "case")
        .prefetch_related("notices")
        .filter(pk=pk)
        .first()
    )


def incoming_for_case(*, case: Case) -> IncomingCase | None:
    """The origin of an adopted case, if it is one."""
    return IncomingCase.objects.select_related("instance").filter(case=case).first()


@dataclass(frozen=True)
class FieldChange:
    field: str
    lines: list[tuple[str, str]]  # ("same" | "added" | "removed", text)


def _as_lines(value: Any) -> list[str]:
    if isinstance(value, list):
        return [str(v) for v in value]
    return [p for p in str(value or "").split("\n") if p.strip()]


def incoming_changes(*, incoming: IncomingCase) -> list[FieldChange]:
    """What the origin changed in each text since staff last took its changes, line by line."""
    before = incoming.adopted_payload or {}
    after = incoming.payload
    changes = []
    for name in ("headline", "story", "background", "asks", "deadline"):
        old, new = _as_lines(before.get(name)), _as_lines(after.get(name))
        if old == new:
            continue
        marks = {" ": "same", "+": "added", "-": "removed"}
        lines = [(marks[d[0]], d[2:]) for d in difflib.ndiff(old, new) if d[0] in marks]
        changes.append(FieldChange(field=name, lines=lines))
    return changes


@dataclass(frozen=True)
class DeadContact:
    official: str
    kind: str
    value: str
    in_copy: bool  # the adopted copy writes to the same address


def dead_contacts(action: dict[str, Any]) -> set[tuple[str, str]]:
    """The (kind, value) of every contact point an urgent action marks dead."""
    return {
        (point["kind"], point["value"])
        for target in action.get("targets", [])
        for point in target.get("contactPoints", [])
        if point.get("health") == "dead"
    }


def incoming_dead_contacts(*, incoming: IncomingCase) -> list[DeadContact]:
    """Contact points the origin found dead, and whether this instance's copy uses them."""
    found = []
    for target in incoming.payload.get("targets", []):
        official = target["official"]
        name = " ".join(filter(None, [official.get("name"), official.get("title")]))
        for point in target.get("contactPoints", []):
            if point.get("health") == "dead":
                found.append((name, point["kind"], point["value"]))
    used: set[tuple[str, str]] = set()
    if incoming.case is not None and found:
        used = set(
            ContactPoint.objects.filter(
                official__case_targets__case=incoming.case,
                value__in=[value for _name, _kind, value in found],
            ).values_list("kind", "value")
        )
    return [DeadContact(n, k, v, (k, v) in used) for n, k, v in found]


def cases_health_changed() -> list[Case]:
    """Published cases whose dead contact points differ from what followers were last sent."""
    last_ids = (
        Activity.objects.filter(
            direction=Activity.Direction.OUT,
            kind__in=["Create", "Update"],
            case__status=Case.Status.ACTIVE,
        )
        .values("case_id")
        .annotate(last=Max("id"))
        .values_list("last", flat=True)
    )
    latest = {
        a.case_id: a.payload
        for a in Activity.objects.filter(pk__in=list(last_ids)).only("case_id", "payload")
        if a.case_id is not None
    }
    if not latest:
        return []
    dead_now: dict[int, set[tuple[str, str]]] = {pk: set() for pk in latest}
    rows = ContactPoint.objects.filter(
        official__case_targets__case_id__in=list(latest), health=ContactPoint.Health.DEAD
    ).values_list("official__case_targets__case_id", "kind", "value")
    for case_id, kind, value in rows:
        dead_now[case_id].add((kind, value))
    ids = [pk for pk, payload in latest.items() if dead_contacts(payload["object"]) != dead_now[pk]]
    return list(Case.objects.filter(pk__in=ids))


# Contact points reported dead across the network (docs/federation.md, "Dead contact points").

REPORTED_KINDS = ("email", "fax")


def origin_contact_points(action: dict[str, Any]) -> dict[tuple[str, str], str]:
    """(kind, value) → the origin's official id, for every email and fax of an urgent action."""
    return {
        (point["kind"], point["value"]): target["official"]["id"]
        for target in action.get("targets", [])
        for point in target.get("contactPoints", [])
        if point.get("kind") in REPORTED_KINDS
    }


@dataclass(frozen=True)
class ReportDue:
    incoming: IncomingCase
    official_id: str
    kind: str
    value: str
    health: str  # what to tell the origin: "dead", or "ok" (working again)


def contact_reports_due() -> list[ReportDue]:
    """Contact points that came from an origin, which an adopted copy here writes to, whose
    state here (our own bounces) differs from what we last told the origin: dead or suspect
    and not reported, or reported and working again. One per origin and contact point."""
    sent = {
        (r.instance_id, r.official_id, r.kind, r.value): r.health
        for r in ContactPointReport.objects.filter(role=ContactPointReport.Role.SENT)
    }
    bad = (ContactPoint.Health.DEAD, ContactPoint.Health.SUSPECT)
    due: dict[tuple[int, str, str, str], ReportDue] = {}
    copies = IncomingCase.objects.filter(
        case__isnull=False, withdrawn=False, instance__following_state=Instance.Follow.ACCEPTED
    ).select_related("instance")
    for incoming in copies:
        points = origin_contact_points(incoming.payload)
        if not points or incoming.case_id is None:
            continue
        local = ContactPoint.objects.filter(
            official__case_targets__case_id=incoming.case_id,
            kind__in=REPORTED_KINDS,
            value__in=[value for _kind, value in points],
        ).values_list("kind", "value", "health")
        for kind, value, health in local:
            official_id = points.get((kind, value))
            if official_id is None:
                continue
            key = (incoming.instance_id, official_id, kind, value)
            told = sent.get(key)
            if health in bad and told != "dead":
                due[key] = ReportDue(incoming, official_id, kind, value, "dead")
            elif health not in bad and told == "dead":
                due[key] = ReportDue(incoming, official_id, kind, value, "ok")
    return list(due.values())


def official_of_ours(*, official_id: str) -> Official | None:
    """The official of ours an id names (`<base>/federation/officials/<uuid>`)."""
    prefix = f"{vocab.base_url()}/federation/officials/"
    if not official_id.startswith(prefix):
        return None
    try:
        uuid = UUID(official_id.removeprefix(prefix))
    except ValueError:
        return None
    return Official.objects.filter(uuid=uuid).first()


def contact_point_of_case(
    *, case_id: int, official: Official, kind: str, value: str
) -> ContactPoint | None:
    """The contact point of an official our case writes to, by kind and address."""
    return ContactPoint.objects.filter(
        official=official, official__case_targets__case_id=case_id, kind=kind, value=value
    ).first()


def contact_reporters(*, contact_point: ContactPoint) -> int:
    """How many instances report the contact point dead (each counted once)."""
    return (
        ContactPointReport.objects.filter(
            role=ContactPointReport.Role.RECEIVED,
            contact_point=contact_point,
            health=ContactPointReport.Health.DEAD,
        )
        .values("instance")
        .distinct()
        .count()
    )


def report_relay_instances(*, official: Official, reporter: Instance) -> list[Instance]:
    """The other followers that were sent a case writing to this official."""
    cases = CaseTarget.objects.filter(official=official).values("case_id")
    return list(
        Instance.objects.filter(
            follower_state=Instance.Follow.ACCEPTED, deliveries__activity__case_id__in=cases
        )
        .exclude(pk=reporter.pk)
        .distinct()
    )


def contact_reports_received() -> list[ContactPointReport]:
    """Our contact points that sections report dead, for staff to check."""
    return list(
        ContactPointReport.objects.filter(
            role=ContactPointReport.Role.RECEIVED, health=ContactPointReport.Health.DEAD
        )
        .select_related("instance", "contact_point__official")
        .order_by("contact_point_id", "created_at", "id")
    )


def incoming_has_contact(*, instance: Instance, official_id: str, kind: str, value: str) -> bool:
    """Whether an urgent action this instance received from `instance` has the contact point."""
    payloads = IncomingCase.objects.filter(instance=instance).values_list("payload", flat=True)
    return any(
        origin_contact_points(payload).get((kind, value)) == official_id
        for payload in payloads.iterator()
    )


@dataclass(frozen=True)
class NetworkWarning:
    official: str
    kind: str
    value: str
    reports: int
    in_copy: bool  # the adopted copy writes to the same address


def incoming_network_warnings(*, incoming: IncomingCase) -> list[NetworkWarning]:
    """Contact points of this case that sections reported dead to the origin (the origin's
    warning), and whether this instance's copy writes to them."""
    points = origin_contact_points(incoming.payload)
    if not points:
        return []
    names = {
        target["official"]["id"]: " ".join(
            filter(None, [target["official"].get("name"), target["official"].get("title")])
        )
        for target in incoming.payload.get("targets", [])
    }
    rows = ContactPointReport.objects.filter(
        role=ContactPointReport.Role.RELAYED,
        instance_id=incoming.instance_id,
        health=ContactPointReport.Health.DEAD,
        value__in=[value for _kind, value in points],
    )
    found = [r for r in rows if points.get((r.kind, r.value)) == r.official_id]
    used: set[tuple[str, str]] = set()
    if incoming.case is not None and found:
        used = set(
            ContactPoint.objects.filter(
                official__case_targets__case=incoming.case, value__in=[r.value for r in found]
            ).values_list("kind", "value")
        )
    return [
        NetworkWarning(
            names.get(r.official_id, ""), r.kind, r.value, r.reports, (r.kind, r.value) in used
        )
        for r in found
    ]
