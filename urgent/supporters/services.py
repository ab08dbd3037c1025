"""Writes to supporters: requests and their confirmation, preferences, unsubscribing, and
the supporters app's own part of erasure (urgent.outreach runs the whole of it).

Every request that would put an address on a list (the sign-up form, the "Keep me updated"
button, an email naming a case) goes through `confirmation_request`, which mails a signed
link; nothing is applied until `confirmation_confirm` runs from the page behind that link.
"""

from __future__ import annotations

import logging
import uuid
from collections.abc import Mapping, Sequence
from datetime import timedelta
from typing import Any

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone

from urgent.cases.models import Case, Theme
from urgent.core.errors import NotFound
from urgent.core.mail import mail_send
from urgent.core.ratelimit import ratelimit_hit, ratelimit_key
from urgent.core.text import one_line
from urgent.supporters.addresses import address_check
from urgent.supporters.consent import consent_preferences_wording
from urgent.supporters.links import supporter_url
from urgent.supporters.models import Confirmation, Consent, Subscription, Supporter
from urgent.supporters.selectors import supporters_by_email

logger = logging.getLogger(__name__)

# Confirmation and link mails one address can be sent per day, whatever asked for them:
# typing someone else's address into every case page must not flood their mailbox.
MAILS_PER_ADDRESS_PER_DAY = 5

PROFILE_FIELDS = (
    "name",
    "city",
    "country",
    "language",
    "frequency",
    "monthly_cap",
    "countries",
    "channels",
)


def supporter_for_email(*, email: str, language: str) -> Supporter:
    """The supporter with this (already checked) address; a pending one is made when new."""
    existing = supporters_by_email(email).first()
    if existing is not None:
        return existing
    try:
        with transaction.atomic():
            return Supporter.objects.create(
                email=email, language=language, status=Supporter.Status.PENDING
            )
    except IntegrityError:
        # Another request created it between our read and our insert.
        return supporters_by_email(email).get()


def confirmation_request(
    *,
    email: str,
    kind: str,
    wording: str,
    source: str,
    language: str,
    case: Case | None = None,
    profile: Mapping[str, Any] | None = None,
    reply_headers: Mapping[str, str] | None = None,
) -> Confirmation | None:
    """Record a request and mail its confirmation link; the same outcome for every address.

    Raises AddressRejected for a malformed or disposable address. Whether the address was
    known, already confirmed or recently mailed changes nothing the caller can see: a
    request repeated within the cooldown updates nothing and sends nothing.
    """
    email = address_check(email)
    with transaction.atomic():
        supporter = supporter_for_email(email=email, language=language)
        # One request at a time per supporter, so two quick clicks cannot mail twice.
        supporter = Supporter.objects.select_for_update().get(pk=supporter.pk)
        if supporter.status == Supporter.Status.ERASED:
            return None
        pending = (
            Confirmation.objects.filter(
                supporter=supporter, kind=kind, case=case, confirmed_at__isnull=True
            )
            .select_for_update()
            .first()
        )
        now = timezone.now()
        cooldown = timedelta(seconds=settings.URGENT_CONFIRMATION_COOLDOWN_SECONDS)
        if pending is not None and pending.mailed_at and now - pending.mailed_at < cooldown:
            return pending
        if pending is None:
            pending = Confirmation(supporter=supporter, kind=kind, case=case)
        pending.profile = _profile_one_line(profile)
        pending.wording = wording
        pending.source = source[:200]
        pending.language = language
        mail_ok = ratelimit_hit(
            key=ratelimit_key("supporter-mail", email.lower()),
            limit=MAILS_PER_ADDRESS_PER_DAY,
            window_seconds=86400,
        )
        if mail_ok:
            pending.mailed_at = now
        pending.save()
        if not mail_ok:
            logger.info("confirmation %s not mailed: daily limit for its address", pending.uuid)
            return pending
        confirmation_pk = pending.pk
        headers = dict(reply_headers or {})
        transaction.on_commit(lambda: _confirmation_mail(confirmation_pk, headers))
    return pending


