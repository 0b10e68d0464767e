"""Channels, conversation statuses, message directions and delivery states.

A conversation is open while someone owes an answer, pending while the merchant waits on the
customer, and closed when done. A new inbound message reopens a pending or closed
conversation (the customer spoke again); that is the only automatic move.
"""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class Channel(models.TextChoices):
    WEB_CHAT = "web_chat", _("Web chat")
    EMAIL = "email", _("Email")
    SMS = "sms", _("SMS")
    PHONE = "phone", _("Phone call")
    MARKETPLACE = "marketplace", _("Marketplace message")


class ConversationStatus(models.TextChoices):
    OPEN = "open", _("Open")
    PENDING = "pending", _("Waiting on customer")
    CLOSED = "closed", _("Closed")


TRANSITIONS: dict[str, set[str]] = {
    ConversationStatus.OPEN: {ConversationStatus.PENDING, ConversationStatus.CLOSED},
    ConversationStatus.PENDING: {ConversationStatus.OPEN, ConversationStatus.CLOSED},
    ConversationStatus.CLOSED: {ConversationStatus.OPEN},
}


class Direction(models.TextChoices):
    INBOUND = "inbound", _("From the customer")
    OUTBOUND = "outbound", _("To the customer")
    NOTE = "note", _("Internal note")


class AuthorKind(models.TextChoices):
    CUSTOMER = "customer", _("Customer")
    AGENT = "agent", _("Agent")
    BOT = "bot", _("Assistant")
    SYSTEM = "system", _("System")


class DeliveryState(models.TextChoices):
    RECEIVED = "received", _("Received")
    QUEUED = "queued", _("Queued")
    SENT = "sent", _("Sent")
    DELIVERED = "delivered", _("Delivered")
    READ = "read", _("Read")
    FAILED = "failed", _("Failed")


class LinkKind(models.TextChoices):
    ORDER = "order", _("Order")
    SHIPMENT = "shipment", _("Shipment")
    CASE = "case", _("Case")
