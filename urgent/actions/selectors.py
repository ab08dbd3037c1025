"""Reads for action pages, the composer and the staff views of what was sent."""

from __future__ import annotations

import datetime
from collections.abc import Collection
from dataclasses import dataclass
from typing import Any

from django.db.models import Case as DbCase
from django.db.models import Count, Max, Prefetch, Q, QuerySet, Value, When
from django.utils import timezone
from django.utils.translation import gettext as _

from urgent.actions.letters import FRAMES, LetterSource
from urgent.actions.models import Action, LetterDelivery, OfficialReply, PendingLetter
from urgent.cases.models import Case, CaseTarget
from urgent.core.db import hot_cursor
from urgent.officials.models import ContactPoint, Official
from urgent.supporters.models import Supporter
from urgent.supporters.selectors import iso


def case_refusal(case: Case | CaseState, *, today: datetime.date | None = None) -> str:
    """Why this case takes no action now, in words for the supporter; empty when it does."""
    today = today or timezone.localdate()
    if case.status == Case.Status.CLOSED:
        return _("This case is closed, so it no longer takes letters. Thank you for caring.")
    if case.status != Case.Status.ACTIVE:
        return _("This case is not published.")
    if case.actions_stopped:
        return _(
            "Action on this case is paused for the safety of the people involved. Please do "
            "not write until we say it is safe: letters already written are held, not sent."
        )
    if case.deadline and case.deadline < today:
        return _(
            "The deadline for this case has passed, so it no longer takes letters. Look for "
            "updates below: there may be a new appeal."
        )
    return ""


def case_for_action(*, slug: str) -> Case | None:
    """A published case with what the composer and the channels need, in a fixed few queries."""
    points = ContactPoint.objects.exclude(health=ContactPoint.Health.DEAD)
    targets = CaseTarget.objects.select_related("official").prefetch_related(
        Prefetch("official__contact_points", queryset=points)
    )
    return (
        Case.objects.filter(slug=slug, status__in=[Case.Status.ACTIVE, Case.Status.CLOSED])
        .select_related("organisation")
        .prefetch_related("people", "asks", "translations", Prefetch("targets", queryset=targets))
        .first()
    )


@dataclass(frozen=True)
class CaseState:
    """The least a self-reported action needs, read without building model instances."""

    id: int
    slug: str
    reference: str
    status: str
    deadline: datetime.date | None
    actions_stopped: bool
    official_ids: tuple[int, ...]


def case_state(*, slug: str) -> CaseState | None:
    """One plain query: this runs on every self-reported action, so no ORM machinery."""
    case_table, target_table = Case._meta.db_table, CaseTarget._meta.db_table
    with hot_cursor() as cursor:
        cursor.execute(
            f"SELECT c.id, c.reference, c.status, c.deadline, c.actions_stopped, t.official_id "  # noqa: S608
            f"FROM {case_table} c LEFT JOIN {target_table} t ON t.case_id = c.id "
            "WHERE c.slug = %s AND c.status IN ('active', 'closed') ORDER BY t.official_id",
            [slug],
        )
        rows = cursor.fetchall()
    if not rows:
        return None
    first = rows[0]
    deadline = first[3]
    if isinstance(deadline, str):
        deadline = datetime.date.fromisoformat(deadline)
    return CaseState(
        id=first[0],
        slug=slug,
        reference=first[1],
        status=first[2],
        deadline=deadline,
        actions_stopped=bool(first[4]),
        official_ids=tuple(sorted({r[5] for r in rows if r[5] is not None})),
    )


def letter_languages(case: Case) -> list[str]:
    """Languages a letter on this case can be written in: a frame and the asks in each."""
    languages = [case.language] if case.language in FRAMES else []
    for translation in case.translations.all():
        if (
            translation.language in FRAMES
            and translation.asks
            and translation.language not in languages
        ):
            languages.append(translation.language)
    return languages or ["en"]


def letter_source(*, case: Case, language: str) -> LetterSource:
    headline = case.headline
    asks = [ask.text for ask in case.asks.all()]
    if language != case.language:
        for translation in case.translations.all():
            if translation.language == language and translation.asks:
                headline = translation.headline or headline
                asks = [str(a) for a in translation.asks]
    hidden = getattr(case, "hide_names", False)
    names = [] if hidden else [p.public_name for p in case.people.all() if p.public_name]
    salutations = [t.effective_salutation for t in case.targets.all() if t.role == t.Role.PRIMARY]
    return LetterSource(
        reference=case.reference,
        headline=headline,
        names=names,
        asks=asks,
        salutations=salutations,
    )


def action_counts_by_channel(*, case: Case) -> dict[str, int]:
    rows = Action.objects.filter(case=case).values("channel").annotate(n=Count("id"))
    return {row["channel"]: row["n"] for row in rows}


@dataclass(frozen=True)
class Recipient:
    target: CaseTarget
    point: ContactPoint


