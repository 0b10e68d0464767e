"""Twenty workers delivering the same message at once: the handler runs exactly once.

Runs on a committed database (transactional_db) with one connection per thread, so the claims
really race: on PostgreSQL as concurrent UPDATEs, on SQLite (a file in tests) on the write lock.
"""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor

import pytest
from django.db import connection

from aftercare.core.outbox import Delivery, deliver_outbox_message, write_outbox
from aftercare.core.outbox_models import OutboxMessage, OutboxStatus
from aftercare.core.testing import MerchantFactory
from aftercare.core.tests.conftest import TEST_TOPIC

WORKERS = 20


@pytest.mark.django_db(transaction=True)
def test_twenty_concurrent_deliveries_run_the_handler_once(dummy_tasks, recording_handler) -> None:
    message = write_outbox(
        merchant=MerchantFactory(), topic=TEST_TOPIC, dedupe_key="race", payload={}
    )
    # Hold the claim a moment so that the other workers arrive while it is taken.
    recording_handler.pause_seconds = 0.2
    start = threading.Barrier(WORKERS)

    def worker(number: int) -> str:
        try:
            start.wait()
            return deliver_outbox_message(message.pk, worker_id=f"worker-{number}")
        finally:
            connection.close()  # each thread opened its own connection

    with ThreadPoolExecutor(max_workers=WORKERS) as pool:
        outcomes = list(pool.map(worker, range(WORKERS)))

    message.refresh_from_db()
    assert recording_handler.calls == [message.pk]
    assert sorted(outcomes) == [Delivery.SKIPPED] * (WORKERS - 1) + [Delivery.SUCCEEDED]
    assert message.status == OutboxStatus.SUCCEEDED
    assert message.attempts == 1
    assert message.attempts_log.count() == 1
    assert OutboxMessage.objects.count() == 1
