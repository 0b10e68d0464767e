"""The transactional outbox (architecture rule 6).

What must not be lost (a notification, an outgoing webhook, a refund execution) is written
by `write_outbox()` inside the business transaction, so it exists if and only if the change
that caused it committed. A task then delivers it:

1. claim the row by compare-and-set (an UPDATE whose WHERE clause only matches an unclaimed,
   due row, or a claim whose lease ran out); only the worker whose UPDATE changed a row goes on;
2. record an OutboxAttempt;
3. call the topic's handler outside any transaction (handlers do network calls);
4. record the outcome, again by compare-and-set on our own claim, so a worker that lost its
   lease cannot overwrite the outcome of the one that took over.

Each step works on a batch: `deliver_due()` drains a topic and `deliver_outbox_messages()`
takes given ids, a few statements per batch instead of per message (ADR 0004, addendum);
`deliver_outbox_message()` is a batch of one.

Apps register one handler per topic, explicitly, from their AppConfig.ready(), optionally
with a `prepare` hook that loads a whole batch's rows for the handlers:

    from aftercare.core.outbox import register_handler
    register_handler("webhook.deliver", deliver_webhook)

A handler takes the OutboxMessage and returns a JSON-able dict (stored as the result) or None.
It signals failure by raising ExternalServiceError: permanent=True gives up at once,
permanent=False retries with exponential backoff until max_attempts.
"""

from __future__ import annotations

import logging
import random
import time
from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any

from django.core.exceptions import ImproperlyConfigured
from django.db import IntegrityError, transaction
from django.db.models import Case, F, Field, JSONField, Q, QuerySet, Value, When
from django.utils import timezone

from aftercare.core import tasks as core_tasks
from aftercare.core.errors import Conflict, ExternalServiceError
from aftercare.core.outbox_models import (
    AttemptOutcome,
    OutboxAttempt,
    OutboxMessage,
    OutboxStatus,
)
from aftercare.merchants.models import Merchant

log = logging.getLogger(__name__)

Handler = Callable[[OutboxMessage], dict[str, Any] | None]
# Loads, for a claimed batch of a topic, what each handler would otherwise read one message
# at a time, and leaves it in `message.prepared` for the handler.
Prepare = Callable[[list[OutboxMessage]], None]

# A claim older than this is presumed dead (worker killed mid-delivery) and may be taken over.
# It must exceed the longest a handler can run: outbound HTTP calls time out after at most
# 120 seconds (OUTBOUND_TIMEOUT_SECONDS' ceiling).
CLAIM_LEASE = timedelta(minutes=10)
BACKOFF_BASE_SECONDS = 30
BACKOFF_CAP_SECONDS = 6 * 3600
# The sweeper leaves a due message alone this long, so it does not race the task that was
# enqueued for it on time; a duplicate would be harmless, only wasteful.
SWEEP_GRACE = timedelta(minutes=2)
ERROR_TEXT_LIMIT = 2000
# A task scheduled for next_attempt_at may start a moment early by another machine's clock.
CLOCK_SKEW = timedelta(seconds=5)
# Messages a worker claims in one statement when it drains a topic (deliver_due).
BATCH_SIZE = 50

_HANDLERS: dict[str, Handler] = {}
_PREPARERS: dict[str, Prepare] = {}


class Delivery:
    """What deliver_outbox_message() did; plain strings so a task result can store them."""

    SUCCEEDED = "succeeded"
    RETRY = "retry"
    DEAD = "dead"
    SKIPPED = "skipped"  # not claimable: done, claimed by another worker, or not due yet
    LOST_LEASE = "lost_lease"


# --- Handler registry --------------------------------------------------------------------


def register_handler(topic: str, handler: Handler, *, prepare: Prepare | None = None) -> None:
    """Make `handler` deliver messages of `topic`. Call from the owning app's ready().

    `prepare`, if given, runs once per claimed batch before its handlers, outside any
    transaction; a handler must still work when `message.prepared` is None.
    """
    current = _HANDLERS.get(topic)
    if current is not None and current is not handler:
        raise ImproperlyConfigured(
            f"Outbox topic {topic!r} already has a handler ({current.__module__}."
            f"{current.__qualname__}); each topic has exactly one."
        )
    _HANDLERS[topic] = handler
    if prepare is not None:
        _PREPARERS[topic] = prepare


def unregister_handler(topic: str) -> None:
    """For tests that register a throwaway handler."""
    _HANDLERS.pop(topic, None)
    _PREPARERS.pop(topic, None)


def handler_for(topic: str) -> Handler | None:
    return _HANDLERS.get(topic)


# --- Writing -----------------------------------------------------------------------------


