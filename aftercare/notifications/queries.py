"""Reads of notifications, always scoped to one merchant (rule 8)."""

from __future__ import annotations

from django.db.models import QuerySet

from aftercare.merchants.models import Merchant
from aftercare.merchants.queries import get_scoped, scoped
from aftercare.notifications.models import (
    Notification,
    NotificationStatus,
    Survey,
    WebhookAttempt,
    WebhookDelivery,
    WebhookSubscription,
)


def notifications_of(
    merchant: Merchant,
    *,
    status: str | None = None,
    channel: str | None = None,
    customer_id: int | None = None,
    case_id: int | None = None,
) -> QuerySet[Notification]:
    rows = scoped(Notification, merchant).select_related("case", "customer")
    if status:
        rows = rows.filter(status=status)
    if channel:
        rows = rows.filter(channel=channel)
    if customer_id:
        rows = rows.filter(customer_id=customer_id)
    if case_id:
        rows = rows.filter(case_id=case_id)
    return rows.order_by("-id")


def get_notification(merchant: Merchant, notification_id: int) -> Notification:
    return get_scoped(Notification, merchant, pk=notification_id)


def failed_of(merchant: Merchant) -> QuerySet[Notification]:
    return notifications_of(merchant, status=NotificationStatus.FAILED)


def subscriptions_of(merchant: Merchant) -> QuerySet[WebhookSubscription]:
    return scoped(WebhookSubscription, merchant).order_by("id")


def deliveries_of(merchant: Merchant, subscription_id: int) -> QuerySet[WebhookDelivery]:
    subscription = get_scoped(WebhookSubscription, merchant, pk=subscription_id)
    return (
        WebhookDelivery.objects.filter(subscription=subscription)
        .prefetch_related("attempts")
        .order_by("-id")
    )


def recent_attempts_of(merchant: Merchant) -> QuerySet[WebhookAttempt]:
    return (
        WebhookAttempt.objects.filter(delivery__merchant=merchant)
        .select_related("delivery", "delivery__subscription")
        .order_by("-id")
    )


def surveys_of(merchant: Merchant) -> QuerySet[Survey]:
    return scoped(Survey, merchant).select_related("case").order_by("-id")
