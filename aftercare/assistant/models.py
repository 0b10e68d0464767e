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
