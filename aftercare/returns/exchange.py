"""Exchanges (R4) and repairs: after a passed inspection the replacement goes out or the item
is repaired.

Stock is not modelled in commerce (orders are synced in; the shop system owns inventory), so
the stock check goes through a small Protocol: `StockCheck.available(product, quantity)`. The
default says everything is available; a connector for the merchant's shop system (C2) will
supply the real one, and tests pass their own.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any, Protocol

from django.db import transaction

from aftercare.commerce.models import Product
from aftercare.core.actors import Actor
from aftercare.merchants.queries import scoped
from aftercare.returns import events
from aftercare.returns.errors import InvalidExchange, OutOfStock
from aftercare.returns.models import (
    Case,
    CaseLine,
    ExchangeItem,
    LineOutcome,
    ReplacementOrder,
)
from aftercare.returns.moves import lock_case, move, refuse_unless, require
from aftercare.returns.states import CaseStatus, CaseType


class StockCheck(Protocol):
    def available(self, product: Product, quantity: int) -> bool: ...


class AlwaysInStock:
    """The default until a shop connector answers: the merchant checks stock when shipping."""

    def available(self, product: Product, quantity: int) -> bool:
        return True


ALWAYS_IN_STOCK = AlwaysInStock()


@dataclass(frozen=True)
class ExchangeRequest:
    case_line_id: int
    product_id: int
    quantity: int


def start_exchange(
    *,
    actor: Actor,
    case: Case,
    items: Sequence[ExchangeRequest],
    stock: StockCheck = ALWAYS_IN_STOCK,
) -> Case:
    """Replacement lines with a stock check; the price difference either way is recorded on a
    ReplacementOrder for the merchant's system (the money is the refunds issue's)."""
    require(actor, "cases.write")
    with transaction.atomic():
        case = lock_case(case)
        refuse_unless(case, CaseStatus.INSPECTION_PASSED, to="exchange_processing")
        if case.type != CaseType.EXCHANGE:
            raise InvalidExchange(f"A {case.type} case is not an exchange.")
        lines = {
            line.pk: line
            for line in CaseLine.objects.filter(case=case).select_related("order_line")
        }
        products = scoped(Product, case.merchant_id).in_bulk([i.product_id for i in items])
        _check_items(items, lines, products)
        short = [i for i in items if not stock.available(products[i.product_id], i.quantity)]
        if short:
            skus = ", ".join(products[i.product_id].sku for i in short)
            raise OutOfStock(
                f"Not in stock: {skus}.", extra={"product_ids": [i.product_id for i in short]}
            )
        made = []
        total = Decimal("0.00")
        for item in items:
            line, product = lines[item.case_line_id], products[item.product_id]
            original = line.order_line.unit_price * item.quantity
            difference = product.price * item.quantity - original
            total += difference
            made.append(
                ExchangeItem(
                    merchant_id=case.merchant_id,
                    case_line=line,
                    product=product,
                    quantity=item.quantity,
                    unit_price=product.price,
                    price_difference=difference,
                )
            )
        ExchangeItem.objects.bulk_create(made)
        ReplacementOrder.objects.create(
            merchant_id=case.merchant_id, case=case, price_difference=total
        )
        _refund_cheaper_replacements(case, made, actor=actor)
        data: dict[str, Any] = {
            "price_difference": str(total),
            "items": [
                {"case_line_id": i.case_line_id, "product_id": i.product_id, "qty": i.quantity}
                for i in items
            ],
        }
        return move(
            case,
            CaseStatus.EXCHANGE_PROCESSING,
            actor=actor,
            event=events.EXCHANGE_STARTED,
            data=data,
        )


def _refund_cheaper_replacements(case: Case, made: list[ExchangeItem], *, actor: Actor) -> None:
    """What the merchant owes back when a replacement costs less is granted in the same
    transaction (the refunds app executes it); what the customer owes stays on the
    ReplacementOrder for the merchant's system to collect."""
    from aftercare.refunds.actions import LineAmount, grant_exchange_difference

    owed: dict[int, Decimal] = {}
    for item in made:
        if item.price_difference < 0:
            line_id = item.case_line.order_line_id
            owed[line_id] = owed.get(line_id, Decimal("0.00")) - item.price_difference
    lines = [LineAmount(line_id, amount) for line_id, amount in owed.items()]
    grant_exchange_difference(case, actor=actor, lines=lines)


def _check_items(
    items: Sequence[ExchangeRequest], lines: dict[int, CaseLine], products: dict[int, Product]
) -> None:
    errors: list[dict[str, Any]] = []
    wanted: dict[int, int] = {}
    for index, item in enumerate(items):
        loc = ["body", "items", str(index)]
        line = lines.get(item.case_line_id)
        if line is None:
            errors.append({"loc": [*loc, "case_line_id"], "msg": "not a line of this case"})
            continue
        if item.product_id not in products:
            errors.append({"loc": [*loc, "product_id"], "msg": "no such product"})
        wanted[line.pk] = wanted.get(line.pk, 0) + item.quantity
        if item.quantity < 1 or wanted[line.pk] > line.quantity:
            msg = f"replace 1 to {line.quantity} units of this line"
            errors.append({"loc": [*loc, "quantity"], "msg": msg})
    if not items:
        errors.append({"loc": ["body", "items"], "msg": "at least one item is needed"})
    if errors:
        raise InvalidExchange(
            "The exchange items are not valid.",
            errors=[{**e, "type": "invalid_exchange"} for e in errors],
        )


def complete_exchange(*, actor: Actor, case: Case, external_order_id: str = "") -> Case:
    """The replacement was shipped by the merchant's system (its order id, when known)."""
    require(actor, "cases.write")
    with transaction.atomic():
        case = lock_case(case)
        case = move(
            case,
            CaseStatus.EXCHANGED,
            actor=actor,
            event=events.EXCHANGED,
            data={"external_order_id": external_order_id},
        )
        if external_order_id:
            ReplacementOrder.objects.filter(case=case).update(external_id=external_order_id)
        CaseLine.objects.filter(case=case, outcome=LineOutcome.ACCEPTED).update(
            outcome=LineOutcome.EXCHANGED
        )
        return case


def start_repair(*, actor: Actor, case: Case) -> Case:
    require(actor, "cases.inspect")
    with transaction.atomic():
        case = lock_case(case)
        refuse_unless(case, CaseStatus.INSPECTION_PASSED, to="repairing")
        if case.type != CaseType.REPAIR:
            raise InvalidExchange(f"A {case.type} case is not a repair.")
        return move(case, CaseStatus.REPAIRING, actor=actor, event=events.REPAIR_STARTED)


def complete_repair(*, actor: Actor, case: Case) -> Case:
    require(actor, "cases.inspect")
    with transaction.atomic():
        case = lock_case(case)
        case = move(case, CaseStatus.REPAIRED, actor=actor, event=events.REPAIRED)
        CaseLine.objects.filter(case=case, outcome=LineOutcome.ACCEPTED).update(
            outcome=LineOutcome.REPAIRED
        )
        return case
