"""Refund maths (P4): pure Decimal arithmetic, rounded ROUND_HALF_UP to the cent.

What a unit was paid is derived, never stored:
1. line net = unit price × quantity − the line's own discount (never below zero);
2. order-level discounts/coupons are split over the lines in proportion to their nets, by
   largest remainder in whole cents, so the shares add up to exactly what was discounted;
3. a line's paid amount is spread over its units cumulatively: units k+1..k+q are worth
   alloc(k+q) − alloc(k) with alloc(n) = round(paid × n / quantity), so however a line is
   returned in parts, the parts add up to exactly the line's paid amount.
Then a restocking fee comes off, and two caps apply: a line never refunds more than it was
paid minus what earlier cases refunded on it, and the order never refunds more than its
payments minus everything refunded before. Original shipping is refunded at most once.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from typing import NamedTuple

from aftercare.policies.domain import ZERO, LineFacts, OrderFacts, RefundBreakdown

CENT = Decimal("0.01")
HUNDRED = Decimal(100)


def to_cents(amount: Decimal) -> Decimal:
    return amount.quantize(CENT, rounding=ROUND_HALF_UP)


# The arithmetic runs on whole cents (ints): exact like Decimal, and several times faster,
# which matters because every policy evaluation does it (bench/policy.py).
def cents(amount: Decimal) -> int:
    return int(amount.quantize(CENT, rounding=ROUND_HALF_UP).scaleb(2))


def money(amount_cents: int) -> Decimal:
    return Decimal(amount_cents).scaleb(-2)


def _div_half_up(numerator: int, denominator: int) -> int:
    """round(numerator / denominator) half up, for numerator >= 0 and denominator > 0."""
    return (2 * numerator + denominator) // (2 * denominator)


def allocate_cents(total: int, weights: Sequence[int]) -> list[int]:
    """Split `total` cents over `weights` in proportion, by largest remainder.

    The shares always add up to min(total, sum(weights)) exactly and no share exceeds its
    weight, so a discount can never make a line worth less than nothing.
    """
    weights = [max(0, weight) for weight in weights]
    whole = sum(weights)
    total = min(max(0, total), whole)
    if whole == 0 or total == 0:
        return [0] * len(weights)
    shares = [total * weight // whole for weight in weights]
    leftover = total - sum(shares)
    if leftover:
        remainders = [total * weight % whole for weight in weights]
        # Ties go to the earlier line so the split is deterministic.
        by_remainder = sorted(range(len(shares)), key=lambda i: (-remainders[i], i))
        for index in by_remainder[:leftover]:
            shares[index] += 1
    return shares


def allocate(total: Decimal, weights: Sequence[Decimal]) -> list[Decimal]:
    return [money(c) for c in allocate_cents(cents(total), [cents(w) for w in weights])]


def line_net_cents(line: LineFacts) -> int:
    return max(0, cents(line.unit_price) * line.quantity - cents(line.discount))


LineCents = tuple[int, int, int, int]  # order-discount share, paid, unit price, refunded


def paid_per_line(order: OrderFacts) -> dict[int, LineCents]:
    """line id -> cents: (order-discount share, paid after every discount, unit price,
    already refunded). Computed once per facts object (they are immutable)."""
    paid = order.memo.get("paid")
    if paid is None:
        nets = [line_net_cents(line) for line in order.lines]
        shares = allocate_cents(cents(order.discount_total), nets)
        paid = order.memo["paid"] = {
            line.line_id: (share, net - share, cents(line.unit_price), cents(line.refunded_amount))
            for line, net, share in zip(order.lines, nets, shares, strict=True)
        }
    return paid


def units_value(paid: int, purchased: int, before: int, quantity: int) -> int:
    """Cents that `quantity` units were paid when `before` units were already returned.

    alloc(n) = round(paid × n / purchased) half up, and alloc(purchased) = paid exactly, so
    the parts of a line returned in any number of steps add up to what the line was paid.
    """
    if purchased <= 0 or quantity <= 0 or before >= purchased:
        return 0
    end = before + quantity
    high = paid if end >= purchased else (2 * paid * end + purchased) // (2 * purchased)
    low = (2 * paid * before + purchased) // (2 * purchased)
    return high - low


def restocking_fee(value: int, percent: Decimal, fixed: Decimal) -> int:
    """Cents: percent of the value plus a fixed amount, never more than the value."""
    if not percent and not fixed:
        return 0
    basis_points = int(percent.scaleb(2))
    fee = _div_half_up(value * basis_points, 10000) + cents(fixed)
    return min(value, max(0, fee))


class LineRequest(NamedTuple):
    """One requested line as the engine hands it over: how many, and what the policy says."""

    line: LineFacts
    quantity: int
    fee_percent: Decimal = ZERO
    fee_fixed: Decimal = ZERO
    refundable: bool = True  # False for lines that are not eligible: shown, refund 0


@dataclass(frozen=True, slots=True)
class RefundResult:
    lines: tuple[RefundBreakdown, ...]
    shipping: Decimal
    total: Decimal


def compute_refund(
    order: OrderFacts, requests: Sequence[LineRequest], *, refund_shipping: bool
) -> RefundResult:
    paid = paid_per_line(order)
    room = max(0, cents(order.paid_total) - cents(order.refunded_total))
    # Within one request a line may appear more than once; keep running totals per line so
    # two entries for the same line are valued as consecutive units, not the same ones.
    returned: dict[int, int] = {}
    refunded: dict[int, int] = {}
    breakdowns = []
    total = 0
    for request in requests:
        breakdown, amount = _line_refund(request, paid, returned, refunded, room)
        room -= amount
        total += amount
        breakdowns.append(breakdown)
    shipping = 0
    if refund_shipping:
        shipping = min(room, max(0, cents(order.shipping_fee) - cents(order.shipping_refunded)))
    return RefundResult(
        lines=tuple(breakdowns), shipping=money(shipping), total=money(total + shipping)
    )


def _line_refund(
    request: LineRequest,
    paid: dict[int, LineCents],
    returned: dict[int, int],
    refunded: dict[int, int],
    room: int,
) -> tuple[RefundBreakdown, int]:
    line, quantity = request.line, request.quantity
    order_share, line_paid, unit, refunded_before = paid[line.line_id]
    before = line.returned_quantity + returned.get(line.line_id, 0)
    value = units_value(line_paid, line.quantity, before, quantity)
    gross = unit * quantity
    order_part = units_value(order_share, line.quantity, before, quantity)
    fee = amount = capped = 0
    if request.refundable:
        fee = restocking_fee(value, request.fee_percent, request.fee_fixed)
        wanted = value - fee
        line_room = line_paid - refunded_before - refunded.get(line.line_id, 0)
        amount = max(0, min(wanted, line_room, room))
        capped = wanted - amount
        returned[line.line_id] = returned.get(line.line_id, 0) + quantity
        refunded[line.line_id] = refunded.get(line.line_id, 0) + amount
    # The line discount is the remainder, so gross - discounts = value to the cent.
    breakdown = RefundBreakdown(
        line.unit_price,
        quantity,
        gross,
        gross - value - order_part,
        order_part,
        value,
        fee,
        line.refunded_amount,
        capped,
        amount,
    )
    return breakdown, amount
