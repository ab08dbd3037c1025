"""Writes of the actions app. Other apps import from here, never from the submodules."""

from urgent.actions.services.delivery import (
    deliveries_claim,
    deliveries_hold_and_release,
    deliveries_reclaim,
    deliveries_send_due,
    digests_send_due,
    fax_poll_open,
    fax_status_record,
)
from urgent.actions.services.erasure import supporter_letters_erase
from urgent.actions.services.inbound import (
    bounce_reporter_plausible,
    fax_report_record,
    letter_bounce_record,
    official_reply_record,
)
from urgent.actions.services.intake import (
    ActionRefused,
    Confirmed,
    LetterInput,
    RateLimited,
    action_record,
    letter_confirm,
    letter_confirm_url,
    letter_request,
)

__all__ = [
    "ActionRefused",
    "Confirmed",
    "LetterInput",
    "RateLimited",
    "action_record",
    "bounce_reporter_plausible",
    "deliveries_claim",
    "deliveries_hold_and_release",
    "deliveries_reclaim",
    "deliveries_send_due",
    "digests_send_due",
    "fax_poll_open",
    "fax_report_record",
    "fax_status_record",
    "letter_bounce_record",
    "letter_confirm",
    "letter_confirm_url",
    "letter_request",
    "official_reply_record",
    "supporter_letters_erase",
]
