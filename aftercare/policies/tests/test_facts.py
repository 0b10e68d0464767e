"""Facts from the database: right values, constant query count, bad lines refused."""

from __future__ import annotations

from decimal import Decimal

import pytest

from aftercare.commerce.tests.factories import PaymentFactory
from aftercare.policies.domain import RequestLine
from aftercare.policies.errors import InvalidRequestLines
from aftercare.policies.facts import OrderHistory, build_facts
from aftercare.policies.tests.factories import delivered_order


def _build(merchant, order, lines, **extra):  # type: ignore[no-untyped-def]
    return build_facts(
        merchant=merchant,
        order_id=order.pk,
        lines=lines,
        request_type="return_refund",
        reason="size",
        **extra,
    )


@pytest.mark.parametrize("line_count", [1, 8])
def test_facts_take_two_queries_whatever_the_order_size(
    merchant, store, django_assert_num_queries, line_count: int
) -> None:
    order, lines = delivered_order(merchant, store, lines=line_count, risk_tags=["fraud"])
    wanted = [RequestLine(line.pk, 1) for line in lines]

    with django_assert_num_queries(2):
        facts = _build(merchant, order, wanted)

    assert len(facts.order.lines) == line_count
    assert facts.order.delivered_at is not None
    assert facts.order.paid_total == order.total
    assert facts.order.channel == store.channel
    assert facts.customer.risk_tags == frozenset({"fraud"})
    assert facts.customer.past_return_rate == 0.0  # until the returns app supplies it


def test_paid_total_follows_the_payments(merchant, store) -> None:
    order, lines = delivered_order(merchant, store)
    PaymentFactory(order=order, amount=Decimal("5.00"), status="failed")

    facts = _build(merchant, order, [RequestLine(lines[0].pk, 1)])

    assert facts.order.paid_total == order.total  # the failed payment does not count


def test_history_is_passed_through(merchant, store) -> None:
    order, lines = delivered_order(merchant, store)
    history = OrderHistory(
        returned_quantity={lines[0].pk: 1},
        refunded_amount={lines[0].pk: Decimal("100.00")},
        refunded_total=Decimal("100.00"),
    )
    facts = _build(merchant, order, [RequestLine(lines[0].pk, 1)], history=history)
    assert facts.order.line(lines[0].pk).returned_quantity == 1  # type: ignore[union-attr]

    with pytest.raises(InvalidRequestLines):
        _build(merchant, order, [RequestLine(lines[0].pk, 2)], history=history)


def test_lines_of_another_order_and_over_quantity_are_refused(merchant, store) -> None:
    order, lines = delivered_order(merchant, store)
    _other, other_lines = delivered_order(merchant, store)

    with pytest.raises(InvalidRequestLines) as caught:
        _build(
            merchant,
            order,
            [RequestLine(other_lines[0].pk, 1), RequestLine(lines[0].pk, 3)],
        )

    assert [e["msg"] for e in caught.value.errors] == [
        "not a line of this order",
        "quantity 3 exceeds the 2 that can be returned",
    ]
