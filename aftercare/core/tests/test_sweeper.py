"""The worker's outbox sweeper: lost deliveries are enqueued again, at start and on schedule."""

from __future__ import annotations

from datetime import timedelta

from django.utils import timezone

from aftercare.core.outbox import write_outbox
from aftercare.core.outbox_models import OutboxMessage
from aftercare.core.sweeper import OutboxSweeper, sweep_once
from aftercare.core.tasks import deliver_outbox
from aftercare.core.testing import MerchantFactory
from aftercare.core.tests.conftest import TEST_TOPIC


def _lost_message() -> OutboxMessage:
    """A pending message long overdue: its delivery task was enqueued once and lost."""
    message = write_outbox(
        merchant=MerchantFactory(), topic=TEST_TOPIC, dedupe_key="lost", payload={}
    )
    OutboxMessage.objects.filter(pk=message.pk).update(
        next_attempt_at=timezone.now() - timedelta(hours=1)
    )
    return message


def _enqueued_deliveries(backend) -> list[int]:
    return [result.args[0] for result in backend.results if result.task.func is deliver_outbox.func]


def test_a_sweep_enqueues_the_lost_message_again(
    db, dummy_tasks, recording_handler, django_capture_on_commit_callbacks
) -> None:
    message = _lost_message()
    dummy_tasks.clear()

    with django_capture_on_commit_callbacks(execute=True):
        assert sweep_once() == 1

    assert _enqueued_deliveries(dummy_tasks) == [message.pk]


def test_the_sweeper_thread_sweeps_at_start_then_on_its_interval_until_stopped() -> None:
    # The thread's own task backend is not the test's, so it is given a sweep that records.
    calls: list[float] = []
    sweeper = OutboxSweeper(interval=0.05, sweep=lambda: calls.append(1) or 0)

    sweeper.start()
    sweeper.stopped.wait(0.3)
    sweeper.stop()
    sweeper.join(timeout=5)

    assert len(calls) >= 2
    assert not sweeper.is_alive()
