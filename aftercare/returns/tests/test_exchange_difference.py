"""R4's money: a cheaper replacement refunds the difference; a dearer one refunds nothing."""

from __future__ import annotations

from decimal import Decimal

from aftercare.refunds.models import Grant
from aftercare.returns import exchange, inspection
from aftercare.returns.tests.helpers import install_policy
from aftercare.returns.tests.test_goods_path import _passing, _received


def _passed_exchange(merchant, order, lines, agent_actor, warehouse_actor):  # type: ignore[no-untyped-def]
    install_policy(merchant, "custom")
    case = _received(agent_actor, warehouse_actor, order, lines[:1], type="exchange", reason="size")
    return inspection.record_inspection(actor=warehouse_actor, case=case, results=_passing(case))


def _replace_with(case, product, price: str, agent_actor):  # type: ignore[no-untyped-def]
    product.price = Decimal(price)
    product.save()
    items = [exchange.ExchangeRequest(case.lines.get().pk, product.pk, 1)]
    return exchange.start_exchange(actor=agent_actor, case=case, items=items)


def test_a_cheaper_replacement_grants_the_difference(
    merchant, order, lines, agent_actor, warehouse_actor
) -> None:
    case = _passed_exchange(merchant, order, lines, agent_actor, warehouse_actor)

    _replace_with(case, lines[1].product, "70.00", agent_actor)

    grant = Grant.objects.get(case=case)
    assert (grant.source, grant.kind, grant.amount) == (
        "exchange",
        "partial_refund",
        Decimal("30.00"),
    )
    assert grant.lines.get().order_line_id == lines[0].pk


def test_a_dearer_replacement_grants_nothing(
    merchant, order, lines, agent_actor, warehouse_actor
) -> None:
    case = _passed_exchange(merchant, order, lines, agent_actor, warehouse_actor)

    _replace_with(case, lines[1].product, "120.00", agent_actor)

    assert not Grant.objects.filter(case=case).exists()
