"""Erasing a supporter: every app forgets what it holds of them, in one transaction.

The supporters app sits below actions, mailings and inbound, which all hold something of a
supporter (letters, mail sent to them, mail they sent us), so the whole erasure is run from
here, above them all, through each app's own service; none of them writes another's tables.
"""

from __future__ import annotations

from django.db import transaction

from urgent.actions.models import Action, PendingLetter
from urgent.actions.selectors import supporter_identifiers, supporter_official_replies
from urgent.actions.services import supporter_letters_erase
from urgent.core.audit import audit_person_forget, audit_record
from urgent.inbound.services import inbound_messages_redact, supporter_messages_forget
from urgent.mailings.services import deliveries_supporter_forget
from urgent.supporters.models import Supporter
from urgent.supporters.services import supporter_anonymise


@transaction.atomic
def supporter_erase(*, supporter: Supporter) -> Supporter:
    """Remove everything that identifies a supporter; keep the anonymous counts.

    Mail queued to them and letters queued from them are stopped; the letters they wrote
    are blanked; officials' replies to them are kept without their address and name; the
    mail they sent us, their consents, subscriptions and requests are deleted; audit
    entries about them keep only what was done and when. The supporter row stays as an
    anonymous shell, so "how many people acted" stays true. Safe to repeat.
    """
    supporter = Supporter.objects.select_for_update().get(pk=supporter.pk)
    if supporter.status == Supporter.Status.ERASED:
        return supporter
    _audit_forget(supporter=supporter)  # first: it reads the letters before they are blanked
    deliveries_supporter_forget(supporter=supporter)
    # Officials' replies stay as evidence; the copy the receiver kept loses the supporter
    # too (their address in To or Cc, their name in the quoted letter).
    replies = supporter_official_replies(supporter=supporter).values_list("message_id", flat=True)
    inbound_messages_redact(
        message_ids=list(replies), needles=supporter_identifiers(supporter=supporter)
    )
    supporter_letters_erase(supporter=supporter)
    supporter_messages_forget(supporter=supporter)
    supporter = supporter_anonymise(supporter=supporter)
    audit_record(actor=None, action="supporter.erase", after={"supporter_id": supporter.pk})
    return supporter


def _audit_forget(*, supporter: Supporter) -> None:
    """Every audit entry about the supporter or their letters, or quoting them, is redacted.

    Admin edits of a letter, a pending letter or another model pointing at them (through a
    `supporter_id`) may have copied their address, name or words into the log.
    """
    objects = [(supporter._meta.label_lower, str(supporter.pk))]
    values = [supporter.name, supporter.city]
    for model in (Action, PendingLetter):
        letters = model.objects.filter(supporter=supporter)
        for pk, letter, signature in letters.values_list("pk", "letter", "signature"):
            objects.append((model._meta.label_lower, str(pk)))
            values += [letter, signature]
    audit_person_forget(
        objects=objects,
        emails=[supporter.email or ""],
        values=values,
        keys={"supporter_id": supporter.pk, "supporter": supporter.pk},
        label="(erased supporter)",
    )
