"""What the assistant stores: agents' label corrections (training data) and FAQ entries."""

from __future__ import annotations

from django.db import models

from aftercare.assistant.labels import Intent, Reason
from aftercare.merchants.models import MerchantScoped


class AssistantCorrection(MerchantScoped):
    """An agent's fix of a message's labels; `aftercare assistant train` learns from it."""

    text = models.TextField()
    language = models.CharField(max_length=16, blank=True)
    intent = models.CharField(max_length=32, choices=Intent.choices)
    reason = models.CharField(max_length=32, choices=Reason.choices, default=Reason.OTHER)
    created_by = models.CharField(max_length=128, help_text="The actor's label.")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        indexes = [models.Index(fields=["merchant", "created_at"])]

    def __str__(self) -> str:
        return f"{self.intent}/{self.reason}: {self.text[:40]}"


class FaqEntry(MerchantScoped):
    """One question the bot may answer, in several wordings and languages.

    `questions` is {language: [wording, ...]}, `answers` is {language: text}; answers may hold
    {placeholders} filled from the merchant's active return policy (faq.POLICY_FIELDS), listed
    in `policy_fields` so an editor sees which answers a policy change rewrites.
    """

    key = models.SlugField(max_length=64, help_text="Stable name; default entries use it.")
    questions = models.JSONField(default=dict)
    answers = models.JSONField(default=dict)
    tags = models.JSONField(default=list, blank=True)
    policy_fields = models.JSONField(default=list, blank=True)
    is_active = models.BooleanField(default=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = "FAQ entry"
        verbose_name_plural = "FAQ entries"
        ordering = ["key"]
        constraints = [
            models.UniqueConstraint(fields=["merchant", "key"], name="faq_key_per_merchant")
        ]

    def __str__(self) -> str:
        return self.key


class BotState(models.TextChoices):
    """Where a bot conversation stands (what the bot is waiting for)."""

    OPEN = "open"  # nothing asked; the next message is read for its intent
    AWAITING_ORDER = "awaiting_order"  # asked for the order number (and phone)
    AWAITING_PHONE = "awaiting_phone"  # has an order number, asked for the phone on it
    HANDED_OVER = "handed_over"  # a person owns the conversation; the bot stays quiet


class BotSession(MerchantScoped):
    """One conversation with the bot, on whatever channel (web chat, SMS, IVR).

    Keyed by an opaque `conversation_key` the channel chooses (a chat id, a phone number
    plus a day, a call id). Written only by `assistant.bot.reply_to`, which locks the row, so
    two messages of one conversation are answered one after the other.
    """

    conversation_key = models.CharField(max_length=128)
    state = models.CharField(max_length=20, choices=BotState.choices, default=BotState.OPEN)
    language = models.CharField(max_length=16, blank=True)
    # Who the customer proved to be (logged in, or order number + phone), and the order.
    customer = models.ForeignKey(
        "commerce.Customer", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    order = models.ForeignKey(
        "commerce.Order", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    pending_order_number = models.CharField(max_length=64, blank=True)
    # What the customer wanted when the bot had to ask who they are first.
    pending_intent = models.CharField(max_length=32, blank=True)
    pending_reason = models.CharField(max_length=32, blank=True)
    failed_identifications = models.PositiveSmallIntegerField(default=0)
    low_confidence_turns = models.PositiveSmallIntegerField(default=0)
    handover_reason = models.CharField(max_length=48, blank=True)
    handed_over_at = models.DateTimeField(null=True, blank=True)
    # [{"role": "customer"|"bot", "text": ..., "at": iso}], the last TRANSCRIPT_LIMIT turns.
    transcript = models.JSONField(default=list, blank=True)
    # The last analysis of a customer message (intent, reason, sentiment, flags...).
    last_analysis = models.JSONField(default=dict, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["merchant", "conversation_key"], name="bot_session_key_per_merchant"
            )
        ]

    def __str__(self) -> str:
        return f"{self.conversation_key} ({self.state})"
