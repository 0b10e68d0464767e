"""The policy spec: what a merchant writes, validated by pydantic before it is ever stored.

A spec is plain JSON in `PolicyVersion.spec`. This module is pure (no ORM) so the engine, the
API schemas, the admin form and the presets all validate through the same classes. Field and
operator names here are the public vocabulary of rules; see docs/adr/0010 for the semantics.
"""

from __future__ import annotations

from decimal import Decimal
from enum import StrEnum
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator


class RequestType(StrEnum):
    RETURN_REFUND = "return_refund"
    EXCHANGE = "exchange"
    REFUND_ONLY = "refund_only"
    REPAIR = "repair"
    CLAIM = "claim"  # missing/wrong/defective item, settled without sending anything back


class Reason(StrEnum):
    SIZE = "size"
    COLOUR_STYLE = "colour_style"
    QUALITY_DEFECT = "quality_defect"
    DAMAGED_IN_TRANSIT = "damaged_in_transit"
    WRONG_ITEM = "wrong_item"
    MISSING_PARTS = "missing_parts"
    NOT_AS_DESCRIBED = "not_as_described"
    CHANGED_MIND = "changed_mind"
    LATE_DELIVERY = "late_delivery"
    OTHER = "other"


class Side(StrEnum):
    """Whose fault the reason is: it decides who pays shipping and which fees apply."""

    MERCHANT = "merchant"
    CUSTOMER = "customer"


class StatedCondition(StrEnum):
    UNOPENED = "unopened"
    OPENED = "opened"  # opened, not used
    USED = "used"
    DAMAGED = "damaged"
    MISSING = "missing"  # never arrived / part missing (claims)


class RefundPoint(StrEnum):
    ON_APPROVAL = "on_approval"
    ON_RECEIPT = "on_receipt"
    ON_INSPECTION_PASSED = "on_inspection_passed"


class RefundMethod(StrEnum):
    """Where the money goes back to (F1 executes it)."""

    ORIGINAL_PAYMENT = "original_payment"
    STORE_CREDIT = "store_credit"
    CUSTOMER_CHOICE = "customer_choice"  # original payment unless the customer asks for credit


class ShippingRefund(StrEnum):
    ALWAYS = "always"
    NEVER = "never"
    FULL_RETURN = "full_return"  # only when every unit of the order has come back


# Reasons whose side is fixed by law and common sense; late_delivery and other are configurable.
MERCHANT_FAULT_REASONS = frozenset(
    {
        Reason.QUALITY_DEFECT,
        Reason.DAMAGED_IN_TRANSIT,
        Reason.WRONG_ITEM,
        Reason.MISSING_PARTS,
        Reason.NOT_AS_DESCRIBED,
    }
)
CUSTOMER_REASONS = frozenset({Reason.SIZE, Reason.COLOUR_STYLE, Reason.CHANGED_MIND})
CONFIGURABLE_REASONS = frozenset({Reason.LATE_DELIVERY, Reason.OTHER})

Days = Annotated[int, Field(ge=0, le=3650)]
Money = Annotated[Decimal, Field(ge=0, max_digits=12, decimal_places=2)]
Percent = Annotated[Decimal, Field(ge=0, le=100, max_digits=5, decimal_places=2)]


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Windows(Strict):
    """Days counted from delivery (from the order date when undelivered). None = no limit."""

    return_days: Days | None = 7
    exchange_days: Days | None = 15
    warranty_days: Days | None = 365


class CategoryWindows(Windows):
    category: str = Field(min_length=1, max_length=64)
    return_days: Days | None = None
    exchange_days: Days | None = None
    warranty_days: Days | None = None


class Exclusions(Strict):
    """Classes that cannot be returned for a customer-side reason."""

    hygiene_opened: bool = True
    custom_made: bool = True
    perishable: bool = True
    digital: bool = True
    non_returnable_skus: bool = True  # Product.returnable = False
    # Defective goods must be taken back whatever the class, so by default only
    # customer-side ("no reason") requests are excluded.
    apply_to_merchant_fault: bool = False


