"""Building the engine's immutable facts from database rows, in a constant number of queries.

Two queries whatever the order's size: the order (with its customer, store, paid amount and
delivery time folded in as subqueries), then all its lines with their products. All lines are
needed, not only the requested ones, because order-level discounts are shared over every line.

What earlier cases returned and refunded comes from the returns and refunds apps, which do not
exist yet: they pass an `OrderHistory` (and the customer's past return rate) in. Until then
both default to "nothing happened before".
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal

from django.db.models import BooleanField, DateTimeField, DecimalField, QuerySet
from django.db.models.expressions import RawSQL
from django.utils import timezone

from aftercare.commerce.models import Order, OrderLine, Payment, PaymentStatus, Shipment
from aftercare.core.errors import NotFound
from aftercare.merchants.models import Merchant
from aftercare.merchants.queries import scoped
from aftercare.policies.domain import (
    ZERO,
    CustomerFacts,
    Facts,
    LineFacts,
    OrderFacts,
    RequestFacts,
    RequestLine,
)
from aftercare.policies.errors import InvalidRequestLines


@dataclass(frozen=True)
class OrderHistory:
    """What earlier cases on this order already took back. Supplied by returns/refunds."""

    returned_quantity: Mapping[int, int] = field(default_factory=dict)  # line id -> units
    refunded_amount: Mapping[int, Decimal] = field(default_factory=dict)  # line id -> money
    refunded_total: Decimal = ZERO  # everything refunded on the order, shipping included
    shipping_refunded: Decimal = ZERO


NO_HISTORY = OrderHistory()


def order_fact_fields() -> dict[str, RawSQL]:
    """What the facts need beside the order row, as subqueries on it: the paid amount, whether
    there are payments, and the last delivery time. The order table is named by its name."""
    # SQL fragments rather than nested querysets: the same subqueries cost a millisecond of
    # ORM compilation per request, several times what the database needs to run them.
    # Plain SQL that SQLite and PostgreSQL both read.
    order_t, payment_t = Order._meta.db_table, Payment._meta.db_table
    shipment_t = Shipment._meta.db_table
    of_order = f'.order_id = "{order_t}"."id"'
    return {
        "paid_sum": RawSQL(
            f'SELECT SUM(p."amount") FROM "{payment_t}" p WHERE p{of_order} AND p.status = %s',
            (PaymentStatus.PAID.value,),
            output_field=DecimalField(max_digits=12, decimal_places=2),
        ),
        "has_payments": RawSQL(
            f'EXISTS (SELECT 1 FROM "{payment_t}" p WHERE p{of_order})',
            (),
            output_field=BooleanField(),
        ),
        # The latest delivery of the order's parcels (none delivered: NULL).
        "last_delivered_at": RawSQL(
            f'SELECT MAX(s.delivered_at) FROM "{shipment_t}" s WHERE s{of_order}',
            (),
            output_field=DateTimeField(),
        ),
    }


def order_queryset(merchant: Merchant) -> QuerySet[Order]:
    """The merchant's orders with what the facts need folded in: customer, store, the paid
    amount and the last delivery time (payments and shipments as subqueries)."""
    return (
        scoped(Order, merchant).select_related("customer", "store").annotate(**order_fact_fields())
    )


def load_order(
    merchant: Merchant, *, order_id: int | None = None, external_id: str | None = None
) -> Order:
    """The order with what the facts need folded in (one query). Another merchant's: 404."""
    lookup = {"pk": order_id} if order_id is not None else {"external_id": external_id}
    order = order_queryset(merchant).filter(**lookup).first() if (order_id or external_id) else None
    if order is None:
        raise NotFound("No order matches.")
    return order


def order_facts(
    merchant: Merchant,
    order: Order,
    history: OrderHistory = NO_HISTORY,
    lines: Iterable[OrderLine] | None = None,
) -> OrderFacts:
    """Facts of an order loaded by order_queryset (one more query for the lines, unless the
    caller read them already: all of them, with their products, by line_no then pk)."""
    if lines is None:
        lines = (
            OrderLine.objects.filter(order=order, merchant=merchant)
            .select_related("product")
            .order_by("line_no", "pk")
        )
    # Orders synced without payment records are taken as paid in full; once payments are
    # recorded, only what they say was paid can be refunded.
    paid = (order.paid_sum or ZERO) if order.has_payments else order.total  # type: ignore[attr-defined]
    return OrderFacts(
        order_id=order.pk,
        external_id=order.external_id,
        currency=order.currency,
        channel=order.store.channel,
        placed_at=order.placed_at,
        delivered_at=order.last_delivered_at,  # type: ignore[attr-defined]
        timezone=merchant.timezone,
        subtotal=order.subtotal,
        discount_total=order.discount_total,
        shipping_fee=order.shipping_fee,
        total=order.total,
        paid_total=min(paid, order.total),
        refunded_total=history.refunded_total,
        shipping_refunded=history.shipping_refunded,
        return_shipping_insurance=order.return_shipping_insurance,
        lines=tuple(_line_facts(line, history) for line in lines),
    )


