"""Immutable inputs and outputs of the policy engine: facts in, a decision out. No ORM here.

`facts.py` builds the inputs from database rows; `engine.evaluate` turns them into a
`Decision`; returns/ stores the decision (and its trace) on the case it judged.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal
from enum import StrEnum
from functools import partial
from typing import Any, NamedTuple

ZERO = Decimal("0.00")


@dataclass(frozen=True, slots=True)
class LineFacts:
    """An order line as sold, with the product's return attributes and its history."""

    line_id: int
    line_no: int
    sku: str
    name: str
    category: str
    unit_price: Decimal
    quantity: int
    discount: Decimal = ZERO  # line-level discount, total for the line
    returnable: bool = True
    must_be_unopened: bool = False
    is_hygiene: bool = False
    is_custom_made: bool = False
    is_perishable: bool = False
    is_digital: bool = False
    return_window_days: int | None = None  # the SKU's own window, beats the category's
    refunded_amount: Decimal = ZERO  # already refunded on earlier cases
    returned_quantity: int = 0  # already returned/claimed on earlier cases


@dataclass(frozen=True, slots=True)
class OrderFacts:
    order_id: int
    external_id: str
    currency: str
    channel: str
    placed_at: datetime
    delivered_at: datetime | None
    timezone: str  # the merchant's: windows count calendar days where the merchant is
    subtotal: Decimal
    discount_total: Decimal  # order-level discounts and coupons
    shipping_fee: Decimal
    total: Decimal
    paid_total: Decimal  # what the payments say was actually paid; the hard cap
    refunded_total: Decimal = ZERO  # everything refunded on earlier cases, shipping included
    shipping_refunded: Decimal = ZERO  # original shipping already refunded (only once)
    return_shipping_insurance: bool = False  # 运费险 bought with the order
    lines: tuple[LineFacts, ...] = ()
    # Derived from the order alone (what each line was paid, in cents), worked out on first
    # use by refund_math and kept: the facts never change, so neither does this.
    memo: dict[str, Any] = field(
        default_factory=dict, init=False, repr=False, compare=False, hash=False
    )

    def line(self, line_id: int) -> LineFacts | None:
        for line in self.lines:
            if line.line_id == line_id:
                return line
        return None


@dataclass(frozen=True, slots=True)
class CustomerFacts:
    tier: str = "normal"
    risk_tags: frozenset[str] = frozenset()
    # Share of this customer's past orders with a return, 0..1. The returns app supplies it;
    # until cases exist it is 0 (see facts.build_facts, past_return_rate).
    past_return_rate: float = 0.0
    language: str = "zh-Hans"


@dataclass(frozen=True, slots=True)
class RequestLine:
    line_id: int
    quantity: int
    stated_condition: str = "unopened"
    tags_on: bool | None = None  # None = the customer did not say
    accessories_complete: bool | None = None


@dataclass(frozen=True, slots=True)
class RequestFacts:
    type: str
    reason: str
    lines: tuple[RequestLine, ...]
    requested_at: datetime


@dataclass(frozen=True, slots=True)
class Facts:
    order: OrderFacts
    customer: CustomerFacts
    request: RequestFacts


class Outcome(StrEnum):
    ELIGIBLE = "eligible"
    NOT_ELIGIBLE = "not_eligible"
    NEEDS_REVIEW = "needs_review"


class Step(NamedTuple):
    """One step of the trace. A NamedTuple, not a dataclass: a decision makes dozens of them
    and tuples are the cheapest immutable record Python has.

    code: what kind of check (window, exclusion, requirement, type, rule_condition,
    rule_matched, rule_skipped, action, outcome); rule: the rule's name when a rule took part;
    field/op/expected/actual: the values compared; passed: whether the check held.
    """

    code: str
    rule: str | None
    field: str
    op: str
    expected: Any
    actual: Any
    passed: bool

    def as_dict(self) -> dict[str, Any]:
        return {
            "code": self.code,
            "rule": self.rule,
            "field": self.field,
            "op": self.op,
            "expected": _jsonable(self.expected),
            "actual": _jsonable(self.actual),
            "passed": self.passed,
        }