def case_recipients(*, case: Case, kind: str) -> list[Recipient]:
    """Each target's first working contact point of one kind (email or fax), primaries first."""
    found = []
    for target in case.targets.all():
        points = [p for p in target.official.contact_points.all() if p.kind == kind]
        points.sort(key=lambda p: (p.health != ContactPoint.Health.OK, p.position, p.pk))
        if points and points[0].health != ContactPoint.Health.DEAD:
            found.append(Recipient(target=target, point=points[0]))
    found.sort(key=lambda r: (r.target.role != CaseTarget.Role.PRIMARY, r.target.position))
    return found


def pending_letter_get(*, uuid: str) -> PendingLetter | None:
    return (
        PendingLetter.objects.select_related("case", "supporter", "action")
        .filter(uuid=uuid)
        .first()
    )


def action_deliveries(*, action: Action) -> QuerySet[LetterDelivery]:
    """The letter's deliveries, the main recipients ("to") before the copies."""
    copy_last = DbCase(When(role=LetterDelivery.Role.TO, then=Value(0)), default=Value(1))
    return action.deliveries.select_related("official", "contact_point").order_by(copy_last, "id")


# Staff views


def official_list_for_staff() -> QuerySet[Official]:
    return Official.objects.annotate(
        letters=Count("letter_deliveries"),
        letters_sent=Count("letter_deliveries", filter=Q(letter_deliveries__status="sent")),
        letters_waiting=Count(
            "letter_deliveries",
            filter=Q(letter_deliveries__status__in=["queued", "deferred", "held", "sending"]),
        ),
        letters_failed=Count(
            "letter_deliveries", filter=Q(letter_deliveries__status__in=["bounced", "failed"])
        ),
        last_sent=Max("letter_deliveries__sent_at"),
        replies_count=Count("replies", distinct=True),
    ).order_by("country", "name")


def official_for_staff(*, uuid: str) -> Official | None:
    points = ContactPoint.objects.annotate(
        letters=Count("deliveries"),
        letters_sent=Count("deliveries", filter=Q(deliveries__status="sent")),
        last_sent=Max("deliveries__sent_at"),
    )
    return (
        Official.objects.filter(uuid=uuid)
        .prefetch_related(Prefetch("contact_points", queryset=points))
        .first()
    )


def deliveries_for_staff(
    *, official: Official | None = None, contact_point: ContactPoint | None = None, limit: int = 200
) -> list[LetterDelivery]:
    rows = LetterDelivery.objects.select_related("case", "contact_point", "official").order_by(
        "-created_at"
    )
    if official is not None:
        rows = rows.filter(official=official)
    if contact_point is not None:
        rows = rows.filter(contact_point=contact_point)
    return list(rows[:limit])


def replies_for_staff(*, official: Official) -> list[OfficialReply]:
    return list(
        OfficialReply.objects.filter(official=official).select_related("case", "delivery")[:50]
    )


def letter_signers(*, message_ids: Collection[str]) -> list[str]:
    """What signs the letters sent as these messages (a digest holds several): the
    supporters' names, places and "signed as", for staff pages to mask below coordinator."""
    ids = [m for m in message_ids if m]
    if not ids:
        return []
    rows = LetterDelivery.objects.filter(
        Q(message_id__in=ids) | Q(digest_message_id__in=ids), action__isnull=False
    ).values_list(
        "action__signature",
        "action__supporter__name",
        "action__pending__signer_name",
        "action__pending__signer_city",
    )
    return sorted({value for row in rows for value in row if value})


def supporter_actions_export(*, supporter: Supporter) -> list[dict[str, Any]]:
    """A supporter's actions with their letters, for their right-of-access export."""
    actions = (
        Action.objects.filter(supporter=supporter)
        .select_related("case")
        .prefetch_related("officials")
        .order_by("created_at")
    )
    return [
        {
            "case": a.case.reference,
            "channel": a.channel,
            "taken_at": iso(a.created_at),
            "confirmed": a.confirmed,
            "officials": [str(o) for o in a.officials.all()],
            "letter": a.letter,
            "subject": a.subject,
            "signature": a.signature,
            "language": a.language,
        }
        for a in actions
    ]


def supporter_identifiers(*, supporter: Supporter) -> list[str]:
    """What names a supporter in mail about their letters: address, name, signatures."""
    signatures = Action.objects.filter(supporter=supporter).values_list("signature", flat=True)
    return [s for s in {supporter.email or "", supporter.name, *signatures} if s.strip()]


def supporter_official_replies(*, supporter: Supporter) -> QuerySet[OfficialReply]:
    """Officials' replies to this supporter's letters, or to a digest that held one."""
    letters = LetterDelivery.objects.filter(supporter=supporter)
    digests = letters.exclude(digest_message_id="").values("digest_message_id")
    return OfficialReply.objects.filter(
        Q(delivery__in=letters) | Q(delivery__digest_message_id__in=digests)
    ).distinct()
