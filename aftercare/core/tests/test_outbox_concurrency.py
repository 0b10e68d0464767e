"""Twenty workers delivering the same message at once: the handler runs exactly once; and
twenty workers claiming in batches (a topic drained, or the same ids handed to all of them):
every message's handler runs exactly once.

Runs on a committed database (transactional_db) with one connection per thread, so the claims
really race: on PostgreSQL as concurrent UPDATEs, on SQLite (a file in tests) on the write lock.
"""

from __future__ import annotations

import random
import threading
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor

import pytest
from django.db import connection

from aftercare.core.outbox import (
    Delivery,
    deliver_due,
    deliver_outbox_message,
    deliver_outbox_messages,
    write_outbox,
)
from aftercare.core.outbox_models import OutboxAttempt, OutboxMessage, OutboxStatus
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


def _many(count: int) -> list[int]:
    merchant = MerchantFactory()
    return [
        write_outbox(merchant=merchant, topic=TEST_TOPIC, dedupe_key=f"m{n}", payload={}).pk
        for n in range(count)
    ]


def _race(work: Callable[[int], object]) -> None:
    start = threading.Barrier(WORKERS)

    def worker(number: int) -> object:
        try:
            start.wait()
            return work(number)
        finally:
            connection.close()

    with ThreadPoolExecutor(max_workers=WORKERS) as pool:
        list(pool.map(worker, range(WORKERS)))


def _delivered_once(ids: list[int], calls: list[int]) -> None:
    assert sorted(calls) == sorted(ids)
    messages = OutboxMessage.objects.filter(pk__in=ids)
    assert {(m.status, m.attempts) for m in messages} == {(OutboxStatus.SUCCEEDED, 1)}
    assert OutboxAttempt.objects.filter(message_id__in=ids).count() == len(ids)


@pytest.mark.django_db(transaction=True)
def test_twenty_workers_draining_a_topic_in_batches_deliver_each_message_once(
    dummy_tasks, recording_handler
) -> None:
    ids = _many(200)

    def drain(number: int) -> None:
        while deliver_due(topic=TEST_TOPIC, worker_id=f"worker-{number}", limit=7):
            pass

    _race(drain)

    _delivered_once(ids, recording_handler.calls)


@pytest.mark.django_db(transaction=True)
def test_twenty_workers_given_the_same_ids_in_batches_deliver_each_message_once(
    dummy_tasks, recording_handler
) -> None:
    ids = _many(100)

    def deliver_all(number: int) -> None:
        # Every worker is handed every message, in its own order, ten at a time.
        mine = random.Random(number).sample(ids, len(ids))
        for at in range(0, len(mine), 10):
            deliver_outbox_messages(mine[at : at + 10], worker_id=f"worker-{number}")

    _race(deliver_all)

    _delivered_once(ids, recording_handler.calls)