def _line_facts(line: OrderLine, history: OrderHistory) -> LineFacts:
    product = line.product
    return LineFacts(
        line_id=line.pk,
        line_no=line.line_no,
        sku=line.sku,
        name=line.name,
        category=product.category,
        unit_price=line.unit_price,
        quantity=line.quantity,
        discount=line.discount,
        returnable=product.returnable,
        must_be_unopened=product.must_be_unopened,
        is_hygiene=product.is_hygiene,
        is_custom_made=product.is_custom_made,
        is_perishable=product.is_perishable,
        is_digital=product.is_digital,
        return_window_days=product.return_window_days,
        refunded_amount=history.refunded_amount.get(line.pk, ZERO),
        returned_quantity=history.returned_quantity.get(line.pk, 0),
    )


def customer_facts(order: Order, *, past_return_rate: float = 0.0) -> CustomerFacts:
    customer = order.customer
    return CustomerFacts(
        tier=customer.tier,
        risk_tags=frozenset(str(tag) for tag in customer.risk_tags or ()),
        # TODO(returns): the returns app computes the customer's past return rate from
        # their cases and passes it here; 0 until cases exist.
        past_return_rate=past_return_rate,
        language=customer.language,
    )


def build_facts(
    *,
    merchant: Merchant,
    lines: Sequence[RequestLine],
    request_type: str,
    reason: str,
    order_id: int | None = None,
    order_external_id: str | None = None,
    requested_at: datetime | None = None,
    history: OrderHistory = NO_HISTORY,
    past_return_rate: float = 0.0,
) -> Facts:
    """Everything evaluate() needs for one request, in two queries. Bad lines: 422."""
    order = load_order(merchant, order_id=order_id, external_id=order_external_id)
    return facts_from(
        merchant,
        order,
        lines=lines,
        request_type=request_type,
        reason=reason,
        requested_at=requested_at,
        history=history,
        past_return_rate=past_return_rate,
    )


def facts_from(
    merchant: Merchant,
    order: Order,
    *,
    lines: Sequence[RequestLine],
    request_type: str,
    reason: str,
    requested_at: datetime | None = None,
    history: OrderHistory = NO_HISTORY,
    past_return_rate: float = 0.0,
    order_lines: Iterable[OrderLine] | None = None,
) -> Facts:
    """build_facts for an order the caller loaded through order_queryset (and, given
    `order_lines`, its lines too: then no query at all). Bad lines: 422."""
    facts = order_facts(merchant, order, history, order_lines)
    check_request_lines(facts, lines)
    request = RequestFacts(
        type=request_type,
        reason=reason,
        lines=tuple(lines),
        requested_at=requested_at or timezone.now(),
    )
    customer = customer_facts(order, past_return_rate=past_return_rate)
    return Facts(order=facts, customer=customer, request=request)


def check_request_lines(order: OrderFacts, lines: Sequence[RequestLine]) -> None:
    """Lines from another order, repeated lines and impossible quantities are input errors."""
    errors = []
    seen: set[int] = set()
    for index, wanted in enumerate(lines):
        line = order.line(wanted.line_id)
        loc = ["body", "lines", str(index)]
        if line is None:
            errors.append({"loc": [*loc, "order_line_id"], "msg": "not a line of this order"})
        elif wanted.line_id in seen:
            errors.append({"loc": [*loc, "order_line_id"], "msg": "line requested twice"})
        elif not 0 < wanted.quantity <= line.quantity - line.returned_quantity:
            available = line.quantity - line.returned_quantity
            msg = f"quantity {wanted.quantity} exceeds the {available} that can be returned"
            errors.append({"loc": [*loc, "quantity"], "msg": msg})
        seen.add(wanted.line_id)
    if not lines:
        errors.append({"loc": ["body", "lines"], "msg": "at least one line is needed"})
    if errors:
        raise InvalidRequestLines(
            "Some requested lines do not match the order.",
            errors=[{**error, "type": "invalid_line"} for error in errors],
        )
