"""Outbox handlers that send agents' replies (run by the outbox task, after commit, outside
any transaction). Registered in ConversationsConfig.ready()."""

from __future__ import annotations

import smtplib
from typing import Any

from django.conf import settings
from django.core.mail import EmailMessage

from aftercare.conversations.actions import set_delivery_state
from aftercare.conversations.models import Message
from aftercare.conversations.states import DeliveryState
from aftercare.core.errors import ExternalServiceError
from aftercare.core.outbox_models import OutboxMessage


def _message(outbox: OutboxMessage) -> Message:
    return Message.objects.select_related("conversation").get(
        pk=outbox.payload["message_id"], merchant_id=outbox.merchant_id
    )


def send_email_reply(outbox: OutboxMessage) -> dict[str, Any] | None:
    """Send one reply through Django's email backend with the thread's headers."""
    message = _message(outbox)
    if message.delivery_state != DeliveryState.QUEUED:
        return {"skipped": message.delivery_state}  # sent by an earlier attempt
    conversation = message.conversation
    headers = {"Message-ID": message.external_id}
    if message.in_reply_to:
        headers["In-Reply-To"] = message.in_reply_to
    if message.references:
        headers["References"] = message.references
    email = EmailMessage(
        subject=message.subject,
        body=message.body,
        from_email=conversation.our_address or settings.DEFAULT_FROM_EMAIL,
        to=[conversation.contact],
        headers=headers,
    )
    try:
        email.send(fail_silently=False)
    except smtplib.SMTPRecipientsRefused as error:
        set_delivery_state(message_id=message.pk, state=DeliveryState.FAILED, error=str(error))
        raise ExternalServiceError(
            f"The mail server refused {conversation.contact}.", permanent=True
        ) from error
    except (smtplib.SMTPException, OSError) as error:
        raise ExternalServiceError(f"Sending the email failed: {error}", permanent=False) from error
    set_delivery_state(message_id=message.pk, state=DeliveryState.SENT)
    return {"message_id": message.external_id}


def send_sms_reply(outbox: OutboxMessage) -> dict[str, Any] | None:
    """SMS replies to a number that is not the customer's stored phone (the notifications
    app's send_to_customer sends only to that). Not wired to a provider yet: such a reply
    retries with backoff and stays 'queued' until this handler calls one.
    """
    message = _message(outbox)
    if message.delivery_state != DeliveryState.QUEUED:
        return {"skipped": message.delivery_state}
    raise ExternalServiceError(
        "No SMS provider is wired to conversation replies yet.", permanent=False
    )
