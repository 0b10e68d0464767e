"""Delivering a queued notification through the merchant's provider (the outbox handler),
provider callbacks, the supervisor's resend, and `send_to_customer()` for other apps.

The handler runs outside any transaction (the outbox calls it so). While it runs, the outbox
row is claimed: a claim that outlives its lease means a worker died mid-send, and the retry
goes out with the same reference (the gateway's Idempotency-Key, the email's Message-ID),
which providers that deduplicate turn into a single message.
"""

from __future__ import annotations

import time
from datetime import datetime
from typing import Any

from django.db import transaction
from django.db.models import Q, QuerySet
from django.urls import reverse
from django.utils import timezone

from aftercare.core.actors import Actor
from aftercare.core.api import require
from aftercare.core.errors import ExternalServiceError, NotFound, ValidationFailed
from aftercare.core.inbox import SIGNATURE_HEADER, sign
from aftercare.core.outbox import write_outbox
from aftercare.core.outbox_models import OutboxMessage
from aftercare.integrations.http_sms.gateway import HttpSmsGateway
from aftercare.integrations.smtp.sender import SmtpEmailSender
from aftercare.integrations.twilio.messages import TwilioSms
from aftercare.merchants.queries import get_scoped
from aftercare.notifications.messages import DELIVER_TOPIC, direct_route
from aftercare.notifications.models import (
    Channel,
    ContactPreference,
    Notification,
    NotificationSettings,
    NotificationStatus,
    SmsProviderKind,
)
from aftercare.notifications.providers import OutgoingEmail, OutgoingSms, Sent, SmsProvider
from aftercare.notifications.routing import settings_of

DONE = (NotificationStatus.SENT, NotificationStatus.DELIVERED, NotificationStatus.SKIPPED)
FAILED_QUEUE = (NotificationStatus.FAILED,)


def sms_provider_for(settings: NotificationSettings) -> SmsProvider:
    if settings.sms_provider == SmsProviderKind.TWILIO:
        return TwilioSms(
            account_sid=settings.twilio_account_sid,
            auth_token=settings.twilio_auth_token,
            sender=settings.sms_from,
            api_base=settings.twilio_api_base,
        )
    if settings.sms_provider == SmsProviderKind.HTTP:
        return HttpSmsGateway(
            url=settings.http_sms_url,
            auth_header=settings.http_sms_auth_header,
            body_template=settings.http_sms_body_template,
            sender=settings.sms_from,
        )
    raise ExternalServiceError("The merchant has no SMS provider configured.", permanent=True)


EMAIL_SENDER = SmtpEmailSender()
SETTINGS_TTL = 5.0  # seconds a worker reuses a merchant's provider settings
_settings_cache: dict[int, tuple[float, NotificationSettings]] = {}


def clear_settings_cache() -> None:
    _settings_cache.clear()


def cached_settings(merchant_id: int) -> NotificationSettings:
    """Provider settings, re-read at most every SETTINGS_TTL seconds per worker: a stream of
    deliveries would otherwise read the same row for every message."""
    now = time.monotonic()
    found = _settings_cache.get(merchant_id)
    if found is None or now - found[0] > SETTINGS_TTL:
        found = (now, settings_of(merchant_id))
        _settings_cache[merchant_id] = found
    return found[1]


def _with_customer() -> QuerySet[Notification]:
    return Notification.objects.select_related("customer", "customer__contact_preference")


def prepare_messages(messages: list[OutboxMessage]) -> None:
    """Outbox prepare hook of DELIVER_TOPIC: a claimed batch's notifications in one query."""
    found = _with_customer().in_bulk([m.payload["key"] for m in messages], field_name="dedupe_key")
    for message in messages:
        message.prepared = found.get(message.payload["key"])


