"""The transactional outbox (architecture rule 6).

What must not be lost (a notification, an outgoing webhook, a refund execution) is written
by `write_outbox()` inside the business transaction, so it exists if and only if the change
that caused it committed. A task then delivers it:

1. claim the row by compare-and-set (one UPDATE whose WHERE clause only matches an unclaimed,
   due row, or a claim whose lease ran out); only the worker whose UPDATE changed a row goes on;
2. record an OutboxAttempt;
3. call the topic's handler outside any transaction (handlers do network calls);
4. record the outcome, again by compare-and-set on our own claim, so a worker that lost its
   lease cannot overwrite the outcome of the one that took over.

Apps register one handler per topic, explicitly, from their AppConfig.ready():

    from aftercare.core.outbox import register_handler
    register_handler("webhook.deliver", deliver_webhook)

A handler takes the OutboxMessage and returns a JSON-able dict (stored as the result) or None.
It signals failure by raising ExternalServiceError: permanent=True gives up at once,
permanent=False retries with exponential backoff until max_attempts.
"""

from __future__ import annotations

import logging
import random
from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any

from django.core.exceptions import ImproperlyConfigured
from django.db import IntegrityError, transaction
from django.db.models import F, Q
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

_HANDLERS: dict[str, Handler] = {}


class Delivery:
    """What deliver_outbox_message() did; plain strings so a task result can store them."""

    SUCCEEDED = "succeeded"
    RETRY = "retry"
    DEAD = "dead"
    SKIPPED = "skipped"  # not claimable: done, claimed by another worker, or not due yet
    LOST_LEASE = "lost_lease"


# --- Handler registry --------------------------------------------------------------------


def register_handler(topic: str, handler: Handler) -> None:
    """Make `handler` deliver messages of `topic`. Call from the owning app's ready()."""
    current = _HANDLERS.get(topic)
    if current is not None and current is not handler:
        raise ImproperlyConfigured(
            f"Outbox topic {topic!r} already has a handler ({current.__module__}."
            f"{current.__qualname__}); each topic has exactly one."
        )
    _HANDLERS[topic] = handler


def unregister_handler(topic: str) -> None:
    """For tests that register a throwaway handler."""
    _HANDLERS.pop(topic, None)


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
    message = _claim(message_id, worker_id)
    if message is None:
        return Delivery.SKIPPED
    attempt = OutboxAttempt.objects.create(
        message=message, number=message.attempts, worker=worker_id, started_at=timezone.now()
    )
    outcome, detail, result = _run_handler(message)
    return _record_outcome(message, attempt, outcome=outcome, detail=detail, result=result)


def _claim(message_id: int, worker_id: str) -> OutboxMessage | None:
    """Compare-and-set: exactly one concurrent caller's UPDATE matches the row."""
    now = timezone.now()
    due = Q(status=OutboxStatus.PENDING, next_attempt_at__lte=now + CLOCK_SKEW)
    lease_expired = Q(status=OutboxStatus.CLAIMED, claimed_at__lt=now - CLAIM_LEASE)
    claimed = (
        OutboxMessage.objects.filter(due | lease_expired, pk=message_id)
        .filter(attempts__lt=F("max_attempts"))
        .update(
            status=OutboxStatus.CLAIMED,
            claimed_by=worker_id,
            claimed_at=now,
            attempts=F("attempts") + 1,
        )
    )
    if claimed != 1:
        return None
    return OutboxMessage.objects.select_related("merchant").get(pk=message_id)


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


def _record_outcome(
    message: OutboxMessage,
    attempt: OutboxAttempt,
    *,
    outcome: str,
    detail: str,
    result: dict[str, Any],
) -> str:
    now = timezone.now()
    detail = detail[:ERROR_TEXT_LIMIT]
    changes, delivery = _next_state(message, outcome=outcome, detail=detail, result=result)
    with transaction.atomic():
        OutboxAttempt.objects.filter(pk=attempt.pk).update(
            finished_at=now, outcome=outcome, detail=detail
        )
        # Only the holder of this very claim may write the outcome.
        mine = OutboxMessage.objects.filter(
            pk=message.pk,
            status=OutboxStatus.CLAIMED,
            claimed_by=message.claimed_by,
            attempts=message.attempts,
        ).update(**changes)
        if mine != 1:
            log.warning("outbox message %s: lease lost before the outcome was saved", message.pk)
            return Delivery.LOST_LEASE
        if delivery == Delivery.RETRY:
            core_tasks.enqueue_on_commit(
                core_tasks.deliver_outbox, message.pk, run_after=changes["next_attempt_at"]
            )
    return delivery


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
