"""Writing audit/timeline rows. Call inside the transaction that made the change."""

from __future__ import annotations

from typing import Any

from django.db import models

from aftercare.core.actors import Actor
from aftercare.core.models import AuditEvent


def subject_label(obj: models.Model) -> str:
    return f"{obj._meta.app_label}.{obj._meta.model_name}"


def record_event(
    *,
    actor: Actor,
    subject: models.Model,
    kind: str,
    reason: str = "",
    data: dict[str, Any] | None = None,
) -> AuditEvent:
    return AuditEvent.objects.create(
        merchant_id=actor.merchant_id,
        subject_type=subject_label(subject),
        subject_id=subject.pk,
        kind=kind,
        actor_user_id=actor.user_id,
        actor_label=actor.label,
        reason=reason,
        data=data or {},
    )


def timeline_of(subject: models.Model, *, merchant_id: int) -> models.QuerySet[AuditEvent]:
    return AuditEvent.objects.filter(
        merchant_id=merchant_id, subject_type=subject_label(subject), subject_id=subject.pk
    ).order_by("created_at", "id")
