"""Writes of federation (docs/federation.md).

`following` holds what staff do (follow, answer, stop, accept a key), `receiving` what the
inbox does with a verified activity, `outbox` what this instance sends, `pinning` the
instances and keys it knows. Views, commands and tasks import from here.
"""

from urgent.federation.services.following import (
    follow_request_accept,
    follow_request_reject,
    instance_follow,
    instance_key_pin,
    instance_unfollow,
)
from urgent.federation.services.outbox import case_activity_send, key_rotation_announce
from urgent.federation.services.receiving import activity_receive, refusal_record

__all__ = [
    "activity_receive",
    "case_activity_send",
    "follow_request_accept",
    "follow_request_reject",
    "instance_follow",
    "instance_key_pin",
    "instance_unfollow",
    "key_rotation_announce",
    "refusal_record",
]
