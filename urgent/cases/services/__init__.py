"""Writes to cases. `lifecycle`: create, edit, publish, update, close, stop; `audience`:
who receives alerts, Further Information, outcomes and digests."""

from urgent.cases.services.audience import (
    case_alert_preview,
    case_alert_schedule,
    digest_weekly_schedule,
    outcome_notice_schedule,
    update_notice_schedule,
)
from urgent.cases.services.lifecycle import (
    EDITABLE_FIELDS,
    Actor,
    CaseIncomplete,
    case_asks_set,
    case_close,
    case_create,
    case_missing_for_publication,
    case_people_set,
    case_publish,
    case_slug_for,
    case_stop_switch,
    case_target_add,
    case_target_remove,
    case_translation_save,
    case_update,
    update_post,
)

__all__ = [
    "EDITABLE_FIELDS",
    "Actor",
    "CaseIncomplete",
    "case_alert_preview",
    "case_alert_schedule",
    "case_asks_set",
    "case_close",
    "case_create",
    "case_missing_for_publication",
    "case_people_set",
    "case_publish",
    "case_slug_for",
    "case_stop_switch",
    "case_target_add",
    "case_target_remove",
    "case_translation_save",
    "case_update",
    "digest_weekly_schedule",
    "outcome_notice_schedule",
    "update_notice_schedule",
    "update_post",
]
