"""Outgoing webhooks for the merchant's systems (the outgoing half of C2).

A subscription names the event types it wants (case.* and refund.* kinds, or all). A consumer
reads case events with its own cursor and writes, per matching subscription, one
WebhookDelivery and one outbox row (dedupe `webhook:<subscription>:<event>`) in one
transaction. The outbox handler POSTs the JSON signed with core.inbox.sign() in the
`Aftercare-Signature` header, logs every attempt, and retries with the outbox's backoff.
After DISABLE_AFTER deliveries in a row that failed for good, the subscription switches
itself off and says why; re-enabling it is the merchant's call.
"""

from __future__ import annotations

import json
import secrets
import time
import uuid
from datetime import datetime
from typing import Any

from django.db import transaction
from django.db.models import F
from django.utils import timezone

from aftercare.core import http
from aftercare.core.actors import Actor
from aftercare.core.api import require
from aftercare.core.errors import ExternalServiceError, ValidationFailed
from aftercare.core.inbox import SIGNATURE_HEADER, sign
from aftercare.core.outbox import write_outbox
from aftercare.core.outbox_models import OutboxMessage
from aftercare.merchants.queries import get_scoped
from aftercare.notifications.consumer import default_lag, lock_cursor, settled
from aftercare.notifications.cursors import advance, late_arrivals
from aftercare.notifications.models import WebhookAttempt, WebhookDelivery, WebhookSubscription
from aftercare.returns import events as case_events
from aftercare.returns.models import CaseEvent

TOPIC = "notifications.webhook"
CURSOR = "webhooks.case-events"
DISABLE_AFTER = 5
TEST_EVENT = "webhook.test"


def known_event_types() -> list[str]:
    kinds = set(case_events.ALL_KINDS)
    try:
        from aftercare.refunds import events as refund_events

        kinds |= set(refund_events.ALL_KINDS)
    except ImportError:  # pragma: no cover
        pass
    return sorted(kinds | {TEST_EVENT})


# --- Subscriptions ---------------------------------------------------------------------


def create_subscription(*, actor: Actor, url: str, event_types: list[str]) -> WebhookSubscription:
    require(actor, "notifications.manage")
    unknown = sorted(set(event_types) - set(known_event_types()))
    if unknown:
        raise ValidationFailed(
            f"Unknown event types: {', '.join(unknown)}.", code="unknown_event_type"
        )
    if not url.startswith(("https://", "http://")):
        raise ValidationFailed("The URL must start with https:// or http://.", code="bad_url")
    return WebhookSubscription.objects.create(
        merchant=actor.merchant,
        url=url,
        secret=f"whsec_{secrets.token_urlsafe(24)}",
        event_types=sorted(set(event_types)),
    )


def set_active(*, actor: Actor, subscription_id: int, active: bool) -> WebhookSubscription:
    require(actor, "notifications.manage")
    subscription = get_scoped(WebhookSubscription, actor.merchant, pk=subscription_id)
    subscription.active = active
    if active:
        subscription.consecutive_failures = 0
        subscription.disabled_reason = ""
    subscription.save(update_fields=["active", "consecutive_failures", "disabled_reason"])
    return subscription


# --- The consumer ------------------------------------------------------------------------


def event_payload(event: CaseEvent) -> dict[str, Any]:
    return {
        "id": f"case-event-{event.pk}",
        "type": event.kind,
        "created_at": event.created_at.isoformat(),
        "data": {"case_id": event.case_id, **(event.data or {})},
    }


def consume_for_webhooks(*, limit: int = 500, now: datetime | None = None) -> int:
    now = now or timezone.now()
    with transaction.atomic():
        cursor = lock_cursor(CURSOR)
        late = late_arrivals(cursor, CaseEvent.objects.all(), now=now)
        fresh = settled(
            case_events.events_since(after_id=cursor.last_id, limit=limit), now - default_lag()
        )
        batch = late + fresh
        merchants = {event.merchant_id for event in batch}
        subscriptions: dict[int, list[WebhookSubscription]] = {}
        for sub in WebhookSubscription.objects.filter(merchant_id__in=merchants, active=True):
            subscriptions.setdefault(sub.merchant_id, []).append(sub)
        for event in batch:
            for sub in subscriptions.get(event.merchant_id, []):
                if sub.wants(event.kind):
                    queue_delivery(sub, event.kind, f"case-event-{event.pk}", event_payload(event))
        advance(cursor, CaseEvent.objects.all(), fresh, now=now)
    return len(batch)


REFUND_CURSOR = "webhooks.refund-events"


def consume_refunds_for_webhooks(*, limit: int = 500, now: datetime | None = None) -> int:
    """The refunds app's events (refund.*), for subscriptions that want them."""
    try:
        from aftercare.refunds import events as refund_events
        from aftercare.refunds.models import RefundEvent
    except ImportError:  # pragma: no cover - the refunds app is part of the product
        return 0
    now = now or timezone.now()
    with transaction.atomic():
        cursor = lock_cursor(REFUND_CURSOR)
        late = late_arrivals(cursor, RefundEvent.objects.all(), now=now)
        fresh = settled(
            refund_events.events_since(after_id=cursor.last_id, limit=limit), now - default_lag()
        )
        _fan_out(
            late + fresh,
            lambda e: (f"refund-event-{e.pk}", {"grant_id": e.grant_id, **(e.data or {})}),
        )
        advance(cursor, RefundEvent.objects.all(), fresh, now=now)
    return len(late) + len(fresh)