def deliver_message(message: OutboxMessage) -> dict[str, Any]:
    """Outbox handler of DELIVER_TOPIC."""
    notification = message.prepared or _with_customer().get(dedupe_key=message.payload["key"])
    if notification.status in DONE:
        return {"status": notification.status}  # a redelivered task after success
    reason = _skip_reason(notification)
    if reason:
        _finish(notification, status=NotificationStatus.SKIPPED, reason=reason)
        return {"status": "skipped", "reason": reason}
    settings = cached_settings(notification.merchant_id)
    try:
        sent = send_now(notification, settings)
    except ExternalServiceError as error:
        last = error.permanent or message.attempts >= message.max_attempts
        Notification.objects.filter(pk=notification.pk).update(
            status=NotificationStatus.FAILED if last else NotificationStatus.QUEUED,
            reason=error.detail[:2000],
        )
        raise
    Notification.objects.filter(pk=notification.pk).exclude(
        status=NotificationStatus.DELIVERED
    ).update(
        status=NotificationStatus.SENT,
        provider=sent.provider,
        provider_ref=sent.reference[:100],
        sent_at=timezone.now(),
        reason="",
    )
    return {"provider": sent.provider, "reference": sent.reference}


def _skip_reason(notification: Notification) -> str:
    """Preferences are checked again at delivery: an opt-out since queueing wins."""
    if notification.event == "reply" or notification.customer is None:
        return ""  # an agent's answer to the customer's own message is not a notice
    try:
        opted_out = notification.customer.contact_preference.opted_out
    except ContactPreference.DoesNotExist:
        opted_out = []
    if notification.channel in opted_out:
        return f"The customer opted out of {notification.channel}."
    return ""


def _finish(notification: Notification, *, status: str, reason: str = "") -> None:
    Notification.objects.filter(pk=notification.pk).update(status=status, reason=reason)


def send_now(notification: Notification, settings: NotificationSettings) -> Sent:
    channel = notification.channel
    if channel == Channel.SMS:
        return sms_provider_for(settings).send_sms(
            OutgoingSms(
                to=notification.recipient,
                body=notification.body,
                reference=notification.dedupe_key,
                status_callback=_callback_url(settings, notification),
            )
        )
    if channel == Channel.EMAIL:
        return EMAIL_SENDER.send_email(
            OutgoingEmail(
                to=notification.recipient,
                subject=notification.subject,
                text=notification.body,
                html=notification.html_body,
                reference=notification.dedupe_key,
                from_address=settings.email_from,
            )
        )
    if channel == Channel.PUSH:
        return _post_signed(settings.push_url, settings.push_secret, _push_body(notification))
    if channel == Channel.VOICE:
        return _post_signed(settings.voice_url, settings.voice_secret, _voice_body(notification))
    raise ExternalServiceError(f"Nothing sends the channel {channel!r}.", permanent=True)


def _push_body(notification: Notification) -> dict[str, Any]:
    customer = notification.customer
    return {
        "type": "notification.push",
        "reference": notification.dedupe_key,
        "customer_external_id": customer.external_id if customer else "",
        "event": notification.event,
        "title": notification.subject,
        "body": notification.body,
        "language": notification.language,
        "case_number": notification.case.number if notification.case_id else "",  # type: ignore[union-attr]
    }


def _voice_body(notification: Notification) -> dict[str, Any]:
    return {
        "type": "notification.voice",
        "reference": notification.dedupe_key,
        "to": notification.recipient,
        "language": notification.language,
        "say": notification.body,
    }


def _post_signed(url: str, secret: str, body: dict[str, Any]) -> Sent:
    import json

    if not url:
        raise ExternalServiceError("No address is configured for this channel.", permanent=True)
    raw = json.dumps(body, ensure_ascii=False, sort_keys=True).encode()
    headers = {"Content-Type": "application/json", "Idempotency-Key": body["reference"]}
    if secret:
        headers[SIGNATURE_HEADER] = sign(secret, raw)
    from aftercare.core import http

    http.request("POST", url, content=raw, headers=headers)
    return Sent(provider="webhook", reference=body["reference"])


def _callback_url(settings: NotificationSettings, notification: Notification) -> str:
    if not settings.public_base_url or settings.sms_provider != SmsProviderKind.TWILIO:
        return ""
    path = reverse("notifications:twilio_status", args=[notification.merchant_id])
    return settings.public_base_url.rstrip("/") + path


# --- Provider callbacks -----------------------------------------------------------------

PROVIDER_STATUSES = {
    "delivered": NotificationStatus.DELIVERED,
    "read": NotificationStatus.DELIVERED,
    "undelivered": NotificationStatus.FAILED,
    "failed": NotificationStatus.FAILED,
    "sent": NotificationStatus.SENT,
}


