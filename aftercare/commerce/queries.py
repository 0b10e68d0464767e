"""Reads of commerce data, always scoped to one merchant."""

from __future__ import annotations

import contextlib
from datetime import datetime

from django.db.models import Prefetch, Q, QuerySet

from aftercare.commerce.models import Customer, Order, OrderLine, Payment, Product, Shipment
from aftercare.commerce.phones import InvalidPhone, looks_like_phone, to_e164
from aftercare.core.errors import NotFound
from aftercare.merchants.models import Merchant
from aftercare.merchants.queries import scoped


def orders_for_listing(merchant: Merchant) -> QuerySet[Order]:
    """Orders with what a list shows (customer, store, shipments) in a fixed number of queries."""
    return (
        scoped(Order, merchant)
        .select_related("customer", "store")
        .prefetch_related(Prefetch("shipments", queryset=Shipment.objects.order_by("id")), "lines")
        .order_by("-placed_at", "-id")
    )


def search_orders(merchant: Merchant, query: str) -> QuerySet[Order]:
    """Find orders by order number, customer phone (any common format), email or tracking number.

    Each kind of input is an exact, indexed match, so the search stays fast on a million orders.
    """
    text = query.strip()
    orders = orders_for_listing(merchant)
    if not text:
        return orders
    if "@" in text:
        customers = scoped(Customer, merchant).filter(email__iexact=text)
        return orders.filter(customer__in=customers)
    if looks_like_phone(text):
        try:
            phone = to_e164(text, region=merchant.default_phone_region)
        except InvalidPhone:
            phone = None
        if phone:
            customers = scoped(Customer, merchant).filter(phone=phone)
            by_phone = orders.filter(customer__in=customers)
            if by_phone.exists():
                return by_phone
    tracked = scoped(Shipment, merchant).filter(tracking_number=text).values("order_id")
    return orders.filter(external_id=text) | orders.filter(pk__in=tracked)


def customers_matching(merchant: Merchant, *, text: str = "", tier: str = "") -> QuerySet[Customer]:
    """Customers by exact phone (any common format), email or external id, and tier."""
    customers = scoped(Customer, merchant).order_by("-id")
    if tier:
        customers = customers.filter(tier=tier)
    text = text.strip()
    if not text:
        return customers
    if "@" in text:
        return customers.filter(email__iexact=text)
    by_id = Q(external_id=text)
    if looks_like_phone(text):
        with contextlib.suppress(InvalidPhone):
            by_id |= Q(phone=to_e164(text, region=merchant.default_phone_region))
    return customers.filter(by_id)


def products_matching(
    merchant: Merchant, *, text: str = "", category: str = ""
) -> QuerySet[Product]:
    """Products by category, and by SKU or a part of the name."""
    products = scoped(Product, merchant).order_by("sku")
    if category:
        products = products.filter(category=category)
    text = text.strip()
    if text:
        products = products.filter(Q(sku=text) | Q(name__icontains=text))
    return products


def orders_matching(
    merchant: Merchant,
    *,
    text: str = "",
    status: str = "",
    customer_id: int | None = None,
    store: str = "",
    placed_after: datetime | None = None,
    placed_before: datetime | None = None,
) -> QuerySet[Order]:
    """The order list: search_orders' lookups plus filters, without prefetching lines."""
    orders = search_orders(merchant, text).prefetch_related(None)
    if status:
        orders = orders.filter(status=status)
    if customer_id is not None:
        orders = orders.filter(customer_id=customer_id)
    if store:
        orders = orders.filter(store__code=store)
    if placed_after is not None:
        orders = orders.filter(placed_at__gte=placed_after)
    if placed_before is not None:
        orders = orders.filter(placed_at__lt=placed_before)
    return orders


def order_detail(merchant: Merchant, order_id: int) -> Order:
    """One order with its lines, payments and shipments, in four queries; 404 if not ours."""
    order = (
        scoped(Order, merchant)
        .select_related("customer", "store")
        .prefetch_related(
            Prefetch("lines", queryset=OrderLine.objects.order_by("line_no")),
            Prefetch("payments", queryset=Payment.objects.order_by("id")),
            Prefetch("shipments", queryset=Shipment.objects.order_by("id")),
        )
        .filter(pk=order_id)
        .first()
    )
    if order is None:
        raise NotFound("No order matches.")
    return order


def shipments_matching(
    merchant: Merchant, *, tracking_number: str = "", status: str = "", carrier: str = ""
) -> QuerySet[Shipment]:
    shipments = scoped(Shipment, merchant).select_related("order").order_by("-id")
    if tracking_number:
        shipments = shipments.filter(tracking_number=tracking_number.strip())
    if status:
        shipments = shipments.filter(status=status)
    if carrier:
        shipments = shipments.filter(carrier=carrier)
    return shipments


def shipment_detail(merchant: Merchant, shipment_id: int) -> Shipment:
    shipment = shipments_matching(merchant).filter(pk=shipment_id).first()
    if shipment is None:
        raise NotFound("No shipment matches.")
    return shipment