class ConditionRequirements(Strict):
    """What a customer-side return must be like; merchant-fault returns are exempt."""

    unopened_categories: list[str] = Field(default_factory=list)
    tags_on: bool = False
    accessories_complete: bool = False


class ReasonSides(Strict):
    """The side of the two reasons that can go either way."""

    late_delivery: Side = Side.MERCHANT
    other: Side = Side.CUSTOMER


class Fee(Strict):
    percent: Percent = Decimal("0")
    fixed: Money = Decimal("0")  # per returned line


class RestockingFees(Strict):
    merchant: Fee = Fee()
    customer: Fee = Fee()


class ShippingPolicy(Strict):
    # Who pays to send the item back, by side; per-reason entries override the side.
    return_payer: dict[Side, Side] = Field(
        default_factory=lambda: {Side.MERCHANT: Side.MERCHANT, Side.CUSTOMER: Side.CUSTOMER}
    )
    return_payer_by_reason: dict[Reason, Side] = Field(default_factory=dict)
    # Whether the original outbound shipping is refunded, by side.
    refund_original: dict[Side, ShippingRefund] = Field(
        default_factory=lambda: {
            Side.MERCHANT: ShippingRefund.ALWAYS,
            Side.CUSTOMER: ShippingRefund.NEVER,
        }
    )
    # 运费险: when the order carries return-shipping insurance, the insurer pays what the
    # customer would otherwise pay to send the item back. Off for merchants who do not honour
    # the marketplace's insurance claims.
    insurance_covers_return: bool = True


FieldName = Literal[
    "customer.tier",
    "customer.risk_tags",
    "customer.return_rate",
    "order.value",
    "order.channel",
    "order.hours_since_delivery",
    "order.days_since_delivery",
    "product.category",
    "product.flags",
    "product.price",
    "product.sku",
    "request.type",
    "request.reason",
    "request.reason_side",
    "request.condition",
]
Op = Literal["in", "not_in", "gte", "lte", "has_any", "has_none", "present", "absent"]

PRODUCT_FLAGS = frozenset(
    {"hygiene", "custom_made", "perishable", "digital", "must_be_unopened", "non_returnable"}
)
_LIST_OPS = frozenset({"in", "not_in"})
_NUMBER_OPS = frozenset({"gte", "lte"})
_SET_OPS = frozenset({"has_any", "has_none", "present", "absent"})
FIELD_OPS: dict[str, frozenset[str]] = {
    "customer.tier": _LIST_OPS,
    "customer.risk_tags": _SET_OPS,
    "customer.return_rate": _NUMBER_OPS,
    "order.value": _NUMBER_OPS,
    "order.channel": _LIST_OPS,
    "order.hours_since_delivery": _NUMBER_OPS,
    "order.days_since_delivery": _NUMBER_OPS,
    "product.category": _LIST_OPS,
    "product.flags": _SET_OPS - {"present", "absent"},
    "product.price": _NUMBER_OPS,
    "product.sku": _LIST_OPS,
    "request.type": _LIST_OPS,
    "request.reason": _LIST_OPS,
    "request.reason_side": _LIST_OPS,
    "request.condition": _LIST_OPS,
}
# Closed vocabularies are checked so a typo ("colour" for "colour_style") fails on save.
_VOCABULARY: dict[str, frozenset[str]] = {
    "request.type": frozenset(RequestType),
    "request.reason": frozenset(Reason),
    "request.reason_side": frozenset(Side),
    "request.condition": frozenset(StatedCondition),
    "product.flags": PRODUCT_FLAGS,
}


