"""Reads of commerce data, always scoped to one merchant."""

from __future__ import annotations

from django.db.models import Prefetch, QuerySet

from aftercare.commerce.models import Customer, Order, Shipment
from aftercare.commerce.phones import InvalidPhone, looks_like_phone, to_e164
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
