"""Request and response bodies of the refunds API (separate In and Out schemas)."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal

from ninja import Field, Schema

from aftercare.refunds.models import GrantKind, GrantStatus


class GrantLineIn(Schema):
    order_line_id: int
    amount: Decimal = Field(ge=0, max_digits=12, decimal_places=2)
    quantity: int = Field(default=0, ge=0, le=100000)


class GrantIn(Schema):
    order_id: int
    case_id: int | None = None
    kind: GrantKind
    amount: Decimal = Field(ge=0, max_digits=12, decimal_places=2)
    shipping_amount: Decimal = Field(default=Decimal("0.00"), ge=0, max_digits=12, decimal_places=2)
    lines: list[GrantLineIn] = Field(default_factory=list, max_length=200)
    reason: str = Field(default="", max_length=2000)
    coupon_code: str = Field(default="", max_length=64)
    part_description: str = Field(default="", max_length=200)


class ReasonIn(Schema):
    reason: str = Field(min_length=1, max_length=2000)


class MarkPaidIn(Schema):
    reference: str = Field(min_length=1, max_length=128)


class GrantFilters(Schema):
    status: GrantStatus | None = None
    case_id: int | None = None
    order_id: int | None = None
    limit: int = 50
    offset: int = 0


class QueueFilters(Schema):
    queue: str = Field(default="supervisor", pattern="^(supervisor|finance|failed|manual)$")
    limit: int = 50
    offset: int = 0


class LedgerFilters(Schema):
    order_id: int | None = None
    case_id: int | None = None
    grant_id: int | None = None
    limit: int = 100
    offset: int = 0


class EventFilters(Schema):
    after_id: int = Field(default=0, ge=0)
    limit: int = Field(default=100, ge=1, le=500)


class GrantLineOut(Schema):
    order_line_id: int
    quantity: int
    amount: Decimal


class ExecutionOut(Schema):
    id: int
    gateway: str
    idempotency_key: str
    status: str
    reference: str
    last_error: str
    retries: int
    created_at: datetime


class GrantOut(Schema):
    id: int
    order_id: int
    case_id: int | None
    kind: str
    source: str
    status: str
    amount: Decimal
    shipping_amount: Decimal
    fees: Decimal
    currency: str
    reason: str
    requested_by: str
    approved_by: str
    finance_approved_by: str
    coupon_code: str
    coupon_expires_at: datetime | None
    part_description: str
    breakdown: dict
    created_at: datetime


class GrantDetailOut(GrantOut):
    lines: list[GrantLineOut]
    execution: ExecutionOut | None
    refunded: Decimal


class LedgerOut(Schema):
    id: int
    grant_id: int
    order_id: int
    case_id: int | None
    kind: str
    amount: Decimal
    currency: str
    reference: str
    detail: str
    actor_label: str
    created_at: datetime


class EventOut(Schema):
    id: int
    grant_id: int
    case_id: int | None
    kind: str
    data: dict
    actor_label: str
    created_at: datetime


class OfferAcceptanceOut(Schema):
    offer_id: int
    kind: str
    category: str
    shown: int
    accepted: int
    rate: float


class AcceptanceOut(Schema):
    shown: int
    accepted: int
    rate: float
    offers: list[OfferAcceptanceOut]
