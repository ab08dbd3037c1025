"""Writes of outreach: who hears about what, decided from the cases outbox.

`notices`: alerts, Further Information and outcome notices, and draining the case events
into them; `digest`: the weekly digest; `erasure`: forgetting a supporter in every app that
holds something of theirs.
"""

from urgent.outreach.services.digest import digest_weekly_schedule
from urgent.outreach.services.erasure import supporter_erase
from urgent.outreach.services.notices import (
    CONSUMER,
    case_alert_schedule,
    case_event_handle,
    case_events_drain,
    outcome_notice_schedule,
    update_notice_schedule,
)

__all__ = [
    "CONSUMER",
    "case_alert_schedule",
    "case_event_handle",
    "case_events_drain",
    "digest_weekly_schedule",
    "outcome_notice_schedule",
    "supporter_erase",
    "update_notice_schedule",
]