def _fan_out(batch: list[Any], describe: Any) -> None:
    merchants = {event.merchant_id for event in batch}
    subscriptions: dict[int, list[WebhookSubscription]] = {}
    for sub in WebhookSubscription.objects.filter(merchant_id__in=merchants, active=True):
        subscriptions.setdefault(sub.merchant_id, []).append(sub)
    for event in batch:
        event_id, data = describe(event)
        payload = {
            "id": event_id,
            "type": event.kind,
            "created_at": event.created_at.isoformat(),
            "data": data,
        }
        for sub in subscriptions.get(event.merchant_id, []):
            if sub.wants(event.kind):
                queue_delivery(sub, event.kind, event_id, payload)


def queue_delivery(
    sub: WebhookSubscription, event_type: str, event_id: str, payload: dict[str, Any]
) -> WebhookDelivery:
    existing = WebhookDelivery.objects.filter(subscription=sub, event_id=event_id).first()
    if existing is not None:
        return existing
    delivery = WebhookDelivery.objects.create(
        merchant_id=sub.merchant_id,
        subscription=sub,
        event_type=event_type,
        event_id=event_id,
        payload=payload,
    )
    delivery.outbox = write_outbox(
        merchant=sub.merchant,
        topic=TOPIC,
        dedupe_key=f"webhook:{sub.pk}:{event_id}",
        payload={"delivery_id": delivery.pk},
    )
    delivery.save(update_fields=["outbox"])
    return delivery


# --- Delivering ----------------------------------------------------------------------------


def deliver_webhook(message: OutboxMessage) -> dict[str, Any]:
    """Outbox handler of TOPIC."""
    delivery = WebhookDelivery.objects.select_related("subscription").get(
        pk=message.payload["delivery_id"]
    )
    if delivery.status == "succeeded":
        return {"status": "succeeded"}
    if not delivery.subscription.active:
        WebhookDelivery.objects.filter(pk=delivery.pk).update(status="skipped")
        return {"status": "skipped", "reason": "subscription disabled"}
    last_try = message.attempts >= message.max_attempts
    attempt(delivery, give_up=last_try)
    return {"status": "succeeded"}


def attempt(
    delivery: WebhookDelivery, *, give_up: bool = True, counts: bool = True
) -> WebhookAttempt:
    """One signed POST, logged; raises ExternalServiceError when it failed."""
    sub = delivery.subscription
    body = json.dumps(delivery.payload, ensure_ascii=False, sort_keys=True).encode()
    headers = {
        "Content-Type": "application/json",
        SIGNATURE_HEADER: sign(sub.secret, body),
        "Aftercare-Event": delivery.event_type,
        "Aftercare-Delivery": str(delivery.pk),
    }
    started = time.monotonic()
    try:
        response = http.request("POST", sub.url, content=body, headers=headers)
    except ExternalServiceError as error:
        _log(
            delivery,
            started,
            status=error.extra.get("upstream_status"),
            outcome="failed",
            detail=error.detail,
        )
        permanent = error.permanent or give_up
        if counts:  # a test send says nothing about the subscription's health
            _count_failure(sub, error.detail, permanent=permanent)
        WebhookDelivery.objects.filter(pk=delivery.pk).update(
            status="failed" if permanent else "retrying",
            finished_at=timezone.now() if permanent else None,
        )
        raise
    logged = _log(delivery, started, status=response.status_code, outcome="succeeded", detail="")
    WebhookDelivery.objects.filter(pk=delivery.pk).update(
        status="succeeded", finished_at=timezone.now()
    )
    WebhookSubscription.objects.filter(pk=sub.pk).update(consecutive_failures=0)
    return logged


def _log(
    delivery: WebhookDelivery, started: float, *, status: Any, outcome: str, detail: str
) -> WebhookAttempt:
    return WebhookAttempt.objects.create(
        delivery=delivery,
        status_code=status if isinstance(status, int) else None,
        outcome=outcome,
        detail=detail[:2000],
        duration_ms=int((time.monotonic() - started) * 1000),
    )


def _count_failure(sub: WebhookSubscription, detail: str, *, permanent: bool) -> None:
    if not permanent:
        return
    WebhookSubscription.objects.filter(pk=sub.pk).update(
        consecutive_failures=F("consecutive_failures") + 1
    )
    WebhookSubscription.objects.filter(
        pk=sub.pk, active=True, consecutive_failures__gte=DISABLE_AFTER
    ).update(
        active=False,
        disabled_reason=(
            f"Disabled after {DISABLE_AFTER} failed deliveries in a row; last: {detail[:500]}"
        ),
    )


def send_test(*, actor: Actor, subscription_id: int) -> WebhookAttempt:
    """The console's "send test" button: one logged delivery now, outside any transaction."""
    require(actor, "notifications.manage")
    sub = get_scoped(WebhookSubscription, actor.merchant, pk=subscription_id)
    event_id = f"test-{uuid.uuid4().hex[:12]}"
    delivery = WebhookDelivery.objects.create(
        merchant=actor.merchant,
        subscription=sub,
        event_type=TEST_EVENT,
        event_id=event_id,
        payload={
            "id": event_id,
            "type": TEST_EVENT,
            "created_at": timezone.now().isoformat(),
            "data": {"message": "A test delivery from Aftercare.", "sent_by": actor.label},
        },
    )
    try:
        return attempt(delivery, give_up=False, counts=False)
    except ExternalServiceError:
        return WebhookAttempt.objects.filter(delivery=delivery).order_by("-id")[0]
