"""The hand-written statements of case creation (core/rows.py) give what the ORM gives: the
same field values, of the same Python types, for the order, its customer and store, the lines
and their products, and every annotation."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest
from django.db import models, transaction

from aftercare.commerce.models import OrderLine
from aftercare.core.actors import Actor
from aftercare.core.errors import NotFound, ValidationFailed
from aftercare.policies.facts import order_queryset
from aftercare.returns import actions
from aftercare.returns.models import ReturnDesk
from aftercare.returns.order_lock import desk_of, lock_order
from aftercare.returns.queries import order_state
from aftercare.returns.tests.helpers import open_case


def _values(instance: models.Model) -> dict[str, Any]:
    return {f.attname: getattr(instance, f.attname) for f in instance._meta.concrete_fields}


def _typed(values: dict[str, Any]) -> dict[str, tuple[type, Any]]:
    return {name: (type(value), value) for name, value in values.items()}


def test_the_locked_order_equals_the_orm_s_with_customer_store_and_facts(
    reviewed, order, merchant, agent_actor
) -> None:
    order.customer.risk_tags = ["watch"]
    order.customer.save()
    ReturnDesk.objects.create(
        merchant=merchant, address="Warehouse 3", offers_pickup=True, holidays=["2026-12-25"]
    )
    expected = order_queryset(merchant).get(pk=order.pk)

    with transaction.atomic():
        locked = lock_order(agent_actor, order_id=order.pk, order_external_id=None)

    assert _typed(_values(locked)) == _typed(_values(expected))
    assert _typed(_values(locked.customer)) == _typed(_values(expected.customer))
    assert _typed(_values(locked.store)) == _typed(_values(expected.store))
    for name in ("paid_sum", "has_payments", "last_delivered_at"):
        got, want = getattr(locked, name), getattr(expected, name)
        assert (type(got), got) == (type(want), want), name
    assert isinstance(locked.paid_sum, Decimal) and locked.last_delivered_at.tzinfo is not None  # type: ignore[attr-defined]
    desk = desk_of(locked)
    assert desk is not None and desk.offers_pickup is True and desk.holidays == ["2026-12-25"]
    assert locked.active_version_id == reviewed.versions.get().pk  # type: ignore[attr-defined]


def test_by_the_merchant_s_order_number_and_never_another_merchant_s(
    reviewed, order, agent_actor, other_merchant
) -> None:
    with transaction.atomic():
        found = lock_order(agent_actor, order_id=None, order_external_id=order.external_id)
    assert found.pk == order.pk

    stranger = Actor.system(other_merchant)
    with pytest.raises(NotFound), transaction.atomic():
        lock_order(stranger, order_id=order.pk, order_external_id=None)
    with pytest.raises(ValidationFailed), transaction.atomic():
        lock_order(agent_actor, order_id=order.pk, order_external_id=order.external_id)


def test_the_order_s_lines_equal_the_orm_s_with_what_earlier_cases_hold(
    reviewed, order, lines, agent_actor
) -> None:
    open_case(agent_actor, order, lines[:1], quantity=2)
    other = open_case(agent_actor, order, lines[1:2])
    actions.cancel_case(actor=agent_actor, case=other, reason="changed my mind")

    state = order_state(order.pk, order.merchant_id, order.customer_id)

    expected = list(OrderLine.objects.filter(order=order).select_related("product"))
    expected.sort(key=lambda line: line.line_no)
    assert [_typed(_values(line)) for line in state.lines] == [
        _typed(_values(line)) for line in expected
    ]
    assert [_typed(_values(line.product)) for line in state.lines] == [
        _typed(_values(line.product)) for line in expected
    ]
    assert state.history.returned_quantity == {lines[0].pk: 2}
    assert state.past_return_rate == 1.0  # the one order has a case that is not cancelled