def write_outbox(
    *,
    merchant: Merchant,
    topic: str,
    dedupe_key: str,
    payload: dict[str, Any],
    run_after: datetime | None = None,
    max_attempts: int | None = None,
) -> OutboxMessage:
    """Record a message to deliver once the current transaction commits.

    Writing the same `dedupe_key` again returns the existing message and enqueues nothing.
    """
    if topic not in _HANDLERS:
        # Fail in the request that wrote it, not hours later in a worker.
        raise ImproperlyConfigured(f"No outbox handler is registered for topic {topic!r}.")
    existing = OutboxMessage.objects.filter(dedupe_key=dedupe_key).first()
    if existing is not None:
        return _same_message(existing, merchant=merchant, topic=topic)
    fields: dict[str, Any] = {
        "merchant": merchant,
        "topic": topic,
        "dedupe_key": dedupe_key,
        "payload": payload,
        "next_attempt_at": run_after or timezone.now(),
    }
    if max_attempts is not None:
        fields["max_attempts"] = max_attempts
    try:
        # A savepoint: a concurrent writer of the same key must not break the caller's
        # transaction, only turn this write into a read.
        with transaction.atomic():
            message = OutboxMessage.objects.create(**fields)
    except IntegrityError:
        existing = OutboxMessage.objects.get(dedupe_key=dedupe_key)
        return _same_message(existing, merchant=merchant, topic=topic)
    core_tasks.enqueue_on_commit(core_tasks.deliver_outbox, message.pk, run_after=run_after)
    return message


def _same_message(existing: OutboxMessage, *, merchant: Merchant, topic: str) -> OutboxMessage:
    # A dedupe key reused for a different merchant or topic is a bug in the caller's key
    # scheme; answering with another merchant's message would leak across tenants.
    if existing.merchant_id != merchant.pk or existing.topic != topic:
        raise Conflict(
            f"Outbox dedupe key {existing.dedupe_key!r} is already used by another message."
        )
    return existing


# --- Delivering --------------------------------------------------------------------------


def deliver_outbox_message(message_id: int, *, worker_id: str) -> str:
    """Claim, attempt and record one delivery; returns a Delivery value. Safe to repeat."""
    outcomes = deliver_outbox_messages([message_id], worker_id=worker_id)
    return outcomes.get(message_id, Delivery.SKIPPED)


def deliver_outbox_messages(message_ids: list[int], *, worker_id: str) -> dict[int, str]:
    """Deliver the given messages this worker can claim, in one claim and one outcome write.

    Returns a Delivery value per message; messages it could not claim are SKIPPED.
    """
    candidates = OutboxMessage.objects.filter(pk__in=message_ids).order_by("pk")
    outcomes = _deliver(_claim(candidates, worker_id, limit=len(message_ids)), worker_id)
    return {pk: outcomes.get(pk, Delivery.SKIPPED) for pk in message_ids}


def deliver_due(*, topic: str, worker_id: str, limit: int = BATCH_SIZE) -> dict[int, str]:
    """Claim up to `limit` due messages of `topic`, oldest first, and deliver them; an empty
    answer means nothing of the topic is due (or every due message is claimed by others)."""
    candidates = OutboxMessage.objects.filter(topic=topic).order_by("next_attempt_at", "pk")
    return _deliver(_claim(candidates, worker_id, limit=limit), worker_id)


Claimed = list[tuple[OutboxMessage, OutboxAttempt]]


def _claimable(now: datetime) -> Q:
    due = Q(status=OutboxStatus.PENDING, next_attempt_at__lte=now + CLOCK_SKEW)
    lease_expired = Q(status=OutboxStatus.CLAIMED, claimed_at__lt=now - CLAIM_LEASE)
    return (due | lease_expired) & Q(attempts__lt=F("max_attempts"))


def _claim(candidates: QuerySet[OutboxMessage], worker_id: str, *, limit: int) -> Claimed:
    """Compare-and-set for a batch, in one short transaction with no network call in it.

    PostgreSQL: the rows are locked as they are read, skipping rows another claimer holds,
    and re-checked after the lock, so two claimers never get the same row. SQLite: the
    transaction takes the database's write lock at BEGIN (transaction_mode IMMEDIATE), so
    nothing changes between the read and the UPDATE. The UPDATE repeats the condition all
    the same: a count that differs means the database did not serialise us, and the claim is
    rolled back rather than trusted.
    """
    now = timezone.now()
    try:
        with transaction.atomic():
            rows = list(
                candidates.filter(_claimable(now))
                .select_related("merchant")
                .select_for_update(skip_locked=True, of=("self",))[:limit]
            )
            if not rows:
                return []
            ids = [row.pk for row in rows]
            changed = OutboxMessage.objects.filter(_claimable(now), pk__in=ids).update(
                status=OutboxStatus.CLAIMED,
                claimed_by=worker_id,
                claimed_at=now,
                attempts=F("attempts") + 1,
            )
            if changed != len(rows):
                raise _ClaimRaced
            for row in rows:
                row.status, row.claimed_by, row.claimed_at = OutboxStatus.CLAIMED, worker_id, now
                row.attempts += 1
            attempts = OutboxAttempt.objects.bulk_create(
                OutboxAttempt(message=row, number=row.attempts, worker=worker_id, started_at=now)
                for row in rows
            )
    except _ClaimRaced:
        log.warning("outbox claim raced another worker; nothing claimed this time")
        return []
    return list(zip(rows, attempts, strict=True))


