"""Commerce endpoints: bulk upserts by the merchant's own ids, and scoped list/get.

Upserts answer 200 with one result per record, in input order: a batch with some bad records
is not a failed request. Only a malformed body (400/422) or too many records (413) is.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import datetime
from typing import Any

from django.conf import settings
from django.http import HttpRequest
from ninja import Query, Router, Schema

from aftercare.commerce import actions
from aftercare.commerce import queries as q
from aftercare.commerce.bulk import BatchResult
from aftercare.commerce.models import Customer, Order, Product, Shipment
from aftercare.commerce.schemas import (
    BatchOut,
    CustomerBatchIn,
    CustomerOut,
    OrderBatchIn,
    OrderDetailOut,
    OrderOut,
    ProductBatchIn,
    ProductOut,
    ShipmentBatchIn,
    ShipmentOut,
)
from aftercare.core.actors import Actor
from aftercare.core.api import PageOut, actor_of, page_of, require
from aftercare.core.errors import PayloadTooLarge
from aftercare.merchants.queries import get_scoped

router = Router(tags=["commerce"])

UPSERT_HELP = (
    "Idempotent bulk upsert of up to 1000 records. Each record gets a result in input order: "
    "created, updated, unchanged or error (with field errors; an invalid record changes "
    "nothing). More than 1000 records: 413."
)


def _upsert(
    request: HttpRequest,
    records: Sequence[Any],
    action: Callable[..., BatchResult],
) -> dict[str, Any]:
    actor = actor_of(request)
    require(actor, "commerce.write")
    if len(records) > settings.API_MAX_BATCH:
        raise PayloadTooLarge(
            f"{len(records)} records in one request; send at most {settings.API_MAX_BATCH}.",
            extra={"max_records": settings.API_MAX_BATCH},
        )
    return action(actor=actor, records=records).as_dict()


def _reader(request: HttpRequest) -> Actor:
    actor = actor_of(request)
    require(actor, "commerce.read")
    return actor


@router.post("/customers", response=BatchOut, summary="Upsert customers", description=UPSERT_HELP)
def upsert_customers(request: HttpRequest, body: CustomerBatchIn) -> dict[str, Any]:
    return _upsert(request, body.records, actions.upsert_customers)


@router.post(
    "/products", response=BatchOut, summary="Upsert products by SKU", description=UPSERT_HELP
)
def upsert_products(request: HttpRequest, body: ProductBatchIn) -> dict[str, Any]:
    return _upsert(request, body.records, actions.upsert_products)


@router.post(
    "/orders",
    response=BatchOut,
    summary="Upsert orders with lines and payments",
    description=UPSERT_HELP,
)
def upsert_orders(request: HttpRequest, body: OrderBatchIn) -> dict[str, Any]:
    return _upsert(request, body.records, actions.upsert_orders)


@router.post("/shipments", response=BatchOut, summary="Upsert shipments", description=UPSERT_HELP)
def upsert_shipments(request: HttpRequest, body: ShipmentBatchIn) -> dict[str, Any]:
    return _upsert(request, body.records, actions.upsert_shipments)


class Paging(Schema):
    limit: int = 50
    offset: int = 0


class CustomerFilters(Paging):
    q: str = ""
    tier: str = ""


class ProductFilters(Paging):
    q: str = ""
    category: str = ""


class OrderFilters(Paging):
    q: str = ""
    status: str = ""
    customer_id: int | None = None
    store: str = ""
    placed_after: datetime | None = None
    placed_before: datetime | None = None


class ShipmentFilters(Paging):
    tracking_number: str = ""
    status: str = ""
    carrier: str = ""


@router.get("/customers", response=PageOut[CustomerOut], summary="List customers")
def list_customers(request: HttpRequest, filters: Query[CustomerFilters]) -> dict[str, Any]:
    actor = _reader(request)
    found = q.customers_matching(actor.merchant, text=filters.q, tier=filters.tier)
    return page_of(found, limit=filters.limit, offset=filters.offset)


@router.get("/customers/{customer_id}", response=CustomerOut, summary="One customer")
def get_customer(request: HttpRequest, customer_id: int) -> Customer:
    return get_scoped(Customer, _reader(request).merchant, pk=customer_id)


@router.get("/products", response=PageOut[ProductOut], summary="List products")
def list_products(request: HttpRequest, filters: Query[ProductFilters]) -> dict[str, Any]:
    actor = _reader(request)
    found = q.products_matching(actor.merchant, text=filters.q, category=filters.category)
    return page_of(found, limit=filters.limit, offset=filters.offset)


@router.get("/products/{product_id}", response=ProductOut, summary="One product")
def get_product(request: HttpRequest, product_id: int) -> Product:
    return get_scoped(Product, _reader(request).merchant, pk=product_id)


@router.get("/orders", response=PageOut[OrderOut], summary="List and search orders")
def list_orders(request: HttpRequest, filters: Query[OrderFilters]) -> dict[str, Any]:
    actor = _reader(request)
    found = q.orders_matching(
        actor.merchant,
        text=filters.q,
        status=filters.status,
        customer_id=filters.customer_id,
        store=filters.store,
        placed_after=filters.placed_after,
        placed_before=filters.placed_before,
    )
    return page_of(found, limit=filters.limit, offset=filters.offset)


@router.get(
    "/orders/{order_id}", response=OrderDetailOut, summary="One order with lines and shipments"
)
def get_order(request: HttpRequest, order_id: int) -> Order:
    return q.order_detail(_reader(request).merchant, order_id)


@router.get("/shipments", response=PageOut[ShipmentOut], summary="List shipments")
def list_shipments(request: HttpRequest, filters: Query[ShipmentFilters]) -> dict[str, Any]:
    actor = _reader(request)
    found = q.shipments_matching(
        actor.merchant,
        tracking_number=filters.tracking_number,
        status=filters.status,
        carrier=filters.carrier,
    )
    return page_of(found, limit=filters.limit, offset=filters.offset)


@router.get("/shipments/{shipment_id}", response=ShipmentOut, summary="One shipment")
def get_shipment(request: HttpRequest, shipment_id: int) -> Shipment:
    return q.shipment_detail(_reader(request).merchant, shipment_id)
