"""What the staff pages read: the dashboard (in a fixed number of queries) and the checks
shown before a case is published."""

from __future__ import annotations

import datetime
import hashlib
import json
import re
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.db.models import Count, Q
from django.db.models.functions import TruncDate
from django.utils import timezone
from django.utils.translation import get_language_info
from django.utils.translation import gettext as _

from urgent.actions.models import Action, LetterDelivery, OfficialReply
from urgent.cases.models import Case, CaseTarget, CaseTranslation
from urgent.cases.services import case_missing_for_publication
from urgent.core.countries import country_name
from urgent.mailings.models import Delivery, Mailing
from urgent.officials.models import ContactPoint
from urgent.outreach.selectors import alert_audience, case_alert_languages, case_alert_preview


@dataclass(frozen=True)
class MailingProgress:
    mailing: Mailing
    sent: int
    failed: int
    remaining: int

    @property
    def total(self) -> int:
        return self.sent + self.failed + self.remaining


def _mailings_running(limit: int = 10) -> list[MailingProgress]:
    running = Mailing.objects.filter(
        state__in=[Mailing.State.SENDING, Mailing.State.PAUSED]
    ).annotate(
        sent=Count("deliveries", filter=Q(deliveries__status=Delivery.Status.SENT)),
        failed=Count(
            "deliveries",
            filter=Q(deliveries__status__in=[Delivery.Status.FAILED, Delivery.Status.BOUNCED]),
        ),
        all_rows=Count("deliveries"),
    )[:limit]
    return [
        MailingProgress(
            mailing=m, sent=m.sent, failed=m.failed, remaining=m.all_rows - m.sent - m.failed
        )
        for m in running
    ]


def dashboard_data(*, days: int = 30) -> dict[str, Any]:
    today = timezone.localdate()
    since = timezone.now() - datetime.timedelta(days=days)
    active = list(
        Case.objects.filter(status=Case.Status.ACTIVE)
        .annotate(action_count=Count("actions", distinct=True))
        .order_by("deadline", "id")
    )
    drafts = list(Case.objects.filter(status=Case.Status.DRAFT).order_by("-updated_at")[:10])
    per_day = dict(
        Action.objects.filter(created_at__gte=since)
        .annotate(day=TruncDate("created_at"))
        .values_list("day")
        .annotate(n=Count("id"))
        .values_list("day", "n")
    )
    actions_per_day = [
        (day, per_day.get(day, 0))
        for day in (today - datetime.timedelta(days=n) for n in range(days - 1, -1, -1))
    ]
    deliveries = dict(
        LetterDelivery.objects.values_list("status")
        .annotate(n=Count("id"))
        .values_list("status", "n")
    )
    to_fix = list(
        ContactPoint.objects.exclude(health=ContactPoint.Health.OK)
        .select_related("official")
        .order_by("-updated_at")[:20]
    )
    replies = list(OfficialReply.objects.select_related("case", "official")[:10])
    mailings = _mailings_running()
    return {
        "active_cases": active,
        "drafts": drafts,
        "actions_per_day": actions_per_day,
        "actions_total": sum(n for _day, n in actions_per_day),
        "deliveries": [
            (label, deliveries.get(value, 0)) for value, label in LetterDelivery.Status.choices
        ],
        "contact_points_to_fix": to_fix,
        "replies": replies,
        "mailings": mailings,
        "today": today,
    }


# -- Before publishing: what is missing or doubtful, and who gets the alert in what words ----


@dataclass(frozen=True)
class Doubt:
    """Something that does not stop publishing but that a coordinator should look at."""

    message: str
    anchor: str  # where in the case editor to fix it


@dataclass(frozen=True)
class LanguageGroup:
    language: str
    supporters: int
    mail: Any  # the alert as rendered for one supporter who reads this language


@dataclass(frozen=True)
class PublishCheck:
    missing: list[str]
    doubts: list[Doubt]
    groups: list[LanguageGroup]
    weekly: int  # supporters who will see the case in their weekly digest instead
    token: str  # changes whenever anything shown here changes

    @property
    def total(self) -> int:
        return sum(g.supporters for g in self.groups)


# "TURKMENISTAN: ..." or "Mexico: ...", the way case sheets title a case.
_COUNTRY_PREFIX = re.compile(r"^\s*([^\W\d_]+(?:[ '-][^\W\d_]+){0,4})\s*:\s")


