"""GET /api/v1/customers, /products, /orders, /shipments: filters, pagination, scoping."""

from __future__ import annotations

from datetime import timedelta

from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from aftercare.commerce.tests.factories import (
    CustomerFactory,
    OrderFactory,
    OrderLineFactory,
    PaymentFactory,
    ProductFactory,
    ShipmentFactory,
)
from aftercare.core.testing import StoreFactory, api_caller


def ids(response) -> list[int]:
    assert response.status_code == 200, response.content
    return [item["id"] for item in response.json()["items"]]


def test_customers_filter_by_phone_in_any_format_email_id_and_tier(api, merchant) -> None:
    vip = CustomerFactory(merchant=merchant, phone="+8613800138000", tier="vip")
    other = CustomerFactory(merchant=merchant, email="Ann@Example.com")

    assert ids(api.get("/api/v1/customers?q=138-0013-8000")) == [vip.pk]
    assert ids(api.get("/api/v1/customers?q=ann@example.com")) == [other.pk]
    assert ids(api.get(f"/api/v1/customers?q={other.external_id}")) == [other.pk]
    assert ids(api.get("/api/v1/customers?tier=vip")) == [vip.pk]
    assert ids(api.get("/api/v1/customers")) == [other.pk, vip.pk]


def test_customer_detail(api, merchant) -> None:
    customer = CustomerFactory(merchant=merchant, name="王小明")

    body = api.get(f"/api/v1/customers/{customer.pk}").json()

    assert (body["id"], body["name"], body["phone"]) == (customer.pk, "王小明", customer.phone)


def test_products_filter_and_paginate(api, merchant) -> None:
    products = [ProductFactory(merchant=merchant, sku=f"S{n}", category="toys") for n in range(5)]
    ProductFactory(merchant=merchant, sku="X", name="Face cream", category="beauty")

    first = api.get("/api/v1/products?category=toys&limit=2").json()
    last = api.get("/api/v1/products?category=toys&limit=2&offset=4").json()

    assert [p["sku"] for p in first["items"]] == ["S0", "S1"] and first["has_more"]
    assert [p["id"] for p in last["items"]] == [products[4].pk] and not last["has_more"]
    assert [p["sku"] for p in api.get("/api/v1/products?q=cream").json()["items"]] == ["X"]
    assert api.get(f"/api/v1/products/{products[0].pk}").json()["category"] == "toys"


def test_orders_search_and_filters(api, merchant) -> None:
    now = timezone.now()
    store = StoreFactory(merchant=merchant, code="tmall")
    old = OrderFactory(merchant=merchant, placed_at=now - timedelta(days=300), status="completed")
    new = OrderFactory(merchant=merchant, store=store, placed_at=now - timedelta(days=1))
    shipment = ShipmentFactory(merchant=merchant, order=new)
    phone = new.customer.phone.replace("+86", "")

    assert ids(api.get("/api/v1/orders")) == [new.pk, old.pk]
    assert ids(api.get(f"/api/v1/orders?q={old.external_id}")) == [old.pk]
    assert ids(api.get(f"/api/v1/orders?q={shipment.tracking_number}")) == [new.pk]
    assert ids(api.get(f"/api/v1/orders?q={phone}")) == [new.pk]
    assert ids(api.get("/api/v1/orders?status=completed")) == [old.pk]
    assert ids(api.get(f"/api/v1/orders?customer_id={old.customer_id}")) == [old.pk]
    assert ids(api.get("/api/v1/orders?store=tmall")) == [new.pk]
    after = (now - timedelta(days=30)).isoformat().replace("+00:00", "Z")
    assert ids(api.get(f"/api/v1/orders?placed_after={after}")) == [new.pk]
    assert ids(api.get(f"/api/v1/orders?placed_before={after}")) == [old.pk]


def test_order_list_costs_the_same_queries_for_more_orders(api, merchant) -> None:
    OrderFactory(merchant=merchant)
    api.get("/api/v1/orders")
    with CaptureQueriesContext(connection) as one:
        api.get("/api/v1/orders")
    OrderFactory.create_batch(10, merchant=merchant)
    with CaptureQueriesContext(connection) as many:
        response = api.get("/api/v1/orders")

    assert len(response.json()["items"]) == 11
    assert len(one) == len(many)


def test_order_detail_has_lines_payments_and_shipments(api, merchant) -> None:
    order = OrderFactory(merchant=merchant)
    line = OrderLineFactory(order=order, line_no=1)
    payment = PaymentFactory(order=order)
    shipment = ShipmentFactory(order=order)

    body = api.get(f"/api/v1/orders/{order.pk}").json()

    assert body["store"] == order.store.code
    assert body["customer"]["external_id"] == order.customer.external_id
    assert [x["sku"] for x in body["lines"]] == [line.sku]
    assert [x["external_id"] for x in body["payments"]] == [payment.external_id]
    assert [x["order_external_id"] for x in body["shipments"]] == [order.external_id]
    assert shipment.tracking_number == body["shipments"][0]["tracking_number"]


def test_shipments_filter(api, merchant) -> None:
    sf = ShipmentFactory(merchant=merchant, carrier="sf", status="in_transit")
    zto = ShipmentFactory(merchant=merchant, carrier="zto")

    assert ids(api.get("/api/v1/shipments?carrier=sf")) == [sf.pk]
    assert ids(api.get("/api/v1/shipments?status=delivered")) == [zto.pk]
    assert ids(api.get(f"/api/v1/shipments?tracking_number={zto.tracking_number}")) == [zto.pk]
    body = api.get(f"/api/v1/shipments/{sf.pk}").json()
    assert body["order_external_id"] == sf.order.external_id


def test_reading_needs_commerce_read(merchant) -> None:
    caller = api_caller(merchant, scopes=["merchant.read"])

    response = caller.get("/api/v1/orders")

    assert response.status_code == 403


def test_missing_object_is_404_problem(api) -> None:
    response = api.get("/api/v1/orders/999999")

    assert response.status_code == 404
    assert response["Content-Type"] == "application/problem+json"
    assert response.json()["code"] == "not_found"
