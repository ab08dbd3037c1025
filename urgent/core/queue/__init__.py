"""The queue engine every fan-out uses: letters to officials, faxes, mail to supporters.

Correctness lives in rows, not in the task queue and not in any process's memory. Each
delivery is one row of a model built on `QueueItem` (status, attempts, lease), and:

* **Claim** (`queue_claim`): one short transaction takes a batch of due rows (`SELECT ...
  FOR UPDATE SKIP LOCKED` on PostgreSQL, `BEGIN IMMEDIATE` on SQLite) and marks them
  `sending` with a lease (`claimed_until`) and the worker's token (`claimed_by`).
* **Lease**: renewed while a long batch lasts (`queue_lease_renew`); rows not sent are
  handed back (`queue_release`); a worker that dies leaves rows whose lease runs out, and
  the app's sweep puts them back (`queue_reclaim`).
* **Status machine**: queued → sending → sent, or deferred (a failure that may pass,
  retried on the one schedule in `retry.py`), failed, bounced, held or cancelled.
* **Holds** (`queue_hold_set`, `queue_hold_lift`): a key such as `case:<uuid hex>` written by
  the app that decides, in its own transaction; a claim reads holds in its transaction,
  so no batch is claimed once the hold has committed.
* **Record** (`Recorder`): one prepared UPDATE per outcome, the moment it is known.
* **Progress** (`queue_counts`, `Progress`): counts by status, rate and time left.

A new kind of delivery (federation: one row per follower and activity, an HTTP POST) plugs
in with its own model on `QueueItem`, a `Queue(model=..., lease=...)`, a sweep calling
`queue_reclaim`, and a task calling `queue_work(queue, load=..., send=...)` whose `send`
returns an `Outcome`.
"""

from urgent.core.queue.claim import (
    Claimed,
    Queue,
    RowHold,
    due,
    queue_claim,
    queue_due_exist,
    queue_lease_renew,
    queue_reclaim,
    queue_release,
    token_new,
)
from urgent.core.queue.holds import holds_reason, queue_hold_lift, queue_hold_set
from urgent.core.queue.models import WAITING, QueueHold, QueueItem, Status, status_constraint
from urgent.core.queue.progress import Progress, progress_from_counts, queue_counts
from urgent.core.queue.record import Recorder, Report
from urgent.core.queue.retry import RETRY_LIMIT, retry_after, retry_total
from urgent.core.queue.work import Outcome, outcome_record, queue_work

__all__ = [
    "RETRY_LIMIT",
    "WAITING",
    "Claimed",
    "Outcome",
    "Progress",
    "Queue",
    "QueueHold",
    "QueueItem",
    "Recorder",
    "Report",
    "RowHold",
    "Status",
    "due",
    "holds_reason",
    "outcome_record",
    "progress_from_counts",
    "queue_claim",
    "queue_counts",
    "queue_due_exist",
    "queue_hold_lift",
    "queue_hold_set",
    "queue_lease_renew",
    "queue_reclaim",
    "queue_release",
    "queue_work",
    "retry_after",
    "retry_total",
    "status_constraint",
    "token_new",
]
