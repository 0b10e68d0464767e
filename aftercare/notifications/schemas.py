"""Request and response bodies of the notifications API (separate In and Out schemas)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from ninja import Schema
from pydantic import Field


class NotificationOut(Schema):
    id: int
    event: str
    channel: str
    language: str
    status: str
    recipient: str
    subject: str
    body: str
    customer_id: int | None
    case_id: int | None
    provider: str
    provider_ref: str
    reason: str
    due_at: datetime
    created_at: datetime
    sent_at: datetime | None
    delivered_at: datetime | None


class NotificationFilters(Schema):
    status: str | None = None
    channel: str | None = None
    customer_id: int | None = None
    case_id: int | None = None
    limit: int = 50
    offset: int = 0


class PreferenceIn(Schema):
    preferred_channel: str = ""
    opted_out: list[str] = Field(default_factory=list)
    timezone: str = ""


class PreferenceOut(Schema):
    customer_id: int
    preferred_channel: str
    opted_out: list[str]
    timezone: str


class TemplateIn(Schema):
    event: str
    channel: str
    language: str
    subject: str = ""
    body: str = Field(max_length=5000)
    html_body: str = Field(default="", max_length=50000)


class TemplateOut(Schema):
    event: str
    channel: str
    language: str
    subject: str
    body: str
    html_body: str
    customised: bool


class PreviewIn(Schema):
    case_id: int
    channel: str
    subject: str = ""
    body: str = Field(max_length=5000)
    html_body: str = Field(default="", max_length=50000)


class PreviewOut(Schema):
    subject: str
    body: str
    html_body: str
    variables: dict[str, str]


class SubscriptionIn(Schema):
    url: str = Field(max_length=200)
    event_types: list[str] = Field(default_factory=list)


class SubscriptionOut(Schema):
    id: int
    url: str
    event_types: list[str]
    active: bool
    consecutive_failures: int
    disabled_reason: str
    created_at: datetime


class SubscriptionCreatedOut(SubscriptionOut):
    secret: str


class AttemptOut(Schema):
    at: datetime
    status_code: int | None
    outcome: str
    detail: str
    duration_ms: int


class DeliveryOut(Schema):
    id: int
    event_type: str
    event_id: str
    status: str
    created_at: datetime
    finished_at: datetime | None
    attempts: list[AttemptOut]


class SurveyOut(Schema):
    id: int
    case_id: int
    customer_id: int
    channel: str
    agent_label: str
    due_at: datetime
    score: int | None
    improvements: list[str]
    answered_via: str
    answered_at: datetime | None


def delivery_out(delivery: Any) -> dict[str, Any]:
    return {
        "id": delivery.pk,
        "event_type": delivery.event_type,
        "event_id": delivery.event_id,
        "status": delivery.status,
        "created_at": delivery.created_at,
        "finished_at": delivery.finished_at,
        "attempts": list(delivery.attempts.all()),
    }
