"""Incoming events: stored once per provider event id, processed once, failures recorded."""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor

import pytest
from django.db import connection

from aftercare.core.inbox import process_inbound, store_inbound
from aftercare.core.models import AuditEvent
from aftercare.core.outbox_models import InboxEvent, InboxStatus
from aftercare.core.testing import MerchantFactory


def test_first_delivery_is_stored_and_a_redelivery_returns_it(db) -> None:
    merchant = MerchantFactory()

    first, created = store_inbound(
        provider="shopify", event_id="evt-1", payload={"a": 1}, merchant=merchant
    )
    again, created_again = store_inbound(provider="shopify", event_id="evt-1", payload={"a": 2})

    assert created and not created_again
    assert again.pk == first.pk and again.payload == {"a": 1}
    assert InboxEvent.objects.count() == 1
    assert first.status == InboxStatus.RECEIVED and first.merchant == merchant


def test_same_event_id_from_another_provider_is_another_event(db) -> None:
    store_inbound(provider="shopify", event_id="1", payload={})
    _, created = store_inbound(provider="jd", event_id="1", payload={})
    assert created


@pytest.mark.django_db(transaction=True)
def test_concurrent_duplicates_store_one_row() -> None:
    start = threading.Barrier(8)

    def deliver(_: int) -> bool:
        try:
            start.wait()
            return store_inbound(provider="p", event_id="dup", payload={})[1]
        finally:
            connection.close()

    with ThreadPoolExecutor(max_workers=8) as pool:
        created = list(pool.map(deliver, range(8)))

    assert created.count(True) == 1
    assert InboxEvent.objects.filter(provider="p", event_id="dup").count() == 1


def test_processing_runs_the_handler_once_and_marks_processed(db) -> None:
    event, _ = store_inbound(provider="p", event_id="e", payload={"x": 1})
    seen: list[dict] = []

    process_inbound(event.pk, lambda e: seen.append(e.payload))
    done = process_inbound(event.pk, lambda e: seen.append(e.payload))

    assert seen == [{"x": 1}]
    assert done.status == InboxStatus.PROCESSED and done.processed_at is not None


def test_a_failing_handler_rolls_back_its_writes_and_marks_failed(db, system_actor) -> None:
    event, _ = store_inbound(provider="p", event_id="bad", payload={})

    def handler(e: InboxEvent) -> None:
        from aftercare.core.audit import record_event

        record_event(actor=system_actor, subject=e, kind="half-done")
        raise ValueError("order 42 is unknown")

    failed = process_inbound(event.pk, handler)

    assert failed.status == InboxStatus.FAILED
    assert "order 42 is unknown" in failed.error
    assert not AuditEvent.objects.filter(kind="half-done").exists()
    # A failed event is left alone unless a retry is asked for.
    calls: list[int] = []
    assert process_inbound(event.pk, lambda e: calls.append(1)).status == InboxStatus.FAILED
    assert calls == []
    retried = process_inbound(event.pk, lambda e: calls.append(1), include_failed=True)
    assert retried.status == InboxStatus.PROCESSED and retried.error == "" and calls == [1]
