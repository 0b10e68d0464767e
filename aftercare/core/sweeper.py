"""The outbox sweeper that runs inside every `aftercare worker`.

A delivery task can be lost (a Redis queue flushed, a worker killed between claiming and
finishing). The sweep finds such messages and enqueues them again. It runs in a thread of the
worker rather than as a cron job so that an installation needs nothing beyond its workers;
several workers sweeping at once is harmless (ADR 0004): a message enqueued twice is claimed
once.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable

from django.db import close_old_connections

from aftercare.core.outbox import requeue_due_outbox

log = logging.getLogger(__name__)
SWEEP_INTERVAL_SECONDS = 300.0

# Apps' own periodic checks (e.g. restarting a task chain that stopped), registered from
# their AppConfig.ready(); each runs at every sweep.
_EXTRA_SWEEPS: list[Callable[[], object]] = []


def register_sweep(check: Callable[[], object]) -> None:
    if check not in _EXTRA_SWEEPS:
        _EXTRA_SWEEPS.append(check)


def sweep_once() -> int:
    """One sweep; never raises, because a failed sweep must not stop the worker."""
    for check in list(_EXTRA_SWEEPS):
        try:
            check()
        except Exception:
            log.exception("periodic check %s failed; will try again", check)
    try:
        count = requeue_due_outbox()
    except Exception:
        log.exception("outbox sweep failed; will try again at the next interval")
        return 0
    if count:
        log.info("outbox sweep re-enqueued %d message(s)", count)
    return count


class OutboxSweeper(threading.Thread):
    """Sweeps at start and then every `interval` seconds until stopped."""

    def __init__(
        self, interval: float = SWEEP_INTERVAL_SECONDS, sweep: Callable[[], int] = sweep_once
    ) -> None:
        super().__init__(name="outbox-sweeper", daemon=True)
        self.interval = interval
        self.sweep = sweep
        self.stopped = threading.Event()
        self.sweeps = 0

    def run(self) -> None:
        while not self.stopped.is_set():
            # This thread outlives any request; drop connections the database has closed.
            close_old_connections()
            self.sweep()
            self.sweeps += 1
            self.stopped.wait(self.interval)

    def stop(self) -> None:
        self.stopped.set()
