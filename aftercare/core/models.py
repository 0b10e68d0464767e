"""Core models: the audit/timeline log. Outbox and inbox live in core/outbox.py's models."""

from __future__ import annotations

from django.conf import settings
from django.db import models

from aftercare.core.outbox_models import InboxEvent, OutboxAttempt, OutboxMessage

__all__ = ["AuditEvent", "InboxEvent", "OutboxAttempt", "OutboxMessage"]


class AuditEvent(models.Model):
    """Who did what to which object, when and why. Append-only.

    The timeline of an aggregate (an order, a case, a ticket) is its audit events in order;
    one table serves both so that nothing shown on a timeline escapes the audit log.
    """

    merchant = models.ForeignKey(
        "merchants.Merchant", on_delete=models.CASCADE, related_name="audit_events"
    )
    subject_type = models.CharField(max_length=64)
    subject_id = models.BigIntegerField()
    kind = models.CharField(max_length=64)
    actor_user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL
    )
    actor_label = models.CharField(max_length=128)
    reason = models.TextField(blank=True)
    data = models.JSONField(default=dict, blank=True)
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)

    class Meta:
        indexes = [models.Index(fields=["merchant", "subject_type", "subject_id", "created_at"])]
        ordering = ["created_at", "id"]

    def __str__(self) -> str:
        return f"{self.subject_type}#{self.subject_id} {self.kind} by {self.actor_label}"
