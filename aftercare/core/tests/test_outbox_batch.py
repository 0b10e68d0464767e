"""Batched delivery: one claim for many messages, the topic's prepare hook, a batch that
stops starting handlers when half its lease is gone, and the statements a batch costs."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.db import connection
from django.test.utils import CaptureQueriesContext

from aftercare.core import outbox
from aftercare.core.errors import ExternalServiceError
from aftercare.core.outbox import (
    Delivery,
    deliver_due,
    register_handler,
    unregister_handler,
    write_outbox,
)
from aftercare.core.outbox_models import AttemptOutcome, OutboxAttempt, OutboxMessage
from aftercare.core.testing import MerchantFactory
from aftercare.core.tests.conftest import TEST_TOPIC

TOPIC = "test.batch"


def _write(count: int, prefix: str) -> list[int]:
    merchant = MerchantFactory()
    return [
        write_outbox(merchant=merchant, topic=TOPIC, dedupe_key=f"{prefix}{n}", payload={"n": n}).pk
        for n in range(count)
    ]


def _echo(message: OutboxMessage) -> dict[str, Any]:
    if message.payload["n"] == 3:
        raise ExternalServiceError("gateway down", permanent=False)
    return {"n": message.payload["n"], "prepared": message.prepared}


def _prepare(messages: list[OutboxMessage]) -> None:
    for message in messages:
        message.prepared = f"for {message.payload['n']}"


def test_a_batch_records_each_result_and_costs_the_same_statements_at_any_size(
    db, dummy_tasks
) -> None:
    register_handler(TOPIC, _echo, prepare=_prepare)
    try:
        counts = []
        for size, prefix in ((6, "a"), (40, "b")):
            ids = _write(size, prefix)
            with CaptureQueriesContext(connection) as queries:
                outcomes = deliver_due(topic=TOPIC, worker_id="w1", limit=100)
            counts.append(len(queries))
            assert sorted(outcomes) == ids
            assert outcomes.pop(ids[3]) == Delivery.RETRY
            assert set(outcomes.values()) == {Delivery.SUCCEEDED}
    finally:
        unregister_handler(TOPIC)

    assert counts[0] == counts[1]  # one claim, one outcome write, whatever the size
    done = OutboxMessage.objects.filter(topic=TOPIC, status="succeeded").order_by("pk")
    assert [m.result for m in done[:3]] == [{"n": n, "prepared": f"for {n}"} for n in range(3)]
    retried = OutboxMessage.objects.get(pk=ids[3])
    assert retried.status == "pending" and "gateway down" in retried.last_error
    assert retried.attempts_log.get().outcome == AttemptOutcome.RETRY


def test_a_batch_that_used_half_its_lease_gives_back_the_messages_it_did_not_start(
    db, dummy_tasks, recording_handler, monkeypatch
) -> None:
    merchant = MerchantFactory()
    ids = [
        write_outbox(merchant=merchant, topic=TEST_TOPIC, dedupe_key=f"s{n}", payload={}).pk
        for n in range(5)
    ]
    monkeypatch.setattr(outbox, "CLAIM_LEASE", timedelta(seconds=0.2))
    recording_handler.pause_seconds = 0.15  # the first handler uses more than half the lease

    outcomes = deliver_due(topic=TEST_TOPIC, worker_id="w1")

    assert outcomes == {ids[0]: Delivery.SUCCEEDED}
    rest = OutboxMessage.objects.filter(pk__in=ids[1:])
    assert {(m.status, m.attempts, m.claimed_by) for m in rest} == {("pending", 0, "")}
    assert OutboxAttempt.objects.filter(message_id__in=ids[1:]).count() == 0
    assert deliver_due(topic=TEST_TOPIC, worker_id="w2", limit=10) != {}