def _headline_doubts(case: Case) -> list[Doubt]:
    doubts = []
    letters = [ch for ch in case.headline if ch.isalpha()]
    if len(letters) >= 8 and sum(ch.isupper() for ch in letters) / len(letters) > 0.7:
        doubts.append(
            Doubt(
                _(
                    "The headline is in capital letters; on the page and in the alert it reads as "
                    "shouting. Write it in sentence case."
                ),
                "id_headline",
            )
        )
    prefix = _COUNTRY_PREFIX.match(case.headline)
    names = {
        case.country.lower(),
        country_name(case.country, "en").lower(),
        country_name(case.country, case.language).lower(),
    }
    if prefix and (prefix.group(1).lower() in names or prefix.group(1).isupper()):
        doubts.append(
            Doubt(
                _("The headline starts with “%(prefix)s”: the country is shown beside it already.")
                % {"prefix": prefix.group(0).strip()},
                "id_headline",
            )
        )
    return doubts


def _target_doubts(case: Case, targets: list[CaseTarget]) -> list[Doubt]:
    return [
        Doubt(
            _("%(official)s has no working contact point: no letter can reach them.")
            % {"official": t.official},
            "targets-heading",
        )
        for t in targets
        if not any(p.health != ContactPoint.Health.DEAD for p in t.official.contact_points.all())
    ]


def _translation_doubts(case: Case) -> list[Doubt]:
    states = {t.language: t.state for t in case.translations.all()}
    doubts = []
    for code, _name in settings.LANGUAGES:
        if code == case.language:
            continue
        name = get_language_info(code)["name_translated"]
        state = states.get(code)
        if state == CaseTranslation.State.DONE:
            continue
        if state == CaseTranslation.State.OUTDATED:
            text = _(
                "The %(language)s translation is outdated after a change to the case: "
                "supporters who read %(language)s will not get this alert until it is "
                "checked and marked complete."
            )
        elif state == CaseTranslation.State.DRAFT:
            text = _(
                "The %(language)s translation is not marked complete: supporters who read "
                "%(language)s will not get this alert."
            )
        else:
            text = _(
                "There is no %(language)s translation: supporters who read %(language)s "
                "will not get this alert."
            )
        doubts.append(Doubt(text % {"language": name}, "translations-heading"))
    return doubts


def _fingerprint(case: Case, targets: list[CaseTarget]) -> str:
    seen = {
        "version": case.version,
        "case": [case.headline, case.story, case.background, str(case.deadline)],
        "people": [(p.pk, p.name, p.visibility) for p in case.people.all()],
        "asks": [a.text for a in case.asks.all()],
        "targets": [
            (
                t.pk,
                t.role,
                t.official_id,
                [(p.pk, p.health) for p in t.official.contact_points.all()],
            )
            for t in targets
        ],
        "translations": sorted(
            (t.language, t.state, t.updated_at.isoformat()) for t in case.translations.all()
        ),
    }
    return hashlib.sha256(json.dumps(seen, default=str).encode()).hexdigest()[:32]


def publish_check(*, case: Case) -> PublishCheck:
    """Everything the publish confirmation shows, and a token that changes with any of it.

    Who gets the alert is counted with the same audience the alert mailing uses.
    """
    targets = list(
        case.targets.select_related("official").prefetch_related("official__contact_points")
    )
    audience = alert_audience(case=case, weekly=False)
    groups = []
    for code in case_alert_languages(case=case):
        readers = audience.filter(Q(language__iexact=code) | Q(language__istartswith=f"{code}-"))
        groups.append(
            LanguageGroup(
                language=code,
                supporters=readers.count(),
                mail=case_alert_preview(case=case, language=code),
            )
        )
    return PublishCheck(
        missing=case_missing_for_publication(case=case),
        doubts=[
            *(
                [
                    Doubt(
                        _("There is no deadline: supporters will not know when to act by."),
                        "id_deadline",
                    )
                ]
                if not case.deadline
                else []
            ),
            *_headline_doubts(case),
            *_target_doubts(case, targets),
            *_translation_doubts(case),
        ],
        groups=groups,
        weekly=alert_audience(case=case, weekly=True).count(),
        token=_fingerprint(case, targets),
    )


def official_email_addresses() -> frozenset[str]:
    """Every email address in the officials directory, lower-cased (public on case pages)."""
    emails = ContactPoint.objects.filter(kind=ContactPoint.Kind.EMAIL)
    values = emails.values_list("value", flat=True)
    return frozenset(v.strip().lower() for v in values)