class _ClaimRaced(Exception):
    pass


def _deliver(claimed: Claimed, worker_id: str) -> dict[int, str]:
    """Run the handlers outside any transaction, then record every outcome at once.

    A batch stops starting handlers when half the lease is gone: the last one started still
    ends (outbound calls time out within 2 minutes) before another worker may take over.
    The messages not started go back to pending with their attempt undone.
    """
    if not claimed:
        return {}
    _prepare([message for message, _ in claimed])
    stop_at = time.monotonic() + CLAIM_LEASE.total_seconds() / 2
    ran: list[Ran] = []
    for message, attempt in claimed:
        if time.monotonic() > stop_at:
            break
        ran.append((message, attempt, *_run_handler(message)))
    return _record_outcomes(ran, claimed[len(ran) :], worker_id)


def _prepare(messages: list[OutboxMessage]) -> None:
    by_topic: dict[str, list[OutboxMessage]] = {}
    for message in messages:
        by_topic.setdefault(message.topic, []).append(message)
    for topic, batch in by_topic.items():
        prepare = _PREPARERS.get(topic)
        if prepare is None:
            continue
        try:
            prepare(batch)
        except Exception:  # only an optimisation: each handler can still load its own rows
            log.exception("outbox prepare for %s failed; handlers load one by one", topic)


def _run_handler(message: OutboxMessage) -> tuple[str, str, dict[str, Any]]:
    """Call the handler with no transaction open; classify what happened."""
    handler = _HANDLERS.get(message.topic)
    if handler is None:
        # Likely a worker running older code than the writer: retrying lets a deploy fix it.
        return AttemptOutcome.RETRY, f"no handler registered for {message.topic!r}", {}
    try:
        result = handler(message) or {}
    except ExternalServiceError as error:
        outcome = AttemptOutcome.PERMANENT if error.permanent else AttemptOutcome.RETRY
        return outcome, f"{error.code}: {error.detail}", {}
    except Exception as error:  # a bug or an unexpected failure: retry, and say so loudly
        log.exception("outbox handler for %s failed on message %s", message.topic, message.pk)
        return AttemptOutcome.RETRY, f"{type(error).__name__}: {error}", {}
    return AttemptOutcome.SUCCEEDED, "", result


Ran = tuple[OutboxMessage, OutboxAttempt, str, str, dict[str, Any]]


def _record_outcomes(ran: list[Ran], unstarted: Claimed, worker_id: str) -> dict[int, str]:
    """Write the attempts' and messages' outcomes in one transaction, in a few statements.

    Only the holder of a claim may write its outcome: the rows still claimed by this worker
    with the attempt number it claimed are locked first; any other row's lease was lost.
    """
    now = timezone.now()
    claimed = [message for message, *_ in ran] + [message for message, _ in unstarted]
    delivery: dict[int, str] = {}
    with transaction.atomic():
        held = dict(
            OutboxMessage.objects.select_for_update()
            .filter(pk__in=[m.pk for m in claimed], status=OutboxStatus.CLAIMED)
            .filter(claimed_by=worker_id)
            .values_list("pk", "attempts")
        )
        mine = {m.pk for m in claimed if held.get(m.pk) == m.attempts}
        _finish_attempts(ran, now)
        if unstarted:
            _release([m for m, _ in unstarted if m.pk in mine], [a for _, a in unstarted])
        succeeded: dict[int, dict[str, Any]] = {}
        for message, _, outcome, detail, result in ran:
            if message.pk not in mine:
                log.warning("outbox message %s: lease lost before the outcome", message.pk)
                delivery[message.pk] = Delivery.LOST_LEASE
            elif outcome == AttemptOutcome.SUCCEEDED:
                succeeded[message.pk] = result
                delivery[message.pk] = Delivery.SUCCEEDED
            else:
                delivery[message.pk] = _record_failure(message, outcome, detail[:ERROR_TEXT_LIMIT])
        if succeeded:
            OutboxMessage.objects.filter(pk__in=succeeded).update(
                status=OutboxStatus.SUCCEEDED,
                result=_per_row(succeeded, JSONField()),
                finished_at=now,
                last_error="",
                claimed_by="",
                claimed_at=None,
            )
    return delivery


