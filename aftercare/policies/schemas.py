"""API shapes: separate In and Out schemas. The spec itself is validated by spec.PolicySpec."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import Any

from ninja import Field, Schema
from pydantic import model_validator

from aftercare.policies.spec import PolicySpec, Reason, RequestType, StatedCondition


class PolicyIn(Schema):
    name: str = Field(min_length=1, max_length=200)
    spec: PolicySpec
    activate: bool = True
    note: str = Field(default="", max_length=300)


class VersionIn(Schema):
    spec: PolicySpec
    note: str = Field(default="", max_length=300)


class VersionOut(Schema):
    id: int
    number: int
    note: str
    created_by: str
    created_at: datetime
    spec: dict[str, Any]


class PolicyOut(Schema):
    id: int
    name: str
    is_active: bool
    current_version: int | None = None
    created_at: datetime
    updated_at: datetime


class PolicyDetailOut(PolicyOut):
    versions: list[VersionOut]

    @staticmethod
    def resolve_versions(obj: Any) -> list[Any]:
        return list(obj.versions.all())


class EvaluateLineIn(Schema):
    order_line_id: int
    quantity: int = Field(ge=1, le=100000)
    stated_condition: StatedCondition = StatedCondition.UNOPENED
    tags_on: bool | None = None
    accessories_complete: bool | None = None


class EvaluateIn(Schema):
    """The same input a case creation takes: an order, lines with quantities, type, reason."""

    order_id: int | None = None
    order_external_id: str | None = Field(default=None, max_length=64)
    lines: list[EvaluateLineIn] = Field(min_length=1, max_length=200)
    type: RequestType
    reason: Reason
    requested_at: datetime | None = None
    # Replay against another version of the merchant's policy ("what would change if...").
    policy_version_id: int | None = None

    @model_validator(mode="after")
    def _one_order(self) -> EvaluateIn:
        if (self.order_id is None) == (self.order_external_id is None):
            raise ValueError("give exactly one of order_id and order_external_id")
        return self


class TraceStepOut(Schema):
    code: str
    rule: str | None
    field: str
    op: str
    expected: Any
    actual: Any
    passed: bool


class RefundOut(Schema):
    unit_price: Decimal
    quantity: int
    gross: Decimal
    line_discount_share: Decimal
    order_discount_share: Decimal
    item_value: Decimal
    restocking_fee: Decimal
    already_refunded: Decimal
    capped_by: Decimal
    refund: Decimal


class LineDecisionOut(Schema):
    order_line_id: int
    quantity: int
    outcome: str
    auto_approve: bool
    side: str
    shipping_payer: str
    refund_without_return: bool
    bonus_credit: Decimal
    window_days: int | None
    days_since_start: int
    decided_by: list[str]
    refund: RefundOut
    explanation: str
    trace: list[TraceStepOut]


class DecisionOut(Schema):
    policy_id: int
    policy_version_id: int
    policy_version: int
    outcome: str
    auto_approve: bool
    request_type: str
    reason: str
    side: str
    refund_point: str
    refund_method: str
    review_business_days: int
    currency: str
    delivered: bool
    shipping_refund: Decimal
    refund_total: Decimal
    bonus_credit_total: Decimal
    language: str
    explanation: list[str]
    lines: list[LineDecisionOut]
    trace: list[TraceStepOut]
