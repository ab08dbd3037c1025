"""Called by `urgent worker` every few seconds: put back and wake up work that is due."""

from __future__ import annotations

from collections.abc import Callable

from urgent.actions import services
from urgent.actions.services.delivery import deliveries_due_exist, deliveries_fail_dead
from urgent.actions.services.sender import deliveries_send


def letters_sweep() -> None:
    services.deliveries_reclaim()
    services.deliveries_hold_and_release()
    deliveries_fail_dead()
    if deliveries_due_exist():
        deliveries_send.enqueue()


def digests_sweep() -> None:
    services.digests_send_due()


def faxes_sweep() -> None:
    services.fax_poll_open()


SWEEPS: list[Callable[[], None]] = [letters_sweep, digests_sweep, faxes_sweep]