def _finish_attempts(ran: list[Ran], now: datetime) -> None:
    # One UPDATE per distinct (outcome, detail): a good batch is one statement.
    groups: dict[tuple[str, str], list[int]] = {}
    for _, attempt, outcome, detail, _ in ran:
        groups.setdefault((outcome, detail[:ERROR_TEXT_LIMIT]), []).append(attempt.pk)
    for (outcome, detail), ids in groups.items():
        OutboxAttempt.objects.filter(pk__in=ids).update(
            finished_at=now, outcome=outcome, detail=detail
        )


def _release(messages: list[OutboxMessage], attempts: list[OutboxAttempt]) -> None:
    """Give back claimed messages whose handler never started: as if never claimed."""
    OutboxAttempt.objects.filter(pk__in=[a.pk for a in attempts]).delete()
    OutboxMessage.objects.filter(pk__in=[m.pk for m in messages]).update(
        status=OutboxStatus.PENDING, attempts=F("attempts") - 1, claimed_by="", claimed_at=None
    )


def _record_failure(message: OutboxMessage, outcome: str, detail: str) -> str:
    changes, delivery = _next_state(message, outcome=outcome, detail=detail, result={})
    OutboxMessage.objects.filter(pk=message.pk).update(**changes)
    if delivery == Delivery.RETRY:
        core_tasks.enqueue_on_commit(
            core_tasks.deliver_outbox, message.pk, run_after=changes["next_attempt_at"]
        )
    return delivery


def _per_row(values: dict[int, Any], field: Field) -> Case:
    """One column's new value per primary key, for a single UPDATE of many rows."""
    whens = [When(pk=pk, then=Value(value, output_field=field)) for pk, value in values.items()]
    return Case(*whens, output_field=field)


def _next_state(
    message: OutboxMessage, *, outcome: str, detail: str, result: dict[str, Any]
) -> tuple[dict[str, Any], str]:
    now = timezone.now()
    released = {"claimed_by": "", "claimed_at": None}
    if outcome == AttemptOutcome.SUCCEEDED:
        changes = {"status": OutboxStatus.SUCCEEDED, "result": result, "finished_at": now}
        return {**changes, "last_error": "", **released}, Delivery.SUCCEEDED
    if outcome == AttemptOutcome.PERMANENT or message.attempts >= message.max_attempts:
        changes = {"status": OutboxStatus.DEAD, "last_error": detail, "finished_at": now}
        return {**changes, **released}, Delivery.DEAD
    next_at = now + timedelta(seconds=backoff_seconds(message.attempts))
    changes = {"status": OutboxStatus.PENDING, "last_error": detail, "next_attempt_at": next_at}
    return {**changes, **released}, Delivery.RETRY


def backoff_seconds(attempt: int, *, rng: random.Random | None = None) -> float:
    """Delay after failed attempt number `attempt` (1-based): doubling, capped, jittered.

    Half the delay is fixed and half random ("equal jitter"): retries of many messages that
    failed together (a provider outage) spread out instead of returning in one burst, and
    no retry comes sooner than half its nominal delay.
    """
    nominal = min(BACKOFF_CAP_SECONDS, BACKOFF_BASE_SECONDS * 2 ** max(0, attempt - 1))
    return nominal / 2 + (rng or random).uniform(0, nominal / 2)


# --- Sweeping ----------------------------------------------------------------------------


def requeue_due_outbox(*, limit: int = 500) -> int:
    """Find messages whose delivery task was lost (a queue flushed, a worker killed) and
    enqueue them again; give up on expired claims that used their last attempt.

    Run it from the worker at start and every few minutes. Enqueueing a message that still
    has a live task costs one skipped claim, nothing more.
    """
    now = timezone.now()
    _bury_exhausted_claims(now)
    overdue = Q(status=OutboxStatus.PENDING, next_attempt_at__lte=now - SWEEP_GRACE)
    lease_expired = Q(status=OutboxStatus.CLAIMED, claimed_at__lt=now - CLAIM_LEASE)
    ids = list(
        OutboxMessage.objects.filter(overdue | lease_expired)
        .order_by("next_attempt_at")
        .values_list("pk", flat=True)[:limit]
    )
    for message_id in ids:
        core_tasks.enqueue_on_commit(core_tasks.deliver_outbox, message_id)
    return len(ids)


def _bury_exhausted_claims(now: datetime) -> int:
    return OutboxMessage.objects.filter(
        status=OutboxStatus.CLAIMED,
        claimed_at__lt=now - CLAIM_LEASE,
        attempts__gte=F("max_attempts"),
    ).update(
        status=OutboxStatus.DEAD,
        last_error="The worker holding the last attempt stopped before finishing.",
        finished_at=now,
        claimed_by="",
        claimed_at=None,
    )
