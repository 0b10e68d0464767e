"""deliver_outbox_message: claim, attempt, record; success, retry with backoff, dead."""

from __future__ import annotations

import random
from datetime import timedelta

from django.utils import timezone

from aftercare.core.errors import ExternalServiceError
from aftercare.core.outbox import (
    BACKOFF_BASE_SECONDS,
    BACKOFF_CAP_SECONDS,
    CLAIM_LEASE,
    Delivery,
    backoff_seconds,
    deliver_outbox_message,
    register_handler,
    requeue_due_outbox,
    unregister_handler,
    write_outbox,
)
from aftercare.core.outbox_models import AttemptOutcome, OutboxMessage, OutboxStatus
from aftercare.core.tasks import deliver_outbox
from aftercare.core.testing import MerchantFactory
from aftercare.core.tests.conftest import TEST_TOPIC


def _message(**fields) -> OutboxMessage:
    message = write_outbox(
        merchant=MerchantFactory(),
        topic=TEST_TOPIC,
        dedupe_key=fields.pop("dedupe_key", "m"),
        payload={"hello": "world"},
        **fields,
    )
    return message


def test_success_marks_succeeded_with_result_and_one_attempt(
    db, dummy_tasks, recording_handler
) -> None:
    message = _message()

    outcome = deliver_outbox_message(message.pk, worker_id="w1")

    message.refresh_from_db()
    assert outcome == Delivery.SUCCEEDED
    assert recording_handler.calls == [message.pk]
    assert message.status == OutboxStatus.SUCCEEDED
    assert message.result == {"delivered": True}
    assert message.attempts == 1 and message.finished_at is not None
    assert message.claimed_by == ""
    attempts = list(message.attempts_log.all())
    assert [(a.number, a.worker, a.outcome) for a in attempts] == [
        (1, "w1", AttemptOutcome.SUCCEEDED)
    ]


def test_delivering_a_finished_message_again_does_nothing(
    db, dummy_tasks, recording_handler
) -> None:
    message = _message()
    deliver_outbox_message(message.pk, worker_id="w1")

    assert deliver_outbox_message(message.pk, worker_id="w2") == Delivery.SKIPPED
    assert deliver_outbox.call(message.pk) == Delivery.SKIPPED  # the task itself, run twice
    assert len(recording_handler.calls) == 1


def test_temporary_failure_goes_back_to_pending_with_backoff_and_is_re_enqueued(
    db, dummy_tasks, recording_handler, django_capture_on_commit_callbacks
) -> None:
    message = _message()
    recording_handler.error = ExternalServiceError("provider down", permanent=False)
    before = timezone.now()

    with django_capture_on_commit_callbacks(execute=True):
        outcome = deliver_outbox_message(message.pk, worker_id="w1")

    message.refresh_from_db()
    assert outcome == Delivery.RETRY
    assert message.status == OutboxStatus.PENDING
    assert "provider down" in message.last_error
    delay = (message.next_attempt_at - before).total_seconds()
    assert BACKOFF_BASE_SECONDS / 2 <= delay <= BACKOFF_BASE_SECONDS + 1
    [retry] = dummy_tasks.results[-1:]
    assert tuple(retry.args) == (message.pk,)
    assert retry.task.run_after == message.next_attempt_at
    assert message.attempts_log.get().outcome == AttemptOutcome.RETRY


def test_retry_is_not_claimed_before_it_is_due(db, dummy_tasks, recording_handler) -> None:
    message = _message()
    recording_handler.error = ExternalServiceError("down", permanent=False)
    deliver_outbox_message(message.pk, worker_id="w1")

    assert deliver_outbox_message(message.pk, worker_id="w2") == Delivery.SKIPPED
    assert len(recording_handler.calls) == 1


def test_unexpected_exception_is_retried_too(db, dummy_tasks, recording_handler) -> None:
    message = _message()
    recording_handler.error = KeyError("bug")

    assert deliver_outbox_message(message.pk, worker_id="w1") == Delivery.RETRY
    message.refresh_from_db()
    assert "KeyError" in message.last_error


def test_permanent_failure_is_dead_at_once(db, dummy_tasks, recording_handler) -> None:
    message = _message()
    recording_handler.error = ExternalServiceError("number unknown", permanent=True)

    assert deliver_outbox_message(message.pk, worker_id="w1") == Delivery.DEAD

    message.refresh_from_db()
    assert message.status == OutboxStatus.DEAD
    assert "number unknown" in message.last_error
    assert message.finished_at is not None
    assert message.attempts_log.get().outcome == AttemptOutcome.PERMANENT


