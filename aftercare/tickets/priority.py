"""Ticket priority from order value, customer tier and urgency: a pure function with reasons.

Points add up: a VIP customer or a large order matters more, and the assistant's urgency flags
(anger, threats to go to a regulator, chargebacks, safety) matter most: a burning kettle is
urgent whoever bought it. The reasons are shown to the agent so the ordering is explainable.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal

from aftercare.tickets.states import Priority

TIER_POINTS = {"vip": 2, "potential": 1, "normal": 0}
# Order totals (in the merchant's currency) from which an order counts as large.
ORDER_VALUE_POINTS = ((Decimal("5000"), 2), (Decimal("1000"), 1))
FLAG_POINTS = {"safety": 4, "threat_authority": 3, "chargeback": 3, "anger": 1, "complaint": 1}
URGENT_FROM, HIGH_FROM = 4, 2


@dataclass(frozen=True)
class PriorityResult:
    priority: int
    points: int
    reasons: list[str]


def priority_for(*, order_value: Decimal | None, tier: str, flags: Iterable[str]) -> PriorityResult:
    points, reasons = 0, []
    tier_points = TIER_POINTS.get(tier, 0)
    if tier_points:
        points += tier_points
        reasons.append(f"tier:{tier}")
    for threshold, value_points in ORDER_VALUE_POINTS:
        if order_value is not None and order_value >= threshold:
            points += value_points
            reasons.append(f"order_value>={threshold}")
            break
    for flag in sorted(set(flags)):
        if flag in FLAG_POINTS:
            points += FLAG_POINTS[flag]
            reasons.append(f"flag:{flag}")
    if points >= URGENT_FROM:
        level = Priority.URGENT
    elif points >= HIGH_FROM:
        level = Priority.HIGH
    else:
        level = Priority.NORMAL
    return PriorityResult(priority=int(level), points=points, reasons=reasons)


def raised(priority: int) -> int:
    """One level more urgent (a breach raises the ticket), never past urgent."""
    return max(int(Priority.URGENT), priority - 1)
