"""F2 on the real database (SQLite or PostgreSQL): fifty simultaneous 'execute' requests and
duplicate task deliveries make one gateway call, one ledger success, one answer for all."""

from __future__ import annotations

import threading
from collections.abc import Callable
from decimal import Decimal
from typing import Any

import pytest
from django.db import connection

from aftercare.core.actors import Actor
from aftercare.core.outbox import deliver_outbox_message
from aftercare.core.outbox_models import OutboxMessage
from aftercare.core.testing import MerchantFactory, StoreFactory, api_caller
from aftercare.policies.tests.factories import delivered_order
from aftercare.refunds.actions import grant_refund
from aftercare.refunds.models import Execution, Grant, LedgerEntry
from aftercare.refunds.tests.conftest import use_gateway

CALLERS = 50


def race(count: int, work: Callable[[int], Any]) -> list[Any]:
    """Run work(i) in `count` threads released together; results or the exception raised."""
    barrier = threading.Barrier(count)
    results: list[Any] = [None] * count

    def run(index: int) -> None:
        try:
            barrier.wait()
            results[index] = work(index)
        except Exception as error:
            results[index] = error
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(i,)) for i in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(120)
    return results


@pytest.fixture
def approved_grant(transactional_db: None, provider) -> Grant:  # type: ignore[no-untyped-def]
    merchant = MerchantFactory(slug="once")
    order, _ = delivered_order(merchant, StoreFactory(merchant=merchant))
    use_gateway(merchant, provider, "webhook", auto_execute=False)
    return grant_refund(
        actor=Actor.system(merchant),
        order_id=order.pk,
        kind="partial_refund",
        amount=Decimal("55.00"),
    )


def test_fifty_concurrent_executes_and_duplicate_deliveries_pay_once(
    approved_grant: Grant,
    provider,  # type: ignore[no-untyped-def]
) -> None:
    caller = api_caller(approved_grant.merchant)
    url = f"/api/v1/refunds/grants/{approved_grant.pk}/execute"

    def execute(_: int) -> tuple[int, Any]:
        response = caller.client.post(url, HTTP_AUTHORIZATION=f"Bearer {caller.token}")
        return response.status_code, response.json()

    answers = race(CALLERS, execute)

    assert all(not isinstance(a, Exception) for a in answers), answers
    assert {status for status, _ in answers} == {200}
    bodies = {(body["id"], body["idempotency_key"]) for _, body in answers}
    assert len(bodies) == 1  # the same execution for every caller
    message = OutboxMessage.objects.get(topic="refunds.execute")

    deliveries = race(8, lambda i: deliver_outbox_message(message.pk, worker_id=f"w{i}"))

    assert sorted(deliveries).count("succeeded") == 1
    assert set(deliveries) <= {"succeeded", "skipped"}
    assert len(provider.posts) == 1 and len(provider.refunds) == 1
    execution = Execution.objects.get(grant=approved_grant)
    assert execution.status == "succeeded"
    assert provider.posts[0]["key"] == execution.idempotency_key
    assert LedgerEntry.objects.filter(execution=execution, kind="succeeded").count() == 1
    assert Execution.objects.count() == 1


def test_racing_grants_on_one_order_never_hold_more_than_was_paid(
    transactional_db: None,
) -> None:
    merchant = MerchantFactory(slug="racing")
    order, _ = delivered_order(merchant, StoreFactory(merchant=merchant))  # 410.00 paid
    actor = Actor.system(merchant)

    results = race(
        8,
        lambda i: grant_refund(
            actor=actor, order_id=order.pk, kind="partial_refund", amount=Decimal("100.00")
        ),
    )

    granted = [r for r in results if isinstance(r, Grant)]
    assert len(granted) == 4  # 4 × 100.00 fit in 410.00; the other four were refused
    assert all(type(r).__name__ == "AmountExceedsPaid" for r in results if r not in granted)
    assert sum(g.amount for g in Grant.objects.filter(order=order)) == Decimal("400.00")
