"""Background work of notifications: the consumers' periodic run and the on-commit nudge.

The periodic run is a chain of delayed tasks (`run_after`), not a cron: each run schedules
the next one RUN_EVERY later. Only the run holding the cursor row's current slot
(`next_run_at`) may schedule the next, by compare-and-set, so a restarted chain and a late
old one never both continue. `ensure_scheduled()` restarts a chain that stopped (its slot is
older than STALE_AFTER); every worker's outbox sweep calls it (registered in apps.py).
"""

from __future__ import annotations

from datetime import datetime, timedelta

from django.db.models import Q
from django.utils import timezone
from django_tasks import task

from aftercare.core.tasks import enqueue_on_commit
from aftercare.notifications.consumer import (
    CASE_CURSOR,
    consume_case_events,
    consume_refund_events,
    queue_deadline_reminders,
)
from aftercare.notifications.models import ConsumerCursor

RUN_EVERY = timedelta(seconds=5)
STALE_AFTER = timedelta(minutes=2)
MAX_BATCHES = 20


def run_consumers_once(now: datetime | None = None) -> int:
    """Drain the case events (up to MAX_BATCHES batches), refunds, webhooks, reminders."""
    from aftercare.notifications.webhooks import (
        consume_for_webhooks,
        consume_refunds_for_webhooks,
    )

    total = 0
    for _ in range(MAX_BATCHES):
        read = consume_case_events(now=now)
        total += read
        if read == 0:
            break
    consume_refund_events(now=now)
    while consume_for_webhooks(now=now):
        pass
    while consume_refunds_for_webhooks(now=now):
        pass
    queue_deadline_reminders(now=now)
    return total


@task()
def consume_now() -> int:
    """A one-off run, nudged on commit by writers that want their message out at once."""
    return run_consumers_once()


@task()
def periodic_consume(slot: str) -> int:
    read = run_consumers_once()
    _schedule_next(expected=datetime.fromisoformat(slot))
    return read


@task()
def deliver_batch(message_ids: list[int]) -> dict[str, int]:
    """Deliver the outbox messages one consumer batch queued, BATCH_SIZE per claim
    (core.outbox); a message this task loses to another worker is simply skipped."""
    from aftercare.core.outbox import BATCH_SIZE, deliver_outbox_messages
    from aftercare.core.tasks import worker_identity

    worker = worker_identity()
    outcomes: dict[str, int] = {}
    for at in range(0, len(message_ids), BATCH_SIZE):
        chunk = message_ids[at : at + BATCH_SIZE]
        for outcome in deliver_outbox_messages(chunk, worker_id=worker).values():
            outcomes[outcome] = outcomes.get(outcome, 0) + 1
    return outcomes


def nudge() -> None:
    """Run the consumers once the current transaction commits."""
    enqueue_on_commit(consume_now)


def _schedule_next(*, expected: datetime | None) -> bool:
    now = timezone.now()
    slot = now + RUN_EVERY
    cursors = ConsumerCursor.objects.filter(name=CASE_CURSOR)
    if expected is None:
        taken = cursors.filter(
            Q(next_run_at__isnull=True) | Q(next_run_at__lt=now - STALE_AFTER)
        ).update(next_run_at=slot)
    else:
        taken = cursors.filter(next_run_at=expected).update(next_run_at=slot)
    if taken:
        enqueue_on_commit(periodic_consume, slot.isoformat(), run_after=slot)
    return bool(taken)


def ensure_scheduled() -> bool:
    """Start the periodic chain unless one is alive; True when this call started it."""
    ConsumerCursor.objects.get_or_create(name=CASE_CURSOR)
    return _schedule_next(expected=None)