def apply_provider_status(
    *, merchant_id: int, reference: str, status: str, reason: str = ""
) -> Notification | None:
    """A provider says what became of a message; unknown references are ignored."""
    new = PROVIDER_STATUSES.get(status.lower())
    found = (
        Notification.objects.filter(merchant_id=merchant_id)
        .filter(Q(provider_ref=reference) | Q(dedupe_key=reference))
        .first()
    )
    if new is None or found is None:
        return found
    if found.status == NotificationStatus.DELIVERED and new != NotificationStatus.DELIVERED:
        return found  # callbacks arrive out of order; delivered is final
    changes: dict[str, Any] = {"status": new}
    if new == NotificationStatus.DELIVERED:
        changes["delivered_at"] = timezone.now()
    if new == NotificationStatus.FAILED:
        changes["reason"] = reason or f"The provider reported {status}."
    Notification.objects.filter(pk=found.pk).update(**changes)
    found.refresh_from_db()
    return found


# --- Resend and direct sends ------------------------------------------------------------


def resend_notification(*, actor: Actor, notification_id: int) -> Notification:
    """A supervisor sends a failed or skipped message again, as a new outbox row."""
    require(actor, "notifications.manage")
    with transaction.atomic():
        notification = get_scoped(Notification, actor.merchant, pk=notification_id)
        notification = Notification.objects.select_for_update().get(pk=notification.pk)
        if notification.status not in (NotificationStatus.FAILED, NotificationStatus.SKIPPED):
            raise ValidationFailed(
                "Only a failed or skipped message can be sent again.", code="not_resendable"
            )
        # Each resend is a new outbox row: the earlier ones are finished (dead or done).
        count = OutboxMessage.objects.filter(
            dedupe_key__startswith=notification.dedupe_key + ":resend"
        ).count()
        key = f"{notification.dedupe_key}:resend{count + 1}"
        notification.outbox = write_outbox(
            merchant=actor.merchant,
            topic=DELIVER_TOPIC,
            dedupe_key=key,
            payload={"key": notification.dedupe_key},
        )
        notification.status = NotificationStatus.QUEUED
        notification.reason = f"resent by {actor.label}"
        notification.save(update_fields=["outbox", "status", "reason"])
        return notification


def send_to_customer(
    *,
    merchant_id: int,
    customer_id: int,
    channel: str,
    body: str,
    subject: str = "",
    dedupe_key: str,
    case_id: int | None = None,
    now: datetime | None = None,
) -> Notification:
    """Queue one SMS or email to a customer through the merchant's provider.

    For other apps (an agent's reply by SMS). Call inside your own transaction: the message
    goes out after it commits, with retries; `dedupe_key` (yours, e.g. "reply:<message id>")
    makes a repeated call a no-op. Opt-outs and quiet hours do not apply: this answers the
    customer. Raises NotFound for another merchant's customer, ValidationFailed for a
    channel the customer has no address for.
    """
    from aftercare.commerce.models import Customer

    if channel not in (Channel.SMS, Channel.EMAIL):
        raise ValidationFailed("Only sms and email can be sent directly.", code="bad_channel")
    customer = (
        Customer.objects.select_related("merchant")
        .filter(merchant_id=merchant_id, pk=customer_id)
        .first()
    )
    if customer is None:
        raise NotFound("No such customer.")
    now = now or timezone.now()
    route = direct_route(customer, channel, now)
    if not route.recipient:
        raise ValidationFailed(f"The customer has no address for {channel}.", code="no_address")
    key = f"direct:{merchant_id}:{dedupe_key}"
    existing = Notification.objects.filter(dedupe_key=f"{key}:{channel}").first()
    if existing is not None:
        return existing
    from aftercare.notifications.messages import _write

    return _write(
        merchant=customer.merchant,
        customer=customer,
        case=None if case_id is None else _case(merchant_id, case_id),
        event="reply",
        route=route,
        language=customer.language,
        texts=(subject, body, ""),
        key=f"{key}:{channel}",
        now=now,
    )


def _case(merchant_id: int, case_id: int) -> Any:
    from aftercare.returns.models import Case

    return Case.objects.filter(merchant_id=merchant_id, pk=case_id).first()