def _confirmation_mail(confirmation_pk: int, headers: dict[str, str]) -> None:
    confirmation = Confirmation.objects.select_related("supporter", "case").get(pk=confirmation_pk)
    supporter = confirmation.supporter
    if not supporter.email:
        return
    url = supporter_url(
        supporter_uuid=supporter.uuid, purpose="confirm", extra=confirmation.uuid.hex
    )
    try:
        mail_send(
            to=[supporter.email],
            template_prefix="emails/supporters_confirm",
            context={
                "confirmation": confirmation,
                "case": confirmation.case,
                "confirm_url": url,
                "already_member": supporter.status == Supporter.Status.ACTIVE,
                "preferences_url": supporter_url(
                    supporter_uuid=supporter.uuid, purpose="preferences"
                ),
            },
            language=confirmation.language,
            headers=headers,
        )
    except Exception:
        # The request stays recorded; clearing mailed_at lets the person ask again at once.
        logger.exception("confirmation %s could not be mailed", confirmation.uuid)
        Confirmation.objects.filter(pk=confirmation_pk).update(mailed_at=None)


def _subscription_open(*, supporter: Supporter, kind: str, case: Case | None, source: str) -> None:
    now = timezone.now()
    subscription, created = Subscription.objects.get_or_create(
        supporter=supporter,
        kind=kind,
        case=case,
        defaults={"source": source[:40], "confirmed_at": now},
    )
    if not created and (subscription.ended_at or not subscription.confirmed_at):
        subscription.ended_at = None
        subscription.confirmed_at = now
        subscription.source = source[:40]
        subscription.save(update_fields=["ended_at", "confirmed_at", "source", "updated_at"])


# Names travel into mail bodies and letters' signatures: one line, whatever sent them.
_ONE_LINE_FIELDS = ("name", "city")


def _profile_one_line(profile: Mapping[str, Any] | None) -> dict[str, Any]:
    found = dict(profile or {})
    for field in _ONE_LINE_FIELDS:
        if field in found:
            found[field] = one_line(found[field])
    return found


def _profile_apply(*, supporter: Supporter, profile: Mapping[str, Any]) -> None:
    profile = _profile_one_line(profile)
    for field in PROFILE_FIELDS:
        if field in profile:
            setattr(supporter, field, profile[field])
    if supporter.frequency != Supporter.Frequency.MONTHLY_CAP:
        supporter.monthly_cap = None
    if "themes" in profile:
        supporter.themes.set(Theme.objects.filter(slug__in=list(profile["themes"])))


def _consent_purpose(confirmation: Confirmation) -> str:
    if confirmation.case is not None:
        return f"case updates: {confirmation.case.reference}"[:60]
    return "network: new cases and updates"


@transaction.atomic
def confirmation_confirm(*, confirmation: Confirmation) -> Confirmation:
    """Apply a request its owner has just confirmed; confirming twice changes nothing."""
    confirmation = (
        # Lock the request row only: PostgreSQL cannot lock the nullable side of the join.
        Confirmation.objects.select_for_update(of=("self",))
        .select_related("supporter", "case")
        .get(pk=confirmation.pk)
    )
    if confirmation.confirmed_at is not None:
        return confirmation
    supporter = Supporter.objects.select_for_update().get(pk=confirmation.supporter_id)
    if supporter.status == Supporter.Status.ERASED or not supporter.email:
        raise NotFound("This request belongs to an erased supporter.")
    now = timezone.now()
    source = f"{confirmation.source}; confirmed through the emailed link"
    if confirmation.kind == Confirmation.Kind.JOIN:
        _profile_apply(supporter=supporter, profile=confirmation.profile)
        _subscription_open(
            supporter=supporter, kind=Subscription.Kind.NEW_CASES, case=None, source="join"
        )
    else:
        _subscription_open(
            supporter=supporter,
            kind=Subscription.Kind.CASE,
            case=confirmation.case,
            source=confirmation.source.split(":")[0],
        )
    # Following the link proves the address reads its mail: it is no longer bouncing.
    supporter.status = Supporter.Status.ACTIVE
    supporter.bounce_count = 0
    supporter.confirmed_at = supporter.confirmed_at or now
    supporter.save()
    Consent.objects.create(
        supporter=supporter,
        purpose=_consent_purpose(confirmation),
        wording=confirmation.wording,
        source=source[:200],
        given_at=now,
    )
    confirmation.confirmed_at = now
    confirmation.save(update_fields=["confirmed_at", "updated_at"])
    return confirmation


