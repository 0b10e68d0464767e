"""The notifications API, mounted by aftercare/api.py at /notifications.

Reads need "notifications.read"; editing templates, webhooks and resending need
"notifications.manage"; contact preferences are set with "desk.write" (the agent who hears
"stop texting me"). Another merchant's object is a 404, the same as a missing one.
"""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from ninja import Query, Router, Status

from aftercare.commerce.models import Customer
from aftercare.core.api import PageOut, actor_of, page_of, require
from aftercare.merchants.queries import get_scoped
from aftercare.notifications import actions, delivery, queries, render, webhooks
from aftercare.notifications.defaults import LANGUAGES, default_template
from aftercare.notifications.models import Channel, ContactPreference, EventKey, MessageTemplate
from aftercare.notifications.schemas import (
    DeliveryOut,
    NotificationFilters,
    NotificationOut,
    PreferenceIn,
    PreferenceOut,
    PreviewIn,
    PreviewOut,
    SubscriptionCreatedOut,
    SubscriptionIn,
    SubscriptionOut,
    SurveyOut,
    TemplateIn,
    TemplateOut,
    delivery_out,
)

router = Router(tags=["notifications"])


@router.get("", response=PageOut[NotificationOut], summary="Messages sent or queued, newest first")
def list_notifications(request: HttpRequest, filters: Query[NotificationFilters]) -> dict[str, Any]:
    actor = actor_of(request)
    require(actor, "notifications.read")
    rows = queries.notifications_of(
        actor.merchant,
        status=filters.status,
        channel=filters.channel,
        customer_id=filters.customer_id,
        case_id=filters.case_id,
    )
    return page_of(rows, limit=filters.limit, offset=filters.offset)


@router.get("/templates", response=list[TemplateOut], summary="Every template, with defaults")
def list_templates(request: HttpRequest) -> list[dict[str, Any]]:
    actor = actor_of(request)
    require(actor, "notifications.read")
    own = {
        (t.event, t.channel, t.language): t
        for t in MessageTemplate.objects.filter(merchant=actor.merchant)
    }
    out = []
    for event in EventKey.values:
        for channel in Channel.values:
            for language in LANGUAGES:
                found = own.get((event, channel, language))
                text = found or default_template(event, channel, language)
                out.append(
                    {
                        "event": event,
                        "channel": channel,
                        "language": language,
                        "subject": text.subject,
                        "body": text.body,
                        "html_body": text.html_body,
                        "customised": found is not None,
                    }
                )
    return out


@router.post("/templates", response={201: TemplateOut}, summary="Save a template (must render)")
def save_template(request: HttpRequest, payload: TemplateIn) -> Status[dict[str, Any]]:
    saved = actions.save_template(actor=actor_of(request), **payload.dict())
    return Status(
        201,
        {
            "event": saved.event,
            "channel": saved.channel,
            "language": saved.language,
            "subject": saved.subject,
            "body": saved.body,
            "html_body": saved.html_body,
            "customised": True,
        },
    )


@router.post("/templates/preview", response=PreviewOut, summary="Render a draft for a real case")
def preview_template(request: HttpRequest, payload: PreviewIn) -> dict[str, Any]:
    result = actions.preview_template(actor=actor_of(request), **payload.dict())
    return {**result, "variables": render.VARIABLES}


@router.get("/preferences/{customer_id}", response=PreferenceOut, summary="A customer's choices")
def get_preferences(request: HttpRequest, customer_id: int) -> dict[str, Any]:
    actor = actor_of(request)
    require(actor, "notifications.read")
    customer = get_scoped(Customer, actor.merchant, pk=customer_id)
    found = ContactPreference.objects.filter(customer=customer).first()
    return {
        "customer_id": customer.pk,
        "preferred_channel": found.preferred_channel if found else "",
        "opted_out": found.opted_out if found else [],
        "timezone": found.timezone if found else "",
    }


@router.post("/preferences/{customer_id}", response=PreferenceOut, summary="Set them")
def set_preferences(
    request: HttpRequest, customer_id: int, payload: PreferenceIn
) -> dict[str, Any]:
    saved = actions.set_preferences(
        actor=actor_of(request), customer_id=customer_id, **payload.dict()
    )
    return {
        "customer_id": saved.customer_id,
        "preferred_channel": saved.preferred_channel,
        "opted_out": saved.opted_out,
        "timezone": saved.timezone,
    }


@router.get("/webhooks", response=list[SubscriptionOut], summary="Outgoing webhook subscriptions")
def list_webhooks(request: HttpRequest) -> Any:
    actor = actor_of(request)
    require(actor, "notifications.read")
    return list(queries.subscriptions_of(actor.merchant))


@router.post("/webhooks", response={201: SubscriptionCreatedOut}, summary="Subscribe a URL")
def create_webhook(request: HttpRequest, payload: SubscriptionIn) -> Status[Any]:
    created = webhooks.create_subscription(actor=actor_of(request), **payload.dict())
    return Status(201, created)


@router.get(
    "/webhooks/{subscription_id}/deliveries",
    response=list[DeliveryOut],
    summary="A subscription's deliveries with every attempt",
)
def list_deliveries(request: HttpRequest, subscription_id: int) -> list[dict[str, Any]]:
    actor = actor_of(request)
    require(actor, "notifications.read")
    rows = queries.deliveries_of(actor.merchant, subscription_id)[:100]
    return [delivery_out(d) for d in rows]


@router.post(
    "/webhooks/{subscription_id}/test",
    response=DeliveryOut,
    summary="Send a signed test event now",
)
def test_webhook(request: HttpRequest, subscription_id: int) -> dict[str, Any]:
    attempt = webhooks.send_test(actor=actor_of(request), subscription_id=subscription_id)
    return delivery_out(attempt.delivery)


@router.get("/surveys", response=PageOut[SurveyOut], summary="Satisfaction surveys and answers")
def list_surveys(request: HttpRequest, limit: int = 50, offset: int = 0) -> dict[str, Any]:
    actor = actor_of(request)
    require(actor, "notifications.read")
    return page_of(queries.surveys_of(actor.merchant), limit=limit, offset=offset)


@router.get("/{notification_id}", response=NotificationOut, summary="One message")
def get_notification(request: HttpRequest, notification_id: int) -> Any:
    actor = actor_of(request)
    require(actor, "notifications.read")
    return queries.get_notification(actor.merchant, notification_id)


@router.post(
    "/{notification_id}/resend", response=NotificationOut, summary="Send a failed one again"
)
def resend(request: HttpRequest, notification_id: int) -> Any:
    return delivery.resend_notification(actor=actor_of(request), notification_id=notification_id)
