"""Outbox and inbox tables (architecture rule 6). Logic lives in core/outbox.py."""

from __future__ import annotations

from typing import Any

from django.db import models


class OutboxStatus(models.TextChoices):
    PENDING = "pending", "Pending"
    CLAIMED = "claimed", "Claimed by a worker"
    SUCCEEDED = "succeeded", "Succeeded"
    DEAD = "dead", "Failed permanently"


class OutboxMessage(models.Model):
    """Something that must happen outside the database, written with the change that caused it.

    `dedupe_key` is unique: a retried business transaction that writes the same message again
    (same case, same step, same channel) is a no-op instead of a second SMS or refund.
    """

    merchant = models.ForeignKey(
        "merchants.Merchant", on_delete=models.CASCADE, related_name="outbox_messages"
    )
    topic = models.CharField(max_length=64, db_index=True)
    dedupe_key = models.CharField(max_length=200, unique=True)
    payload = models.JSONField(default=dict)
    status = models.CharField(
        max_length=16, choices=OutboxStatus.choices, default=OutboxStatus.PENDING
    )
    attempts = models.PositiveIntegerField(default=0)
    max_attempts = models.PositiveIntegerField(default=8)
    next_attempt_at = models.DateTimeField()
    claimed_by = models.CharField(max_length=64, blank=True)
    claimed_at = models.DateTimeField(null=True, blank=True)
    last_error = models.TextField(blank=True)
    result = models.JSONField(default=dict, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    # Not a column: what the topic's `prepare` hook loaded for this message's handler
    # (core/outbox.py), so a batch reads its rows in a few queries instead of one each.
    prepared: Any = None

    class Meta:
        indexes = [models.Index(fields=["status", "next_attempt_at"])]

    def __str__(self) -> str:
        return f"{self.topic} {self.dedupe_key} ({self.status})"


class AttemptOutcome(models.TextChoices):
    SUCCEEDED = "succeeded", "Succeeded"
    RETRY = "retry", "Failed, will retry"
    PERMANENT = "permanent", "Failed permanently"


class OutboxAttempt(models.Model):
    message = models.ForeignKey(
        OutboxMessage, on_delete=models.CASCADE, related_name="attempts_log"
    )
    number = models.PositiveIntegerField()
    worker = models.CharField(max_length=64)
    started_at = models.DateTimeField()
    finished_at = models.DateTimeField(null=True, blank=True)
    outcome = models.CharField(max_length=16, choices=AttemptOutcome.choices, blank=True)
    detail = models.TextField(blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["message", "number"], name="outbox_attempt_number")
        ]
        ordering = ["message", "number"]

    def __str__(self) -> str:
        return f"attempt {self.number} of {self.message_id}: {self.outcome or 'running'}"


class InboxStatus(models.TextChoices):
    RECEIVED = "received", "Received"
    PROCESSED = "processed", "Processed"
    FAILED = "failed", "Failed"


class InboxEvent(models.Model):
    """An incoming webhook, stored before it is processed; unique on the provider's event id
    so a provider's redelivery is recognised and not processed twice."""

    merchant = models.ForeignKey(
        "merchants.Merchant", null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    provider = models.CharField(max_length=64)
    event_id = models.CharField(max_length=200)
    payload = models.JSONField(default=dict)
    status = models.CharField(
        max_length=16, choices=InboxStatus.choices, default=InboxStatus.RECEIVED
    )
    received_at = models.DateTimeField(auto_now_add=True)
    processed_at = models.DateTimeField(null=True, blank=True)
    error = models.TextField(blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["provider", "event_id"], name="inbox_event_unique")
        ]

    def __str__(self) -> str:
        return f"{self.provider}:{self.event_id} ({self.status})"
