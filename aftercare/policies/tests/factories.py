"""Database fixtures for policy tests: an order with lines, payment and delivery."""

from __future__ import annotations

from datetime import datetime, timedelta
from decimal import Decimal

from django.utils import timezone

from aftercare.commerce.models import Order, OrderLine
from aftercare.commerce.tests.factories import (
    CustomerFactory,
    OrderFactory,
    OrderLineFactory,
    PaymentFactory,
    ProductFactory,
    ShipmentFactory,
)
from aftercare.merchants.models import Merchant, Store


def delivered_order(
    merchant: Merchant,
    store: Store,
    *,
    delivered_at: datetime | None = None,
    lines: int = 2,
    risk_tags: list[str] | None = None,
) -> tuple[Order, list[OrderLine]]:
    """An order of `lines` lines at 100.00 × 2, 10.00 shipping, paid, delivered 2 days ago."""
    customer = CustomerFactory(merchant=merchant, risk_tags=risk_tags or [], language="en")
    subtotal = Decimal("200.00") * lines
    order = OrderFactory(
        merchant=merchant,
        store=store,
        customer=customer,
        subtotal=subtotal,
        shipping_fee=Decimal("10.00"),
        total=subtotal + Decimal("10.00"),
        placed_at=timezone.now() - timedelta(days=5),
    )
    made = [
        OrderLineFactory(
            order=order,
            line_no=n + 1,
            product=ProductFactory(merchant=merchant, price=Decimal("100.00")),
            quantity=2,
        )
        for n in range(lines)
    ]
    PaymentFactory(order=order)
    ShipmentFactory(order=order, delivered_at=delivered_at or timezone.now() - timedelta(days=2))
    return order, made
