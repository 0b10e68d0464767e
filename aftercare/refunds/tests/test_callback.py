"""The merchant's callback for a pending webhook refund: signed, stored once, applied once.
A forged or replayed signature is refused and changes nothing."""

from __future__ import annotations

import json
import time
from decimal import Decimal

from django.test import Client

from aftercare.core.inbox import SIGNATURE_HEADER, sign
from aftercare.core.outbox_models import InboxEvent
from aftercare.refunds import actions
from aftercare.refunds.models import Execution
from aftercare.refunds.tests.conftest import use_gateway
from aftercare.refunds.tests.helpers import deliver_all, snapshot

HEADER = "HTTP_" + SIGNATURE_HEADER.upper().replace("-", "_")


def _pending_execution(merchant, system_actor, order, provider) -> Execution:  # type: ignore[no-untyped-def]
    use_gateway(merchant, provider, "webhook")
    provider.status = "pending"
    grant = actions.grant_refund(
        actor=system_actor, order_id=order.pk, kind="partial_refund", amount=Decimal("9.00")
    )
    deliver_all()
    return Execution.objects.get(grant=grant)


def _post(merchant, body: bytes, signature: str):  # type: ignore[no-untyped-def]
    return Client().post(
        f"/refunds/callback/{merchant.pk}",
        body,
        content_type="application/json",
        **{HEADER: signature},
    )


def _body(execution: Execution, event_id: str = "evt_1") -> bytes:
    return json.dumps(
        {
            "event_id": event_id,
            "idempotency_key": execution.idempotency_key,
            "status": "succeeded",
            "reference": "BANK-77",
        }
    ).encode()


def test_a_signed_callback_settles_the_pending_refund_once(
    merchant, system_actor, order, provider
) -> None:
    execution = _pending_execution(merchant, system_actor, order, provider)
    body = _body(execution)

    first = _post(merchant, body, sign(provider.secret, body))
    again = _post(merchant, body, sign(provider.secret, body))  # the merchant redelivers

    assert first.status_code == 200 and first.json()["duplicate"] is False
    assert again.status_code == 200 and again.json()["duplicate"] is True
    execution.refresh_from_db()
    assert execution.status == "succeeded" and execution.reference == "BANK-77"
    assert execution.ledger.filter(kind="succeeded").count() == 1


def test_a_forged_signature_changes_nothing(merchant, system_actor, order, provider) -> None:
    execution = _pending_execution(merchant, system_actor, order, provider)
    body = _body(execution)
    before = snapshot()

    forged = _post(merchant, body, sign("not-the-secret", body))
    tampered = _post(merchant, body.replace(b"BANK-77", b"BANK-99"), sign(provider.secret, body))
    unsigned = _post(merchant, body, "")

    assert [r.status_code for r in (forged, tampered, unsigned)] == [401, 401, 401]
    assert forged["Content-Type"] == "application/problem+json"
    assert forged.json()["code"] == "invalid_signature"
    assert snapshot() == before
    assert not InboxEvent.objects.exists()


def test_a_replayed_old_signature_changes_nothing(merchant, system_actor, order, provider) -> None:
    execution = _pending_execution(merchant, system_actor, order, provider)
    body = _body(execution)
    before = snapshot()

    stale = _post(merchant, body, sign(provider.secret, body, timestamp=int(time.time()) - 3600))

    assert stale.status_code == 401
    assert snapshot() == before


def test_a_callback_for_another_merchant_changes_nothing(
    merchant, other_merchant, system_actor, order, provider
) -> None:
    execution = _pending_execution(merchant, system_actor, order, provider)
    body = _body(execution)
    before = snapshot()

    # Signed with A's secret but sent to B's address: B has no secret, the answer is the same.
    response = _post(other_merchant, body, sign(provider.secret, body))

    assert response.status_code == 401
    assert snapshot() == before