@transaction.atomic
def supporter_preferences_update(
    *,
    supporter: Supporter,
    profile: Mapping[str, Any],
    themes: Sequence[str],
    new_cases: bool,
    language: str,
) -> Supporter:
    """Save what the preference centre sent; the signed link is the proof of ownership."""
    supporter = Supporter.objects.select_for_update().get(pk=supporter.pk)
    if supporter.status == Supporter.Status.ERASED:
        raise NotFound("This supporter has been erased.")
    _profile_apply(supporter=supporter, profile={**profile, "themes": list(themes)})
    now = timezone.now()
    current = supporter.subscriptions.filter(
        kind=Subscription.Kind.NEW_CASES, ended_at__isnull=True, confirmed_at__isnull=False
    ).exists()
    if new_cases and not current:
        _subscription_open(
            supporter=supporter,
            kind=Subscription.Kind.NEW_CASES,
            case=None,
            source="preferences",
        )
        Consent.objects.create(
            supporter=supporter,
            purpose="network: new cases and updates",
            wording=consent_preferences_wording(language=language),
            source="preference centre (signed link)",
            given_at=now,
        )
    elif not new_cases and current:
        _subscriptions_end(supporter=supporter, case=None, kind=Subscription.Kind.NEW_CASES)
    if supporter.status in {Supporter.Status.PENDING, Supporter.Status.UNSUBSCRIBED}:
        # The preferences link reached this address, so the address is confirmed; whether
        # anything is sent still depends on the subscriptions just saved.
        supporter.status = Supporter.Status.ACTIVE
        supporter.confirmed_at = supporter.confirmed_at or now
    supporter.save()
    return supporter


def _subscriptions_end(*, supporter: Supporter, case: Case | None, kind: str | None) -> int:
    now = timezone.now()
    subscriptions = supporter.subscriptions.filter(ended_at__isnull=True)
    consents = supporter.consents.filter(withdrawn_at__isnull=True)
    if kind is not None:
        subscriptions = subscriptions.filter(kind=kind)
    if case is not None:
        subscriptions = subscriptions.filter(case=case)
        consents = consents.filter(purpose=f"case updates: {case.reference}"[:60])
    elif kind == Subscription.Kind.NEW_CASES:
        consents = consents.filter(purpose__startswith="network")
    consents.update(withdrawn_at=now)
    return subscriptions.update(ended_at=now, updated_at=now)


@transaction.atomic
def supporter_unsubscribe(*, supporter: Supporter, case: Case | None, source: str) -> int:
    """Stop updates on one case, or everything when `case` is None; safe to repeat.

    Mail already queued for a supporter who unsubscribed from everything is not sent: the
    mailing engine cancels the row of anyone no longer active when their turn comes.
    """
    supporter = Supporter.objects.select_for_update().get(pk=supporter.pk)
    if supporter.status == Supporter.Status.ERASED:
        return 0
    ended = _subscriptions_end(supporter=supporter, case=case, kind=None)
    if case is None:
        supporter.status = Supporter.Status.UNSUBSCRIBED
        supporter.save(update_fields=["status", "updated_at"])
        supporter.confirmations.filter(confirmed_at__isnull=True).delete()
    logger.info("supporter %s unsubscribed from %s (%s)", supporter.pk, case or "all", source)
    return ended


