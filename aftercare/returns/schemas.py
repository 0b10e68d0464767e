"""API shapes of cases: separate In and Out schemas."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import Any

from ninja import Field, Schema

from aftercare.policies.schemas import EvaluateIn, EvaluateLineIn
from aftercare.returns.models import AttachmentKind, ItemCondition, NegotiationKind


class CaseLineIn(EvaluateLineIn):
    replacement_product_id: int | None = Field(
        default=None, description="Exchanges: the product the customer wants instead."
    )


class CaseIn(EvaluateIn):
    """The body of POST /policies/evaluate (the dry run) plus a description. A case is always
    judged by the active policy version; `policy_version_id`, if sent, must name it."""

    lines: list[CaseLineIn] = Field(min_length=1, max_length=200)  # type: ignore[assignment]
    description: str = Field(default="", max_length=5000)


class ReasonIn(Schema):
    reason: str = Field(min_length=1, max_length=2000)


class OptionalReasonIn(Schema):
    reason: str = Field(default="", max_length=2000)


class RequestInfoIn(Schema):
    message: str = Field(min_length=1, max_length=2000)


class ShipIn(Schema):
    tracking_number: str = Field(min_length=1, max_length=64)
    carrier: str = Field(min_length=1, max_length=32)


class InspectLineIn(Schema):
    case_line_id: int
    received_quantity: int = Field(ge=0, le=100000)
    damaged_quantity: int = Field(default=0, ge=0, le=100000)
    condition: ItemCondition = ItemCondition.UNOPENED
    passed: bool
    reason: str = Field(default="", max_length=2000)
    photo_ids: list[int] = Field(default_factory=list, max_length=20)


class InspectIn(Schema):
    lines: list[InspectLineIn] = Field(min_length=1, max_length=200)


class ResolveIn(Schema):
    kind: NegotiationKind
    amount: Decimal = Field(default=Decimal("0.00"), ge=0, max_digits=12, decimal_places=2)
    coupon_code: str = Field(default="", max_length=64)
    part_description: str = Field(default="", max_length=200)
    note: str = Field(default="", max_length=2000)


class DecideAppealIn(Schema):
    overturn: bool
    reason: str = Field(min_length=1, max_length=2000)


class ExchangeItemIn(Schema):
    case_line_id: int
    product_id: int
    quantity: int = Field(ge=1, le=100000)


class ExchangeIn(Schema):
    items: list[ExchangeItemIn] = Field(min_length=1, max_length=200)


class CompleteExchangeIn(Schema):
    external_order_id: str = Field(default="", max_length=64)


class MarkRefundedIn(Schema):
    reference: str = Field(default="", max_length=128)


class CaseSummaryOut(Schema):
    id: int
    number: str | None
    status: str
    type: str
    reason: str
    order_id: int
    order_external_id: str
    customer_id: int
    customer_name: str
    auto_approved: bool
    refund_total: Decimal
    currency: str
    review_due_at: datetime | None
    customer_ship_due_at: datetime | None
    inspection_due_at: datetime | None
    refund_due_at: datetime | None
    created_at: datetime
    updated_at: datetime

    # The list passes Case rows (order and customer joined); the detail passes a dict.
    @staticmethod
    def resolve_order_external_id(obj: Any) -> str:
        return str(obj["order_external_id"] if isinstance(obj, dict) else obj.order.external_id)

    @staticmethod
    def resolve_customer_name(obj: Any) -> str:
        return str(obj["customer_name"] if isinstance(obj, dict) else obj.customer.name)


class CaseLineOut(Schema):
    id: int
    order_line_id: int
    sku: str
    name: str
    quantity: int
    stated_condition: str
    eligibility: str
    refund_amount: Decimal
    outcome: str
    replacement_product_id: int | None
    received_quantity: int | None
    damaged_quantity: int | None
    inspected_condition: str
    inspection_passed: bool | None
    inspection_reason: str


class AttachmentOut(Schema):
    id: int
    kind: AttachmentKind
    case_line_id: int | None
    for_inspection: bool
    original_name: str
    size: int
    content_type: str
    uploaded_by: str
    created_at: datetime


class TimelineOut(Schema):
    kind: str
    actor: str
    reason: str
    data: dict[str, Any]
    at: datetime


class StageClockOut(Schema):
    stage: str
    started_at: datetime | None
    due_at: datetime | None
    remaining_seconds: int | None
    overdue: bool


class InstructionsOut(Schema):
    rma_number: str | None
    method: str
    address: str
    contact: str
    shipping_payer: str
    carrier: str
    tracking_number: str


class CaseDetailOut(CaseSummaryOut):
    description: str
    policy_version_id: int
    policy_version: int
    refund_point: str
    refund_without_return: bool
    shipping_payer: str
    shipping_refund: Decimal
    appealed_from: str
    info_requested_at: datetime | None
    refund_point_reached_at: datetime | None
    instructions: InstructionsOut | None
    stage_clock: StageClockOut | None
    explanation: list[str]
    decision: dict[str, Any]
    lines: list[CaseLineOut]
    attachments: list[AttachmentOut]
    timeline: list[TimelineOut]
