"""Refund maths: examples, then properties proven over generated orders (hypothesis)."""

from __future__ import annotations

from dataclasses import replace
from decimal import Decimal

from hypothesis import given, settings
from hypothesis import strategies as st

from aftercare.policies.domain import OrderFacts
from aftercare.policies.refund_math import (
    LineRequest,
    allocate,
    compute_refund,
    paid_per_line,
    restocking_fee,
)
from aftercare.policies.tests.builders import line, order

D = Decimal
ZERO = Decimal(0)


def test_order_discount_is_shared_by_largest_remainder() -> None:
    assert allocate(D("10.00"), [D("5"), D("5"), D("5")]) == [D("3.34"), D("3.33"), D("3.33")]
    assert allocate(D("50"), [D("10"), D("20")]) == [D("10.00"), D("20.00")]  # capped


def test_example_with_line_and_order_discounts() -> None:
    the_order = order(
        line(1, unit_price=D("100.00"), quantity=2, discount=D("10.00")),
        line(2, unit_price=D("50.00"), quantity=1),
        discount_total=D("20.00"),
        shipping_fee=D("10.00"),
    )
    result = compute_refund(
        the_order,
        [LineRequest(the_order.lines[0], 1), LineRequest(the_order.lines[1], 1)],
        refund_shipping=True,
    )
    first = result.lines[0]
    # 190 net and 50 net share a 20 discount: 15.83 and 4.17.
    assert (first.gross, first.order_discount_share, first.item_value) == (
        D("100.00"),
        D("7.92"),
        D("87.09"),
    )
    assert first.gross - first.line_discount_share - first.order_discount_share == first.item_value
    assert result.lines[1].refund == D("45.83")
    assert result.total == D("142.92")


def test_restocking_fee_and_caps() -> None:
    assert restocking_fee(10000, D("15"), D("2.50")) == 1750
    assert restocking_fee(100, D("0"), D("5.00")) == 100  # never more than the value
    the_order = order(line(1, quantity=1, refunded_amount=D("60.00")))
    result = compute_refund(the_order, [LineRequest(the_order.lines[0], 1)], refund_shipping=False)
    assert result.lines[0].refund == D("40.00") and result.lines[0].capped_by == D("60.00")


money = st.integers(min_value=1, max_value=500_000).map(lambda c: D(c) / 100)


@st.composite
def orders(draw: st.DrawFn) -> OrderFacts:
    count = draw(st.integers(min_value=1, max_value=5))
    lines = []
    for index in range(count):
        price = draw(money)
        quantity = draw(st.integers(min_value=1, max_value=6))
        discount = D(draw(st.integers(min_value=0, max_value=int(price * quantity * 100)))) / 100
        lines.append(line(index + 1, unit_price=price, quantity=quantity, discount=discount))
    nets = sum((item.unit_price * item.quantity - item.discount for item in lines), D(0))
    discount_total = D(draw(st.integers(min_value=0, max_value=int(nets * 100)))) / 100
    shipping = D(draw(st.integers(min_value=0, max_value=3000))) / 100
    return order(*lines, discount_total=discount_total, shipping_fee=shipping)


@st.composite
def case_sequences(draw: st.DrawFn) -> tuple[OrderFacts, list[list[tuple[int, int]]]]:
    """An order and a sequence of partial cases that together return every unit."""
    the_order = draw(orders())
    remaining = {item.line_id: item.quantity for item in the_order.lines}
    cases: list[list[tuple[int, int]]] = []
    while any(remaining.values()):
        case = []
        for line_id, left in remaining.items():
            if left and draw(st.booleans()):
                take = draw(st.integers(min_value=1, max_value=left))
                case.append((line_id, take))
        if not case:
            line_id = next(k for k, v in remaining.items() if v)
            case = [(line_id, remaining[line_id])]
        for line_id, take in case:
            remaining[line_id] -= take
        cases.append(case)
    return the_order, cases


def _after(the_order: OrderFacts, case: list[tuple[int, int]], result) -> OrderFacts:  # type: ignore[no-untyped-def]
    """The order's facts once a case has been refunded: what returns/refunds will supply."""
    refunded = {line_id: b.refund for (line_id, _), b in zip(case, result.lines, strict=True)}
    taken = dict(case)
    lines = tuple(
        replace(
            item,
            returned_quantity=item.returned_quantity + taken.get(item.line_id, 0),
            refunded_amount=item.refunded_amount + refunded.get(item.line_id, D(0)),
        )
        for item in the_order.lines
    )
    return replace(
        the_order,
        lines=lines,
        refunded_total=the_order.refunded_total + result.total,
        shipping_refunded=the_order.shipping_refunded + result.shipping,
    )


def _run_cases(
    the_order: OrderFacts, cases: list[list[tuple[int, int]]], fee: D = ZERO
) -> tuple[D, list]:  # type: ignore[type-arg]
    total = D(0)
    results = []
    for case in cases:
        requests = [LineRequest(the_order.line(i), q, fee_percent=fee) for i, q in case]  # type: ignore[arg-type]
        result = compute_refund(the_order, requests, refund_shipping=True)
        results.append(result)
        total += result.total
        the_order = _after(the_order, case, result)
    return total, results


@settings(max_examples=300, deadline=None)
@given(case_sequences())
def test_partial_cases_never_refund_more_than_was_paid(data) -> None:  # type: ignore[no-untyped-def]
    the_order, cases = data
    total, results = _run_cases(the_order, cases)
    assert all(r.total >= 0 and all(b.refund >= 0 for b in r.lines) for r in results)
    assert total <= the_order.paid_total


@settings(max_examples=300, deadline=None)
@given(case_sequences())
def test_returning_everything_for_a_merchant_fault_refunds_exactly_what_was_paid(data) -> None:  # type: ignore[no-untyped-def]
    the_order, cases = data
    total, results = _run_cases(the_order, cases)
    assert total == the_order.paid_total
    assert sum((r.shipping for r in results), D(0)) == the_order.shipping_fee  # only once


@settings(max_examples=200, deadline=None)
@given(case_sequences(), st.integers(min_value=0, max_value=100))
def test_each_line_is_capped_by_what_it_was_paid(data, fee: int) -> None:  # type: ignore[no-untyped-def]
    the_order, cases = data
    paid = paid_per_line(the_order)
    _, results = _run_cases(the_order, cases, D(fee))
    per_line: dict[int, D] = {}
    for case, result in zip(cases, results, strict=True):
        for (line_id, _), breakdown in zip(case, result.lines, strict=True):
            per_line[line_id] = per_line.get(line_id, D(0)) + breakdown.refund
            assert breakdown.refund >= 0
            assert breakdown.restocking_fee <= breakdown.item_value
    for line_id, amount in per_line.items():
        assert amount * 100 <= paid[line_id][1]


@settings(max_examples=200, deadline=None)
@given(orders(), st.integers(min_value=0, max_value=100_000))
def test_payments_short_of_the_total_cap_the_refund(the_order: OrderFacts, short: int) -> None:
    paid = max(D(0), the_order.total - D(short) / 100)
    short_paid = replace(the_order, paid_total=paid)
    requests = [LineRequest(item, item.quantity) for item in short_paid.lines]
    result = compute_refund(short_paid, requests, refund_shipping=True)
    assert D(0) <= result.total <= paid