def test_last_allowed_attempt_failing_makes_the_message_dead(
    db, dummy_tasks, recording_handler
) -> None:
    message = _message(max_attempts=3)
    recording_handler.error = ExternalServiceError("still down", permanent=False)
    outcomes = []
    for attempt in range(3):
        # Make the retry due now instead of waiting out the backoff.
        OutboxMessage.objects.filter(pk=message.pk).update(next_attempt_at=timezone.now())
        outcomes.append(deliver_outbox_message(message.pk, worker_id=f"w{attempt}"))

    message.refresh_from_db()
    assert outcomes == [Delivery.RETRY, Delivery.RETRY, Delivery.DEAD]
    assert message.status == OutboxStatus.DEAD
    assert message.attempts == 3
    assert [a.number for a in message.attempts_log.all()] == [1, 2, 3]
    assert deliver_outbox_message(message.pk, worker_id="late") == Delivery.SKIPPED


def test_a_claim_whose_lease_expired_is_taken_over_and_the_old_worker_cannot_overwrite(
    db, dummy_tasks, recording_handler
) -> None:
    message = _message()
    # A worker claimed it long ago and died without recording anything.
    OutboxMessage.objects.filter(pk=message.pk).update(
        status=OutboxStatus.CLAIMED,
        claimed_by="dead-worker",
        claimed_at=timezone.now() - CLAIM_LEASE - timedelta(seconds=1),
        attempts=1,
    )

    assert deliver_outbox_message(message.pk, worker_id="w2") == Delivery.SUCCEEDED

    message.refresh_from_db()
    assert message.status == OutboxStatus.SUCCEEDED and message.attempts == 2


def test_a_live_claim_is_not_taken_over(db, dummy_tasks, recording_handler) -> None:
    message = _message()
    OutboxMessage.objects.filter(pk=message.pk).update(
        status=OutboxStatus.CLAIMED, claimed_by="busy", claimed_at=timezone.now(), attempts=1
    )

    assert deliver_outbox_message(message.pk, worker_id="w2") == Delivery.SKIPPED
    assert recording_handler.calls == []


def test_an_outcome_from_a_lost_lease_is_discarded(db, dummy_tasks, recording_handler) -> None:
    message = _message()

    def slow_handler_meanwhile_taken_over(msg: OutboxMessage) -> dict:
        # While this worker was stuck, its lease expired and another worker claimed the row.
        OutboxMessage.objects.filter(pk=msg.pk).update(claimed_by="usurper", attempts=2)
        return {}

    unregister_handler(TEST_TOPIC)
    register_handler(TEST_TOPIC, slow_handler_meanwhile_taken_over)

    assert deliver_outbox_message(message.pk, worker_id="w1") == Delivery.LOST_LEASE
    message.refresh_from_db()
    assert message.status == OutboxStatus.CLAIMED and message.claimed_by == "usurper"


def test_backoff_doubles_with_jitter_and_is_capped() -> None:
    rng = random.Random(7)
    for attempt in range(1, 30):
        nominal = min(BACKOFF_CAP_SECONDS, BACKOFF_BASE_SECONDS * 2 ** (attempt - 1))
        delay = backoff_seconds(attempt, rng=rng)
        assert nominal / 2 <= delay <= nominal
    spread = {round(backoff_seconds(5, rng=rng)) for _ in range(20)}
    assert len(spread) > 5  # jittered, not one fixed value


def test_sweeper_requeues_overdue_and_stale_messages_only(
    db, dummy_tasks, recording_handler, django_capture_on_commit_callbacks
) -> None:
    now = timezone.now()
    overdue = _message(dedupe_key="overdue")
    fresh = _message(dedupe_key="fresh")
    stale = _message(dedupe_key="stale")
    exhausted = _message(dedupe_key="exhausted", max_attempts=1)
    OutboxMessage.objects.filter(pk=overdue.pk).update(next_attempt_at=now - timedelta(hours=1))
    stale_claim = {"status": OutboxStatus.CLAIMED, "claimed_at": now - timedelta(hours=1)}
    OutboxMessage.objects.filter(pk=stale.pk).update(attempts=1, **stale_claim)
    OutboxMessage.objects.filter(pk=exhausted.pk).update(attempts=1, **stale_claim)
    dummy_tasks.clear()

    with django_capture_on_commit_callbacks(execute=True):
        count = requeue_due_outbox()

    assert count == 2
    assert sorted(r.args[0] for r in dummy_tasks.results) == sorted([overdue.pk, stale.pk])
    assert OutboxMessage.objects.get(pk=exhausted.pk).status == OutboxStatus.DEAD
    assert OutboxMessage.objects.get(pk=fresh.pk).status == OutboxStatus.PENDING
