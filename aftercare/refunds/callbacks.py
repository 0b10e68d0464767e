"""The merchant's system reports the outcome of a refund it answered "pending" to (webhook
gateway, docs/refunds-webhook.md). Signed like our requests (core/inbox.py); stored first,
unique on the merchant's event id, then applied once: a forged, stale or replayed callback
changes nothing."""

from __future__ import annotations

import json
from typing import Any

from aftercare.core.errors import InvalidSignature, ValidationFailed
from aftercare.core.inbox import process_inbound, store_inbound, verify_signature
from aftercare.core.outbox_models import InboxEvent
from aftercare.integrations.refund_gateway import FAILED, SUCCEEDED, RefundResult
from aftercare.merchants.models import Merchant
from aftercare.refunds import queries
from aftercare.refunds.execution import apply_result, find_execution

PROVIDER = "refund-webhook"


def receive_callback(*, merchant_id: int, body: bytes, signature: str | None) -> dict[str, Any]:
    merchant = Merchant.objects.filter(pk=merchant_id).first()
    secret = queries.settings_for(merchant.pk).webhook_secret if merchant else ""
    if merchant is None or not secret:
        # Same answer as a bad signature: no way to probe which merchants exist.
        raise InvalidSignature("The signature does not match the body.")
    verify_signature(secret, body, signature)
    payload = _parse(body)
    event, created = store_inbound(
        provider=PROVIDER,
        event_id=f"{merchant.pk}:{payload['event_id']}",
        payload=payload,
        merchant=merchant,
    )
    if created:
        event = process_inbound(event.pk, _apply)
    return {"received": True, "duplicate": not created, "status": event.status}


def _parse(body: bytes) -> dict[str, Any]:
    try:
        payload = json.loads(body)
    except ValueError:
        payload = None
    fields = ("event_id", "idempotency_key", "status")
    if not isinstance(payload, dict) or not all(isinstance(payload.get(f), str) for f in fields):
        raise ValidationFailed(
            "A callback needs event_id, idempotency_key and status.",
            errors=[{"loc": ["body"], "msg": "missing fields", "type": "missing"}],
        )
    if payload["status"] not in (SUCCEEDED, FAILED):
        raise ValidationFailed(
            "status must be succeeded or failed.",
            errors=[{"loc": ["body", "status"], "msg": "unknown status", "type": "invalid"}],
        )
    return payload


def _apply(event: InboxEvent) -> None:
    payload = event.payload
    assert event.merchant_id is not None
    # An unknown key raises NotFound: the event is marked failed and nothing else changes.
    execution = find_execution(event.merchant_id, payload["idempotency_key"])
    result = RefundResult(
        status=payload["status"],
        reference=str(payload.get("reference", ""))[:128],
        message=str(payload.get("message", ""))[:2000],
    )
    apply_result(execution.pk, result, actor_label="callback:webhook")
