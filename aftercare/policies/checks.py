"""The policy's fixed checks for one requested line: quantity, type, window, exclusions and
condition requirements. Rules (engine.py) may then allow, reject or send to review.

Each check appends machine-readable steps to the trace and answers with a baseline:
eligible, not eligible, or needs review (the customer left out something the policy needs).
"""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from aftercare.policies.domain import LineFacts, OrderFacts, Outcome, RequestLine, Step, new_step
from aftercare.policies.plan import Plan

ELIGIBLE, NOT_ELIGIBLE, NEEDS_REVIEW = Outcome.ELIGIBLE, Outcome.NOT_ELIGIBLE, Outcome.NEEDS_REVIEW
# Which window each request type is judged by.
WINDOW_OF_TYPE = {
    "return_refund": "return_days",
    "refund_only": "return_days",
    "claim": "return_days",
    "exchange": "exchange_days",
    "repair": "warranty_days",
}


class Clock:
    """How long since the window started: delivery, or the order date when undelivered."""

    __slots__ = ("days", "delivered", "hours")

    def __init__(self, order: OrderFacts, requested_at: datetime) -> None:
        start = order.delivered_at or order.placed_at
        self.delivered = order.delivered_at is not None
        zone = ZoneInfo(order.timezone)
        # Calendar days where the merchant is: delivered on the 1st, a 7-day window still
        # accepts a request made any time on the 8th (the usual reading of 七天无理由).
        days = (requested_at.astimezone(zone).date() - start.astimezone(zone).date()).days
        self.days = max(0, days)
        self.hours = max(0.0, (requested_at - start).total_seconds() / 3600)


def quantity_step(line: LineFacts, wanted: RequestLine) -> Step:
    available = line.quantity - line.returned_quantity
    ok = 0 < wanted.quantity <= available
    return new_step(("quantity", None, "request.quantity", "lte", available, wanted.quantity, ok))


# Only these types depend on whose fault the reason is (see type_check).
SIDE_CHECKED_TYPES = frozenset({"claim", "refund_only"})


def type_check(request_type: str, side: str, delivered: bool, steps: list[Step]) -> Outcome:
    """Claims are for the merchant's mistakes; keep-the-item refunds after delivery for a
    customer-side reason are unusual enough that an agent looks at them."""
    if request_type == "claim" and side != "merchant":
        steps.append(Step("type", None, "request.reason_side", "in", "merchant", side, False))
        return NOT_ELIGIBLE
    if request_type == "refund_only" and delivered and side != "merchant":
        steps.append(Step("type", None, "request.reason_side", "in", "merchant", side, False))
        return NEEDS_REVIEW
    return ELIGIBLE


def window_limit(
    plan: Plan, line: LineFacts, request_type: str, override: int | None
) -> tuple[int | None, str]:
    """The window in days and where it came from: rule > SKU > category > policy."""
    kind = WINDOW_OF_TYPE[request_type]
    if override is not None:
        return override, "rule"
    if kind == "return_days" and line.return_window_days is not None:
        return line.return_window_days, "sku"
    category = plan.category_windows.get(line.category)
    if category is not None and category[kind] is not None:
        return category[kind], "category"
    return plan.windows[kind], "policy"


def window_check(limit: int | None, source: str, clock: Clock, steps: list[Step]) -> Outcome:
    field = "days_since_delivery" if clock.delivered else "days_since_order"
    if limit is None:
        steps.append(Step("window", None, field, "no_limit", None, clock.days, True))
        return ELIGIBLE
    ok = clock.days <= limit
    steps.append(new_step(("window", source, field, "lte", limit, clock.days, ok)))
    return ELIGIBLE if ok else NOT_ELIGIBLE


def exclusion_check(
    plan: Plan, line: LineFacts, wanted: RequestLine, side: str, steps: list[Step]
) -> Outcome:
    rules = plan.spec.exclusions
    if side == "merchant" and not rules.apply_to_merchant_fault:
        return ELIGIBLE
    name = None
    if rules.non_returnable_skus and not line.returnable:
        name = "non_returnable"
    elif rules.custom_made and line.is_custom_made:
        name = "custom_made"
    elif rules.perishable and line.is_perishable:
        name = "perishable"
    elif rules.digital and line.is_digital:
        name = "digital"
    elif rules.hygiene_opened and line.is_hygiene and wanted.stated_condition != "unopened":
        name = "hygiene_opened"
    if name is not None:
        steps.append(
            Step("exclusion", None, name, "excluded", None, wanted.stated_condition, False)
        )
        return NOT_ELIGIBLE
    return ELIGIBLE


def requirement_check(
    plan: Plan, line: LineFacts, wanted: RequestLine, side: str, steps: list[Step]
) -> Outcome:
    """Condition requirements bind customer-side returns only: a defective item is opened."""
    if side == "merchant":
        return ELIGIBLE
    outcome = ELIGIBLE
    if line.must_be_unopened or line.category in plan.unopened_categories:
        ok = wanted.stated_condition == "unopened"
        steps.append(
            Step(
                "requirement",
                None,
                "request.condition",
                "in",
                "unopened",
                wanted.stated_condition,
                ok,
            )
        )
        if not ok:
            return NOT_ELIGIBLE
    needs = (
        ("request.tags_on", plan.spec.conditions.tags_on, wanted.tags_on),
        (
            "request.accessories_complete",
            plan.spec.conditions.accessories_complete,
            wanted.accessories_complete,
        ),
    )
    for field, required, stated in needs:
        if not required:
            continue
        # Not saying is not the same as saying no: an agent asks.
        steps.append(Step("requirement", None, field, "is", True, stated, stated is True))
        if stated is False:
            return NOT_ELIGIBLE
        if stated is None:
            outcome = NEEDS_REVIEW
    return outcome