# Step(...) goes through a Python-level __new__; this builds the same tuple from C, which
# the rule loops (dozens of steps per evaluation) notice.
new_step: Callable[[tuple[Any, ...]], Step] = partial(tuple.__new__, Step)  # type: ignore[arg-type]


def _jsonable(value: Any) -> Any:
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, frozenset | set | tuple):
        return sorted(str(item) for item in value)
    if isinstance(value, datetime):
        return value.isoformat()
    return value


def _money(cents: int) -> Decimal:
    return Decimal(cents).scaleb(-2)


class RefundBreakdown(NamedTuple):
    """Money for one requested line: refund = item_value - restocking_fee, then capped.

    Kept in whole cents (exact, and cheap to build on the hot path); the Decimal properties
    are what callers read.
    """

    unit_price: Decimal
    quantity: int
    gross_cents: int  # unit price × quantity
    line_discount_cents: int
    order_discount_cents: int
    item_value_cents: int  # what these units were paid, after every discount
    restocking_fee_cents: int
    already_refunded: Decimal  # refunded on this line by earlier cases
    capped_cents: int  # how much the caps (line paid, order paid) took off
    refund_cents: int

    @property
    def gross(self) -> Decimal:
        return _money(self.gross_cents)

    @property
    def line_discount_share(self) -> Decimal:
        return _money(self.line_discount_cents)

    @property
    def order_discount_share(self) -> Decimal:
        return _money(self.order_discount_cents)

    @property
    def item_value(self) -> Decimal:
        return _money(self.item_value_cents)

    @property
    def restocking_fee(self) -> Decimal:
        return _money(self.restocking_fee_cents)

    @property
    def capped_by(self) -> Decimal:
        return _money(self.capped_cents)

    @property
    def refund(self) -> Decimal:
        return _money(self.refund_cents)

    def as_dict(self) -> dict[str, Decimal | int]:
        return {name: getattr(self, name) for name in REFUND_FIELDS}


REFUND_FIELDS = (
    "unit_price",
    "quantity",
    "gross",
    "line_discount_share",
    "order_discount_share",
    "item_value",
    "restocking_fee",
    "already_refunded",
    "capped_by",
    "refund",
)


class LineDecision(NamedTuple):
    """The decision for one requested line (a NamedTuple: immutable and cheap to build)."""

    line_id: int
    quantity: int
    outcome: Outcome
    auto_approve: bool
    side: str  # whose fault the reason is: merchant | customer
    shipping_payer: str  # merchant | customer | insurance (运费险) | none (nothing goes back)
    refund_without_return: bool
    bonus_credit: Decimal
    window_days: int | None
    days_since_start: int
    decided_by: tuple[str, ...]  # rule names that set the outcome or auto-approval
    refund: RefundBreakdown
    trace: tuple[Step, ...]


class Decision(NamedTuple):
    """The decision for a whole request: its lines, the money and the request-level trace."""

    policy_version_id: int | None
    request_type: str
    reason: str
    side: str
    refund_point: str
    review_business_days: int
    lines: tuple[LineDecision, ...]
    shipping_refund: Decimal
    refund_total: Decimal  # lines + shipping, never more than paid minus refunded
    bonus_credit_total: Decimal
    currency: str
    delivered: bool
    hours_since_start: float
    trace: tuple[Step, ...] = ()  # request-level steps (shipping, caps)
    refund_method: str = "original_payment"

    @property
    def outcome(self) -> Outcome:
        """The case's outcome: the worst of its lines (one bad line needs a human)."""
        outcomes = {line.outcome for line in self.lines}
        if Outcome.NOT_ELIGIBLE in outcomes and len(outcomes) == 1:
            return Outcome.NOT_ELIGIBLE
        if outcomes == {Outcome.ELIGIBLE}:
            return Outcome.ELIGIBLE
        return Outcome.NEEDS_REVIEW

    @property
    def auto_approve(self) -> bool:
        return bool(self.lines) and all(line.auto_approve for line in self.lines)
