"""Conversations (one per customer thread on one channel), their messages, attachments and
the orders/shipments/cases they were linked to (S1).

Only actions (actions.py, inbound.py) write these rows.
"""

from __future__ import annotations

from django.db import models
from django.db.models import Q

from aftercare.conversations.states import (
    AuthorKind,
    Channel,
    ConversationStatus,
    DeliveryState,
    Direction,
    LinkKind,
)
from aftercare.merchants.models import MerchantScoped


class Conversation(MerchantScoped):
    """One customer thread on one channel.

    `contact` is the customer's address on that channel (an email address, an E.164 number, a
    web-chat visitor id, a marketplace buyer id); `our_address` is where they wrote to (the
    merchant's mailbox or number), which a reply is sent from. `thread_key` groups messages
    that belong together when the channel has threads of its own (the root Message-ID of an
    email thread, a marketplace thread id).
    """

    channel = models.CharField(max_length=16, choices=Channel.choices)
    status = models.CharField(
        max_length=16, choices=ConversationStatus.choices, default=ConversationStatus.OPEN
    )
    customer = models.ForeignKey(
        "commerce.Customer",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="conversations",
    )
    store = models.ForeignKey(
        "merchants.Store", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    assignee = models.ForeignKey(
        "merchants.Member",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="assigned_conversations",
    )
    subject = models.CharField(max_length=300, blank=True)
    contact = models.CharField(max_length=254, blank=True)
    contact_name = models.CharField(max_length=200, blank=True)
    our_address = models.CharField(max_length=254, blank=True)
    thread_key = models.CharField(max_length=300, blank=True)
    # The last inbound message's analysis, copied here so the inbox can filter on it.
    intent = models.CharField(max_length=32, blank=True)
    language = models.CharField(max_length=16, blank=True)
    last_message_at = models.DateTimeField(null=True, blank=True)
    last_inbound_at = models.DateTimeField(null=True, blank=True)
    # Read state: each side's high-water mark; unread = messages after it from the other side.
    agent_read_at = models.DateTimeField(null=True, blank=True)
    customer_read_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        indexes = [
            models.Index(fields=["merchant", "status", "-last_message_at"]),
            models.Index(fields=["merchant", "customer", "-last_message_at"]),
            models.Index(fields=["merchant", "channel", "contact"]),
            models.Index(fields=["merchant", "thread_key"]),
            models.Index(fields=["merchant", "assignee", "status"]),
        ]

    def __str__(self) -> str:
        return f"{self.channel} {self.contact or self.pk}"


class Message(MerchantScoped):
    """One message, note or call record in a conversation.

    `body` is what the console shows (for email: the new text, without quoted history or
    signature); `original` keeps what arrived (for email: the whole raw MIME message).
    `external_id` is the channel's id for it (Message-ID, Twilio MessageSid, marketplace id),
    unique per merchant and channel so a webhook delivered twice stores one message.
    """

    conversation = models.ForeignKey(
        Conversation, on_delete=models.CASCADE, related_name="messages"
    )
    channel = models.CharField(max_length=16, choices=Channel.choices)
    direction = models.CharField(max_length=16, choices=Direction.choices)
    author_kind = models.CharField(max_length=16, choices=AuthorKind.choices)
    author_member = models.ForeignKey(
        "merchants.Member", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    author_name = models.CharField(max_length=200, blank=True)
    subject = models.CharField(max_length=300, blank=True)
    body = models.TextField(blank=True)
    body_html = models.TextField(blank=True, help_text="As received; sanitised when shown.")
    original = models.TextField(blank=True)
    external_id = models.CharField(max_length=300, blank=True)
    in_reply_to = models.CharField(max_length=300, blank=True)
    references = models.TextField(blank=True)
    delivery_state = models.CharField(max_length=16, choices=DeliveryState.choices)
    delivery_error = models.CharField(max_length=500, blank=True)
    # language, intent, reason, sentiment, flags, entities (aftercare.assistant.analysis).
    analysis = models.JSONField(default=dict, blank=True)
    # Channel-specific facts: a call's duration/outcome/recording, a marketplace's payload.
    meta = models.JSONField(default=dict, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    sent_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["merchant", "channel", "external_id"],
                condition=~Q(external_id=""),
                name="message_external_id_per_channel",
            )
        ]
        indexes = [
            models.Index(fields=["conversation", "created_at"]),
            models.Index(fields=["merchant", "external_id"]),
        ]

    def __str__(self) -> str:
        return f"{self.direction} {self.body[:40]}"


class MessageAttachment(MerchantScoped):
    message = models.ForeignKey(Message, on_delete=models.CASCADE, related_name="attachments")
    file = models.FileField(upload_to="conversations/%Y/%m/")
    filename = models.CharField(max_length=200, blank=True)
    content_type = models.CharField(max_length=100)
    size = models.PositiveIntegerField()
    created_at = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return self.filename


class ConversationLink(MerchantScoped):
    """An order, shipment or case the conversation is about, found in its text (S1) or set
    by an agent. Exactly one of the three foreign keys is set, matching `kind`."""

    conversation = models.ForeignKey(Conversation, on_delete=models.CASCADE, related_name="links")
    kind = models.CharField(max_length=16, choices=LinkKind.choices)
    order = models.ForeignKey(
        "commerce.Order", null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    shipment = models.ForeignKey(
        "commerce.Shipment", null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    case = models.ForeignKey(
        "returns.Case", null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    found_text = models.CharField(max_length=100, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=(
                    Q(kind=LinkKind.ORDER, order__isnull=False, shipment=None, case=None)
                    | Q(kind=LinkKind.SHIPMENT, shipment__isnull=False, order=None, case=None)
                    | Q(kind=LinkKind.CASE, case__isnull=False, order=None, shipment=None)
                ),
                name="conversation_link_one_target",
            ),
            # One row per target; partial because NULLs never clash in a unique index.
            models.UniqueConstraint(
                fields=["conversation", "order"],
                condition=Q(order__isnull=False),
                name="conversation_link_order_once",
            ),
            models.UniqueConstraint(
                fields=["conversation", "shipment"],
                condition=Q(shipment__isnull=False),
                name="conversation_link_shipment_once",
            ),
            models.UniqueConstraint(
                fields=["conversation", "case"],
                condition=Q(case__isnull=False),
                name="conversation_link_case_once",
            ),
        ]


class ChannelAddress(MerchantScoped):
    """Where customers write to the merchant: a mailbox, an SMS number, a marketplace shop.

    Inbound mail and SMS find their merchant by the recipient address here; `secret` signs
    the channel's webhooks (our generic format's HMAC secret, or Twilio's auth token). The
    secret is kept readable because verifying an HMAC needs it.
    """

    channel = models.CharField(max_length=16, choices=Channel.choices)
    provider = models.CharField(max_length=32, default="generic", help_text="generic, twilio")
    address = models.CharField(max_length=254, help_text="An email address or an E.164 number.")
    secret = models.CharField(max_length=200, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            # An address routes to one merchant, or a message could land with the wrong one.
            models.UniqueConstraint(fields=["channel", "address"], name="channel_address_once")
        ]

    def __str__(self) -> str:
        return f"{self.channel} {self.address}"


class CannedReply(MerchantScoped):
    """A prepared answer an agent inserts into a reply (S6), one row per language.

    Rows sharing a `key` are one reply in several languages; the desk offers the one in the
    conversation's language. `body` may name the variables of conversations.canned.VARIABLES
    as {customer_name}; they are filled from the conversation when the agent picks it.
    `intent` (an assistant intent label, optional) puts it first for conversations about that.
    """

    key = models.SlugField(max_length=64)
    language = models.CharField(max_length=16)
    title = models.CharField(max_length=200)
    body = models.TextField()
    intent = models.CharField(max_length=32, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["key", "language"]
        constraints = [
            models.UniqueConstraint(
                fields=["merchant", "key", "language"], name="canned_reply_once_per_language"
            )
        ]

    def __str__(self) -> str:
        return f"{self.title} ({self.language})"
