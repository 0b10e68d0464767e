"""The transition helper: legal moves save and write the timeline; illegal ones change nothing."""

from __future__ import annotations

import pytest

from aftercare.commerce.models import OrderStatus
from aftercare.commerce.tests.factories import OrderFactory
from aftercare.core.actors import Actor
from aftercare.core.audit import timeline_of
from aftercare.core.errors import InvalidTransition
from aftercare.core.transitions import transition

TABLE = {
    OrderStatus.PAID: frozenset({OrderStatus.SHIPPED, OrderStatus.CANCELLED}),
    OrderStatus.SHIPPED: frozenset({OrderStatus.DELIVERED}),
}


def test_legal_transition_saves_and_writes_timeline(merchant, system_actor: Actor) -> None:
    order = OrderFactory(merchant=merchant, status=OrderStatus.PAID)

    moved = transition(order, to=OrderStatus.SHIPPED, table=TABLE, actor=system_actor, reason="ok")

    order.refresh_from_db()
    assert order.status == moved.status == OrderStatus.SHIPPED
    events = list(timeline_of(order, merchant_id=merchant.pk))
    assert [(e.kind, e.reason, e.data) for e in events] == [
        ("status:shipped", "ok", {"from": "paid", "to": "shipped"})
    ]


def test_illegal_transition_raises_and_changes_nothing(merchant, system_actor: Actor) -> None:
    order = OrderFactory(merchant=merchant, status=OrderStatus.PAID)

    with pytest.raises(InvalidTransition):
        transition(order, to=OrderStatus.DELIVERED, table=TABLE, actor=system_actor)

    order.refresh_from_db()
    assert order.status == OrderStatus.PAID
    assert not timeline_of(order, merchant_id=merchant.pk).exists()


def test_stale_copy_cannot_repeat_a_transition(merchant, system_actor: Actor) -> None:
    # Two agents loaded the same order; the second one's click must fail, not apply twice.
    order = OrderFactory(merchant=merchant, status=OrderStatus.PAID)
    stale = type(order).objects.get(pk=order.pk)
    transition(order, to=OrderStatus.CANCELLED, table=TABLE, actor=system_actor)

    with pytest.raises(InvalidTransition):
        transition(stale, to=OrderStatus.SHIPPED, table=TABLE, actor=system_actor)
    assert timeline_of(order, merchant_id=merchant.pk).count() == 1