@transaction.atomic
def supporter_anonymise(*, supporter: Supporter) -> Supporter:
    """Turn a supporter into an anonymous shell; the supporters app's part of erasure.

    The row stays (status erased, no address, a new UUID so every link already sent stops
    working) so that actions pointing at it keep "how many people acted" true. Consents,
    subscriptions and pending requests are deleted. What other apps hold (letters, mail,
    mail received) is theirs to forget: urgent.outreach.services.supporter_erase runs
    the whole erasure, this included.
    """
    supporter = Supporter.objects.select_for_update().get(pk=supporter.pk)
    if supporter.status == Supporter.Status.ERASED:
        return supporter
    supporter.consents.all().delete()
    supporter.subscriptions.all().delete()
    supporter.confirmations.all().delete()
    supporter.themes.clear()
    now = timezone.now()
    Supporter.objects.filter(pk=supporter.pk).update(
        email=None,
        email_hash=None,
        name="",
        city="",
        country="",
        language="en",
        status=Supporter.Status.ERASED,
        frequency=Supporter.Frequency.EVERY_CASE,
        monthly_cap=None,
        countries=[],
        channels=[],
        bounce_count=0,
        confirmed_at=None,
        erased_at=now,
        updated_at=now,
        uuid=uuid.uuid4(),
    )
    supporter.refresh_from_db()
    return supporter


def preferences_link_send(*, email: str, language: str) -> None:
    """Mail the preference-centre link to a known address; nothing for an unknown one.

    The caller shows the same page either way, so this never reveals who is a supporter.
    """
    email = address_check(email)
    supporter = supporters_by_email(email).exclude(status=Supporter.Status.ERASED).first()
    if supporter is None:
        return
    cooldown = settings.URGENT_CONFIRMATION_COOLDOWN_SECONDS
    if not ratelimit_hit(
        key=ratelimit_key("preferences-link", email.lower()), limit=1, window_seconds=cooldown
    ) or not ratelimit_hit(
        key=ratelimit_key("supporter-mail", email.lower()),
        limit=MAILS_PER_ADDRESS_PER_DAY,
        window_seconds=86400,
    ):
        return
    url = supporter_url(supporter_uuid=supporter.uuid, purpose="preferences")
    address = str(supporter.email)
    lang = supporter.language or language

    def send() -> None:
        try:
            mail_send(
                to=[address],
                template_prefix="emails/supporters_preferences_link",
                context={"preferences_url": url},
                language=lang,
            )
        except Exception:
            logger.exception("preferences link for supporter %s could not be mailed", supporter.pk)

    transaction.on_commit(send)


# A request's link is valid 7 days; after this long nobody can confirm it any more.
UNCONFIRMED_KEPT = timedelta(days=30)


def unconfirmed_prune(*, batch: int = 1000) -> tuple[int, int]:
    """Forget requests nobody confirmed, and addresses that were never more than that.

    Anyone can type anyone's address into a form: until its owner follows the link, the
    address is not a supporter's, and after UNCONFIRMED_KEPT it is deleted with its
    requests and any letter it was waiting to send. Deletes a batch per transaction;
    returns (requests, addresses) deleted.
    """
    cutoff = timezone.now() - UNCONFIRMED_KEPT
    stale = Confirmation.objects.filter(confirmed_at__isnull=True, created_at__lt=cutoff)
    never = Supporter.objects.filter(
        status=Supporter.Status.PENDING, confirmed_at__isnull=True, created_at__lt=cutoff
    ).exclude(pk__in=Confirmation.objects.values("supporter_id"))
    requests = addresses = 0
    while ids := list(stale.values_list("pk", flat=True)[:batch]):
        requests += Confirmation.objects.filter(pk__in=ids).delete()[0]
    while ids := list(never.values_list("pk", flat=True)[:batch]):
        with transaction.atomic():
            Supporter.objects.filter(pk__in=ids).delete()
        addresses += len(ids)
    if requests or addresses:
        logger.info(
            "pruned %s unconfirmed requests and %s unconfirmed addresses", requests, addresses
        )
    return requests, addresses
