"""Writes to cases. `lifecycle`: create, edit, publish, Further Information, close, stop;
`events`: the outbox those changes write; `targets`: merging officials named by targets;
`photos`: photos of the people at risk; `network`: the figures other instances
reported.

Who hears about a change (alerts, Further Information, outcomes, digests) is decided above
cases, in urgent.outreach, from the events.
"""

from urgent.cases.services.events import case_event_handled_mark, case_event_record
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
from urgent.cases.services.network import case_network_figures_set
from urgent.cases.services.photos import person_photo_remove, person_photo_set
from urgent.cases.services.targets import official_merge

__all__ = [
    "EDITABLE_FIELDS",
    "Actor",
    "CaseIncomplete",
    "case_asks_set",
    "case_close",
    "case_create",
    "case_event_handled_mark",
    "case_event_record",
    "case_missing_for_publication",
    "case_network_figures_set",
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
    "official_merge",
    "person_photo_remove",
    "person_photo_set",
    "update_post",
]
