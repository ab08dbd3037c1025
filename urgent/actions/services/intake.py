"""Taking action: self-reported actions, and letters Urgent sends once their writer confirms."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from urgent.actions import selectors
from urgent.actions.models import Action, DigestTarget, LetterDelivery, PendingLetter
from urgent.actions.services.common import message_id_for
from urgent.actions.services.sender import deliveries_wake
from urgent.cases.models import Case
from urgent.core.db import hot_writes, row_insert_linked
from urgent.core.errors import ApplicationError
from urgent.core.mail import mail_send
from urgent.core.ratelimit import ratelimit_hit, ratelimit_key
from urgent.core.text import one_line
from urgent.supporters.links import supporter_token
from urgent.supporters.models import Supporter

# Without a solved proof of work (no JavaScript), a client address gets this many actions an
# hour: enough for a person, too few for a script.
NO_POW_PER_HOUR = 5


class ActionRefused(ApplicationError):
    code = "action_refused"


class RateLimited(ApplicationError):
    code = "rate_limited"
    status = 429


@dataclass(frozen=True)
class LetterInput:
    channel: str
    subject: str
    letter: str
    language: str
    signed_as: str
    # The writer's own details, kept with the letter until the emailed link is followed.
    name: str = ""
    city: str = ""
    country: str = ""


def _case_check(case: Case | selectors.CaseState) -> None:
    refusal = selectors.case_refusal(case)
    if refusal:
        raise ActionRefused(refusal, code="case_not_accepting")


def _client_limits(*, client: str, challenge: str | None) -> None:
    per_hour = settings.URGENT_ACTIONS_PER_IP_PER_HOUR
    if not ratelimit_hit(
        key=ratelimit_key("action-ip", client), limit=per_hour, window_seconds=3600
    ):
        raise RateLimited(
            _(
                "Too many actions came from your network in the last hour (the limit is "
                "%(limit)d). Please try again later."
            )
            % {"limit": per_hour}
        )
    if challenge is None and not ratelimit_hit(
        key=ratelimit_key("action-ip-nopow", client), limit=NO_POW_PER_HOUR, window_seconds=3600
    ):
        raise RateLimited(
            _(
                "Without JavaScript, a network can record %(limit)d actions an hour, and that "
                "many came from yours. Please try again later, or turn JavaScript on."
            )
            % {"limit": NO_POW_PER_HOUR}
        )


def action_record(
    *,
    case: selectors.CaseState,
    channel: str,
    letter: LetterInput | None,
    challenge: str | None,
    client: str,
) -> Action:
    """Record what a supporter says they did (their own mail app, post, phone, social).

    The rate-limit counters are bumped first, then the action and its officials are written
    all or nothing. On PostgreSQL each is one statement and its own transaction (the
    counters commit without waiting for the disk: core/migrations/0005), so the intake
    keeps up with a surge of supporters, even from one address; a hit there counts even
    when the action is then refused as a replay. On SQLite they share one short write
    transaction. A refused request stores no action.
    """
    _case_check(case)
    if channel not in {
        Action.Channel.MAIL_APP,
        Action.Channel.POST,
        Action.Channel.PHONE,
        Action.Channel.SOCIAL,
    }:
        raise ActionRefused(_("Choose how you took action."), code="channel_invalid")
    action = Action(
        case_id=case.id,
        channel=channel,
        letter=letter.letter if letter else "",
        subject=letter.subject if letter else "",
        language=letter.language if letter else "",
        signature=letter.signed_as if letter else "",
        confirmed=False,
        challenge=challenge,
    )
    try:
        with hot_writes():
            _client_limits(client=client, challenge=challenge)
            row_insert_linked(
                action,
                through=Action.officials.through,
                left="action_id",
                right="official_id",
                ids=case.official_ids,
            )
    except IntegrityError as exc:
        if challenge and Action.objects.filter(challenge=challenge).exists():
            raise ActionRefused(
                _("This form was already sent once, and your action is counted. Thank you!"),
                code="already_recorded",
            ) from exc
        raise
    return action


def _recipients_left_check(*, case: Case, supporter: Supporter, kind: str) -> None:
    """Refuse when nobody on the case takes this channel, or the writer wrote to them all."""
    recipients = selectors.case_recipients(case=case, kind=kind)
    if not recipients:
        raise ActionRefused(
            _("None of the officials on this case can be reached this way. Try another way."),
            code="no_recipients",
        )
    already = set(
        LetterDelivery.objects.filter(case=case, supporter=supporter).values_list(
            "official_id", flat=True
        )
    )
    if all(r.target.official_id in already for r in recipients):
        raise ActionRefused(
            _(
                "You have already sent a letter to each of these officials on this case through "
                "Urgent. One letter from each person is what counts, so there is nothing more "
                "to send: thank you! You can still call or post on social media."
            ),
            code="already_written",
        )


def _address_limit(*, supporter: Supporter) -> None:
    per_day = settings.URGENT_LETTERS_PER_ADDRESS_PER_DAY
    if not ratelimit_hit(
        key=ratelimit_key("letter-address", (supporter.email or "").lower()),
        limit=per_day,
        window_seconds=86400,
    ):
        raise RateLimited(
            _(
                "This address has asked for %(limit)d letters today, the most we send in a "
                "day. Please try again tomorrow."
            )
            % {"limit": per_day}
        )


def letter_request(
    *,
    case: Case,
    supporter: Supporter,
    letter: LetterInput,
    challenge: str | None,
    client: str,
) -> PendingLetter:
    """Keep a letter Urgent will send, and mail its writer a link to confirm the address."""
    _case_check(case)
    kind = "fax" if letter.channel == PendingLetter.Channel.FAX else "email"
    _recipients_left_check(case=case, supporter=supporter, kind=kind)
    with transaction.atomic():
        _client_limits(client=client, challenge=challenge)
        _address_limit(supporter=supporter)
        try:
            with transaction.atomic():
                pending = PendingLetter.objects.create(
                    case=case,
                    supporter=supporter,
                    channel=letter.channel,
                    subject=letter.subject,
                    letter=letter.letter,
                    language=letter.language,
                    signature=letter.signed_as,
                    signer_name=one_line(letter.name)[:200],
                    signer_city=one_line(letter.city)[:100],
                    signer_country=one_line(letter.country)[:2],
                    challenge=challenge,
                )
        except IntegrityError as exc:
            raise ActionRefused(
                _("This form was already sent once: look for our email in your inbox."),
                code="already_recorded",
            ) from exc
        pending_pk = pending.pk
        transaction.on_commit(lambda: _letter_confirmation_mail(pending_pk))
    return pending


def letter_confirm_url(pending: PendingLetter) -> str:
    token = supporter_token(
        supporter_uuid=pending.supporter.uuid, purpose="letter", extra=pending.uuid.hex
    )
    return f"{settings.URGENT_BASE_URL}/act/confirm/{token}/"


def _letter_confirmation_mail(pending_pk: int) -> None:
    pending = PendingLetter.objects.select_related("case", "supporter").get(pk=pending_pk)
    kind = "fax" if pending.channel == PendingLetter.Channel.FAX else "email"
    case = selectors.case_for_action(slug=pending.case.slug) or pending.case
    recipients = selectors.case_recipients(case=case, kind=kind)
    mail_send(
        to=[pending.supporter.email or ""],
        template_prefix="actions/mail/letter_confirm",
        context={
            "pending": pending,
            "case": pending.case,
            "url": letter_confirm_url(pending),
            "officials": [r.target.official for r in recipients],
        },
        language=pending.supporter.language,
    )


@dataclass(frozen=True)
class Confirmed:
    action: Action
    skipped: list[str]


def letter_confirm(*, pending: PendingLetter) -> Confirmed:
    """Turn a confirmed letter into an action with one queued delivery per recipient.

    Safe to repeat: a second press of the button shows the same action. Officials this
    supporter already wrote to on this case are skipped (a database constraint says so).
    """
    with transaction.atomic():
        pending = (
            PendingLetter.objects.select_for_update().select_related("supporter").get(pk=pending.pk)
        )
        if pending.action_id is not None:
            assert pending.action is not None
            return Confirmed(action=pending.action, skipped=[])
        case = selectors.case_for_action(slug=pending.case.slug)
        if case is None:
            raise ActionRefused(_("This case is no longer published."), code="case_gone")
        _case_check(case)
        now = timezone.now()
        supporter = pending.supporter
        _supporter_fill(supporter=supporter, pending=pending, now=now)
        kind = "fax" if pending.channel == PendingLetter.Channel.FAX else "email"
        recipients = selectors.case_recipients(case=case, kind=kind)
        already = set(
            LetterDelivery.objects.filter(case=case, supporter=supporter).values_list(
                "official_id", flat=True
            )
        )
        fresh = [r for r in recipients if r.target.official_id not in already]
        skipped = [str(r.target.official) for r in recipients if r.target.official_id in already]
        if not fresh:
            raise ActionRefused(
                _("You have already written to each of these officials on this case. Thank you!"),
                code="already_written",
            )
        action = Action.objects.create(
            case=case,
            supporter=supporter,
            channel=pending.channel,
            letter=pending.letter,
            subject=pending.subject,
            language=pending.language,
            signature=pending.signature,
            confirmed=True,
        )
        action.officials.set([r.target.official_id for r in fresh])
        _deliveries_queue(action=action, case=case, kind=kind, recipients=fresh)
        pending.action = action
        pending.confirmed_at = now
        pending.save(update_fields=["action", "confirmed_at", "updated_at"])
        transaction.on_commit(deliveries_wake)
    return Confirmed(action=action, skipped=skipped)


def _deliveries_queue(
    *, action: Action, case: Case, kind: str, recipients: list[selectors.Recipient]
) -> None:
    """One queued delivery per recipient; officials on a daily digest get the letter in it."""
    digests = set(
        DigestTarget.objects.filter(target__case=case).values_list("target_id", flat=True)
    )
    message_id = message_id_for(action.uuid)
    LetterDelivery.objects.bulk_create(
        LetterDelivery(
            action=action,
            case=case,
            official_id=r.target.official_id,
            supporter=action.supporter,
            contact_point=r.point,
            channel=kind,
            role=LetterDelivery.Role.TO if r.target.role == "primary" else LetterDelivery.Role.CC,
            message_id=message_id,
            digest=kind == "email" and r.target.pk in digests,
        )
        for r in recipients
    )


def _supporter_fill(*, supporter: Supporter, pending: PendingLetter, now: datetime) -> None:
    """The link was followed: the address is theirs. A name already stored stays as it is;
    a missing one is what they signed with, so later letters are prefilled."""
    fields = []
    if supporter.confirmed_at is None:
        supporter.confirmed_at = now
        fields.append("confirmed_at")
    if not supporter.name and pending.signer_name:
        supporter.name = pending.signer_name
        supporter.city = pending.signer_city
        supporter.country = pending.signer_country
        fields += ["name", "city", "country"]
    if fields:
        supporter.save(update_fields=[*fields, "updated_at"])


def pending_uuid(value: str) -> uuid.UUID | None:
    try:
        return uuid.UUID(hex=value)
    except ValueError:
        return None