class Condition(Strict):
    field: FieldName
    op: Op
    value: Decimal | list[str] | None = None

    @model_validator(mode="after")
    def _check(self) -> Condition:
        if self.op not in FIELD_OPS[self.field]:
            allowed = ", ".join(sorted(FIELD_OPS[self.field]))
            raise ValueError(f"operator {self.op!r} does not apply to {self.field}; use {allowed}")
        if self.op in _NUMBER_OPS and not isinstance(self.value, Decimal):
            raise ValueError(f"{self.field} {self.op} needs a number")
        if self.op in {"in", "not_in", "has_any", "has_none"}:
            if not isinstance(self.value, list) or not self.value:
                raise ValueError(f"{self.field} {self.op} needs a non-empty list")
            unknown = set(self.value) - _VOCABULARY.get(self.field, set(self.value))
            if unknown:
                raise ValueError(f"unknown values for {self.field}: {', '.join(sorted(unknown))}")
        if self.op in {"present", "absent"} and self.value is not None:
            raise ValueError(f"{self.field} {self.op} takes no value")
        return self


ActionKind = Literal[
    "allow",
    "reject",
    "needs_review",
    "auto_approve",
    "window_override_days",
    "fee",
    "refund_without_return",
    "bonus_credit",
]
VERDICT_ACTIONS = frozenset({"allow", "reject", "needs_review"})


class Action(Strict):
    kind: ActionKind
    days: Days | None = None  # window_override_days
    percent: Percent | None = None  # fee
    fixed: Money | None = None  # fee
    amount: Money | None = None  # bonus_credit

    @model_validator(mode="after")
    def _check(self) -> Action:
        needs: dict[str, tuple[str, ...]] = {
            "window_override_days": ("days",),
            "bonus_credit": ("amount",),
        }
        for name in needs.get(self.kind, ()):
            if getattr(self, name) is None:
                raise ValueError(f"{self.kind} needs {name}")
        if self.kind == "fee" and self.percent is None and self.fixed is None:
            raise ValueError("fee needs percent and/or fixed")
        return self


class Rule(Strict):
    name: str = Field(min_length=1, max_length=120)
    priority: int = Field(default=100, ge=0, le=100000)
    conditions: list[Condition] = Field(default_factory=list, max_length=20)
    actions: list[Action] = Field(min_length=1, max_length=10)
    stop: bool = False  # once this rule matches, lower-priority rules are not considered


class PolicySpec(Strict):
    """One version of a merchant's return policy."""

    windows: Windows = Windows()
    category_windows: list[CategoryWindows] = Field(default_factory=list)
    exclusions: Exclusions = Exclusions()
    conditions: ConditionRequirements = ConditionRequirements()
    reason_sides: ReasonSides = ReasonSides()
    shipping: ShippingPolicy = ShippingPolicy()
    restocking_fee: RestockingFees = RestockingFees()
    refund_point: RefundPoint = RefundPoint.ON_INSPECTION_PASSED
    refund_method: RefundMethod = RefundMethod.ORIGINAL_PAYMENT
    review_business_days: int = Field(default=2, ge=1, le=2)
    # "needs_review" sends every request that passes the checks to an agent (blank policy).
    default_outcome: Literal["eligible", "needs_review"] = "eligible"
    rules: list[Rule] = Field(default_factory=list, max_length=200)

    @model_validator(mode="after")
    def _unique_names(self) -> PolicySpec:
        names = [rule.name for rule in self.rules]
        duplicates = sorted({name for name in names if names.count(name) > 1})
        if duplicates:
            raise ValueError(f"rule names must be unique: {', '.join(duplicates)}")
        categories = [item.category for item in self.category_windows]
        if len(set(categories)) != len(categories):
            raise ValueError("each category may have one window override")
        return self


def parse_spec(data: dict[str, Any]) -> PolicySpec:
    return PolicySpec.model_validate(data)


def dump_spec(spec: PolicySpec) -> dict[str, Any]:
    """The JSON stored in a version; Decimals become strings so nothing is lost to floats."""
    return spec.model_dump(mode="json")
