"""F1/F2 against a provider on loopback: retries with the same key on 5xx, a 4xx stops in the
finance queue with the provider's message, Stripe's format (minor units, pending, reconcile)."""

from __future__ import annotations

import hmac
import json
from datetime import timedelta
from decimal import Decimal
from io import StringIO

import time_machine
from django.core.management import call_command
from django.utils import timezone

from aftercare.core.inbox import SIGNATURE_HEADER, verify_signature
from aftercare.core.outbox import deliver_outbox_message
from aftercare.core.outbox_models import OutboxMessage
from aftercare.refunds import actions, execution, queries
from aftercare.refunds.models import Execution, GrantStatus, LedgerEntry
from aftercare.refunds.tests.conftest import use_gateway
from aftercare.refunds.tests.helpers import deliver_all


def _refund(actor, order, amount: str = "30.00"):  # type: ignore[no-untyped-def]
    return actions.grant_refund(
        actor=actor, order_id=order.pk, kind="partial_refund", amount=Decimal(amount)
    )


def _due_now(message: OutboxMessage) -> None:
    OutboxMessage.objects.filter(pk=message.pk).update(next_attempt_at=message.created_at)


def test_a_5xx_is_retried_with_the_same_key(merchant, system_actor, order, provider) -> None:
    use_gateway(merchant, provider, "webhook")
    provider.fail_next = 2
    grant = _refund(system_actor, order)
    message = OutboxMessage.objects.get(topic="refunds.execute")

    outcomes = []
    for _ in range(3):
        outcomes.append(deliver_outbox_message(message.pk, worker_id="w"))
        _due_now(message)

    assert outcomes == ["retry", "retry", "succeeded"]
    key = Execution.objects.get(grant=grant).idempotency_key
    assert [post["key"] for post in provider.posts] == [key, key, key]
    assert LedgerEntry.objects.filter(kind="succeeded").count() == 1


def test_the_webhook_is_signed_and_documented_fields_are_sent(
    merchant, system_actor, order, provider
) -> None:
    use_gateway(merchant, provider, "webhook")
    grant = _refund(system_actor, order)

    deliver_all()

    body = provider.posts[0]["body"]
    assert body["type"] == "refund.execute" and body["grant_id"] == grant.pk
    assert body["amount"] == "30.00" and body["currency"] == order.currency
    assert body["payment_reference"] == order.payments.get().external_id
    assert provider.bad_signatures == 0


def test_a_4xx_stops_and_waits_for_finance_with_the_message(
    merchant, system_actor, finance_actor, order, provider
) -> None:
    use_gateway(merchant, provider, "stripe")
    provider.reject = "Charge ch_1 has already been refunded."
    grant = _refund(system_actor, order)

    assert deliver_all() == ["dead"]

    failed = list(queries.failed_queue(merchant.pk))
    assert failed == [grant]
    message = failed[0].execution.last_error
    assert message == "invalid_request_error: Charge ch_1 has already been refunded."
    assert list(LedgerEntry.objects.order_by("pk").values_list("kind", flat=True)) == [
        "requested",
        "failed",
    ]
    assert queries.refunded_total(order_id=order.pk) == 0

    # Finance fixes it with the provider and retries: the same key goes out again.
    provider.reject = ""
    retried = execution.retry_execution(actor=finance_actor, grant_id=grant.pk)
    assert deliver_all()[-1] == "succeeded"
    keys = {post["key"] for post in provider.posts}
    assert keys == {retried.idempotency_key}
    assert queries.refunded_total(order_id=order.pk) == Decimal("30.00")


def test_stripe_format_minor_units_and_pending_then_reconcile(
    merchant, system_actor, order, provider
) -> None:
    use_gateway(merchant, provider, "stripe")
    provider.status = "pending"
    grant = _refund(system_actor, order, "12.34")

    deliver_all()

    post = provider.posts[0]
    assert post["path"] == "/v1/refunds"
    assert post["body"]["amount"] == "1234"
    assert post["body"]["charge"] == order.payments.get().external_id
    pending = Execution.objects.get(grant=grant)
    assert pending.status == "requested" and pending.reference == "re_000001"

    provider.status = "succeeded"
    out = StringIO()
    call_command("refunds", "reconcile", "--older-than", "0", stdout=out)

    assert "succeeded: 1" in out.getvalue()
    assert Execution.objects.get(grant=grant).status == "succeeded"
    assert LedgerEntry.objects.filter(kind="succeeded").count() == 1
    assert grant.__class__.objects.get(pk=grant.pk).status == GrantStatus.SUCCEEDED


def test_reconcile_asks_again_with_the_same_key_when_no_answer_was_saved(
    merchant, system_actor, order, provider
) -> None:
    use_gateway(merchant, provider, "stripe")
    grant = _refund(system_actor, order)

    counts = execution.reconcile(older_than_seconds=0)

    assert counts["succeeded"] == 1
    assert provider.posts[0]["key"] == Execution.objects.get(grant=grant).idempotency_key
    # The outbox delivery that was still due now finds the execution answered: no second call.
    assert deliver_all() == ["succeeded"]
    assert len(provider.posts) == 1


def test_callback_signature_is_the_documented_hmac(merchant) -> None:
    from aftercare.core.inbox import sign

    body = json.dumps({"a": 1}).encode()
    header = sign("s3cret", body, timestamp=1_700_000_000)
    stamp, digest = header.split(",")
    assert stamp == "t=1700000000"
    expected = hmac.new(b"s3cret", b"1700000000." + body, "sha256").hexdigest()
    assert digest == f"v1={expected}"
    assert verify_signature("s3cret", body, header, now=1_700_000_000) == 1_700_000_000
    assert SIGNATURE_HEADER == "Aftercare-Signature"


def test_every_worker_sweep_reconciles_a_pending_refund(
    merchant, system_actor, order, provider
) -> None:
    from aftercare.core.sweeper import sweep_once

    use_gateway(merchant, provider, "stripe")
    provider.status = "pending"
    grant = _refund(system_actor, order, "12.34")
    deliver_all()
    provider.status = "succeeded"

    with time_machine.travel(timezone.now() + timedelta(minutes=1), tick=False):
        sweep_once()  # too recent to ask about yet
    assert Execution.objects.get(grant=grant).status == "requested"
    with time_machine.travel(timezone.now() + timedelta(minutes=6), tick=False):
        sweep_once()

    assert Execution.objects.get(grant=grant).status == "succeeded"
    assert LedgerEntry.objects.filter(kind="succeeded").count() == 1
