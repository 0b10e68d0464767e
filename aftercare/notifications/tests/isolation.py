"""Tenant isolation cases of the notifications API (loaded by tests/test_isolation.py)."""

from __future__ import annotations

from typing import Any

from django.utils import timezone

from aftercare.notifications.models import (
    ContactPreference,
    MessageTemplate,
    Notification,
    Survey,
    WebhookDelivery,
    WebhookSubscription,
)
from tests.test_isolation import (
    Case,
    World,
    _expect_404_and_nothing_changed,
    _expect_own_write_only,
    url_for,
)


def build(world: World) -> None:
    merchant, tag = world.merchant, world.store.code.split("-")[0].upper()
    world.extra["notification"] = Notification.objects.create(
        merchant=merchant,
        customer=world.customer,
        case=world.case,
        event="submitted",
        channel="sms",
        language="en",
        recipient=world.customer.phone,
        body=f"{tag} your request is in",
        status="failed",
        reason=f"{tag} gateway said no",
        dedupe_key=f"isolation:{tag}:sms",
        due_at=timezone.now(),
    )
    world.extra["subscription"] = WebhookSubscription.objects.create(
        merchant=merchant, url=f"http://127.0.0.1:9/{tag.lower()}-hook", secret=f"{tag}-secret"
    )
    MessageTemplate.objects.create(
        merchant=merchant,
        event="submitted",
        channel="sms",
        language="en",
        body=f"{tag} says hi {{{{ customer_name }}}}",
    )
    Survey.objects.create(
        merchant=merchant,
        case=world.case,
        customer=world.customer,
        channel="sms",
        agent_label=f"{tag} agent",
        token=f"{tag}-token",
        due_at=timezone.now(),
    )
    ContactPreference.objects.create(
        merchant=merchant, customer=world.customer, preferred_channel="email"
    )


OBJECT_IDS = {
    "notification_id": lambda w: w.extra["notification"].pk,
    "subscription_id": lambda w: w.extra["subscription"].pk,
}


def _preview_body(w: World) -> dict[str, Any]:
    return {"case_id": w.case.pk, "channel": "sms", "body": "{{ customer_name }}"}


CASES = {
    ("POST", "/api/v1/notifications/templates"): Case(
        body=lambda w: {
            "event": "submitted",
            "channel": "sms",
            "language": "en",
            "body": "Hello {{ customer_name }}",
        },
        check=_expect_own_write_only(url_for),
    ),
    ("POST", "/api/v1/notifications/templates/preview"): Case(
        body=_preview_body, check=_expect_404_and_nothing_changed(url_for)
    ),
    ("POST", "/api/v1/notifications/preferences/{customer_id}"): Case(
        body=lambda w: {"opted_out": ["sms"]}, check=_expect_404_and_nothing_changed(url_for)
    ),
    ("POST", "/api/v1/notifications/webhooks"): Case(
        body=lambda w: {"url": "https://bravo.example/hook", "event_types": ["case.created"]},
        check=_expect_own_write_only(url_for),
    ),
    ("POST", "/api/v1/notifications/webhooks/{subscription_id}/test"): Case(
        body=lambda w: {}, check=_expect_404_and_nothing_changed(url_for)
    ),
    ("POST", "/api/v1/notifications/{notification_id}/resend"): Case(
        body=lambda w: {}, check=_expect_404_and_nothing_changed(url_for)
    ),
}

SNAPSHOT_MODELS = [
    Notification,
    MessageTemplate,
    ContactPreference,
    WebhookSubscription,
    WebhookDelivery,
    Survey,
]
