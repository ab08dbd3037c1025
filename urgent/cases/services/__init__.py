"""Writes to cases. `lifecycle`: create, edit, publish, update, close, stop; `audience`:
who receives alerts, Further Information, outcomes and digests; `photos`: photos of the
people at risk."""

from urgent.cases.services.audience import (
    case_alert_audience,
    case_alert_languages,
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
    case_save,
    case_slug_for,
    case_stop_switch,
    case_target_add,
    case_target_remove,
    case_target_update,
    case_translation_save,
    case_update,
    update_post,
)
from urgent.cases.services.photos import person_photo_remove, person_photo_set

__all__ = [
    "EDITABLE_FIELDS",
    "Actor",
    "CaseIncomplete",
    "case_alert_audience",
    "case_alert_languages",
    "case_alert_preview",
    "case_alert_schedule",
    "case_asks_set",
    "case_close",
    "case_create",
    "case_missing_for_publication",
    "case_people_set",
    "case_publish",
    "case_save",
    "case_slug_for",
    "case_stop_switch",
    "case_target_add",
    "case_target_remove",
    "case_target_update",
    "case_translation_save",
    "case_update",
    "digest_weekly_schedule",
    "outcome_notice_schedule",
    "person_photo_remove",
    "person_photo_set",
    "update_notice_schedule",
    "update_post",
]
