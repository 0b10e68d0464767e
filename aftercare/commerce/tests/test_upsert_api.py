"""POST /api/v1/customers, /products, /shipments: upserts, per-record errors, body errors."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.test import override_settings

from aftercare.commerce.models import Customer, Product, Shipment
from aftercare.commerce.tests.factories import CustomerFactory, OrderFactory, ProductFactory
from aftercare.core.testing import ApiCaller, api_caller


def post(api: ApiCaller, path: str, records: list[Any]) -> dict[str, Any]:
    response = api.post(path, {"records": records})
    assert response.status_code == 200, response.content
    return response.json()


def test_customers_are_created_then_unchanged_then_updated(api, merchant) -> None:
    record = {"external_id": "C-1", "name": "陳大文", "phone": "+852 9123 4567", "tier": "vip"}

    first = post(api, "/api/v1/customers", [record])
    again = post(api, "/api/v1/customers", [record])
    changed = post(api, "/api/v1/customers", [{**record, "email": "chan@example.com"}])

    assert [b["results"][0]["result"] for b in (first, again, changed)] == [
        "created",
        "unchanged",
        "updated",
    ]
    customer = Customer.objects.get(merchant=merchant)
    assert (customer.phone, customer.email, customer.tier) == (
        "+85291234567",
        "chan@example.com",
        "vip",
    )
    assert first["results"][0]["id"] == customer.pk


def test_new_customer_gets_the_merchants_language(api, merchant) -> None:
    merchant.default_language = "zh-Hant"
    merchant.save()

    post(api, "/api/v1/customers", [{"external_id": "C-1"}])

    assert Customer.objects.get().language == "zh-Hant"


def test_bad_customer_records_get_their_own_errors(api) -> None:
    records = [
        {"external_id": "C-1", "phone": "not a phone"},
        {"external_id": "C-2", "email": "nobody"},
        {"name": "no id"},
        {"external_id": "C-3", "tier": "gold"},
        {"external_id": "C-4", "name": "ok"},
    ]

    body = post(api, "/api/v1/customers", records)

    codes = [[(e["field"], e["code"]) for e in r["errors"]] for r in body["results"]]
    assert codes == [
        [("phone", "invalid_phone")],
        [("email", "invalid_email")],
        [("external_id", "missing")],
        [("tier", "enum")],
        [],
    ]
    assert list(Customer.objects.values_list("external_id", flat=True)) == ["C-4"]
    assert (body["created"], body["errors"]) == (1, 4)


def test_customer_phone_is_read_in_the_merchants_region(api, merchant) -> None:
    merchant.default_phone_region = "HK"
    merchant.save()

    post(api, "/api/v1/customers", [{"external_id": "C-1", "phone": "9123 4567"}])

    assert Customer.objects.get().phone == "+85291234567"


def test_products_upsert_by_sku(api, merchant) -> None:
    record = {"sku": "TEE", "name": "T-shirt", "category": "apparel", "price": "49.00"}
    post(api, "/api/v1/products", [record])

    body = post(api, "/api/v1/products", [{**record, "price": 59, "is_hygiene": True}, record])

    assert body["results"][0]["errors"][0]["code"] == "duplicate_in_batch"
    body = post(api, "/api/v1/products", [{**record, "price": 59, "is_hygiene": True}])
    assert body["results"][0] | {"id": None} == {
        "index": 0,
        "external_id": "TEE",
        "result": "updated",
        "id": None,
        "errors": [],
    }
    product = Product.objects.get(merchant=merchant)
    assert (product.price, product.is_hygiene) == (Decimal("59.00"), True)


def test_product_price_with_three_decimals_is_refused(api) -> None:
    record = {"sku": "TEE", "name": "T", "category": "apparel", "price": "1.005"}

    body = post(api, "/api/v1/products", [record])

    assert body["results"][0]["errors"][0]["code"] == "decimal_max_places"
    assert not Product.objects.exists()


def test_shipments_upsert_and_refer_to_orders_by_number(api, merchant) -> None:
    order = OrderFactory(merchant=merchant, external_id="SO-1")
    record = {
        "external_id": "SH-1",
        "order_external_id": "SO-1",
        "carrier": "sf",
        "tracking_number": "SF123",
        "status": "in_transit",
        "shipped_at": "2026-03-02T09:00:00+08:00",
    }
    post(api, "/api/v1/shipments", [record])

    body = post(
        api,
        "/api/v1/shipments",
        [{**record, "status": "delivered", "delivered_at": "2026-03-04T15:00:00+08:00"}],
    )

    assert body["results"][0]["result"] == "updated"
    shipment = Shipment.objects.get(merchant=merchant)
    assert shipment.order == order and shipment.status == "delivered"
    assert shipment.shipped_at is not None  # not sent again, kept


def test_bad_shipments_are_refused(api, merchant) -> None:
    OrderFactory(merchant=merchant, external_id="SO-1")
    base = {"order_external_id": "SO-1", "carrier": "sf", "tracking_number": "SF1"}
    records = [
        {**base, "external_id": "SH-1", "order_external_id": "SO-404", "status": "pending"},
        {**base, "external_id": "SH-2", "status": "delivered"},
        {
            **base,
            "external_id": "SH-3",
            "status": "delivered",
            "shipped_at": "2026-03-05T00:00:00Z",
            "delivered_at": "2026-03-01T00:00:00Z",
        },
    ]

    body = post(api, "/api/v1/shipments", records)

    assert [r["errors"][0]["code"] for r in body["results"]] == [
        "unknown_order",
        "required",
        "before_shipped",
    ]
    assert not Shipment.objects.exists()


def test_malformed_json_is_400_and_changes_nothing(api) -> None:
    response = api.post("/api/v1/customers", raw='{"records": [')

    assert response.status_code == 400
    assert response["Content-Type"] == "application/problem+json"
    assert response.json()["code"] == "malformed_body"
    assert not Customer.objects.exists()


def test_wrong_top_level_shape_is_422_and_changes_nothing(api) -> None:
    for body in ({"customers": []}, {"records": {"external_id": "C-1"}}, [{"external_id": "C"}]):
        response = api.post("/api/v1/customers", body)

        assert response.status_code == 422, body
        assert response.json()["code"] == "validation_failed"
    response = api.post("/api/v1/customers", {"records": [{"external_id": "C-1"}, "C-2"]})
    assert response.status_code == 422
    assert not Customer.objects.exists()


@override_settings(API_MAX_BATCH=3)
def test_too_many_records_is_413_and_changes_nothing(api) -> None:
    records = [{"external_id": f"C-{n}"} for n in range(4)]

    response = api.post("/api/v1/customers", {"records": records})

    assert response.status_code == 413
    assert response.json()["code"] == "payload_too_large"
    assert not Customer.objects.exists()


def test_a_thousand_records_are_accepted(api) -> None:
    records = [{"external_id": f"C-{n}", "phone": f"1380013{n:04d}"} for n in range(1000)]

    body = post(api, "/api/v1/customers", records)

    assert body["created"] == 1000
    assert Customer.objects.count() == 1000


def test_writing_needs_commerce_write(merchant) -> None:
    reader = api_caller(merchant, scopes=["commerce.read"])

    response = reader.post("/api/v1/customers", {"records": [{"external_id": "C-1"}]})

    assert response.status_code == 403
    assert response.json()["code"] == "forbidden"
    assert not Customer.objects.exists()


def test_agent_session_cannot_write_but_supervisor_can(client, agent, supervisor) -> None:
    body = {"records": [{"external_id": "C-1"}]}
    client.force_login(agent.user)
    assert (
        client.post("/api/v1/customers", body, content_type="application/json").status_code == 403
    )

    client.force_login(supervisor.user)
    response = client.post("/api/v1/customers", body, content_type="application/json")
    assert response.status_code == 200
    assert response.json()["created"] == 1


def test_unchanged_records_keep_their_ids(api, merchant) -> None:
    customer = CustomerFactory(merchant=merchant, external_id="C-1", name="A", phone="")
    product = ProductFactory(merchant=merchant, sku="TEE")

    customers = post(api, "/api/v1/customers", [{"external_id": "C-1", "name": "A"}])
    products = post(
        api,
        "/api/v1/products",
        [{"sku": "TEE", "name": product.name, "category": "apparel", "price": "99.00"}],
    )

    assert customers["results"][0] | {"errors": []} == {
        "index": 0,
        "external_id": "C-1",
        "result": "unchanged",
        "id": customer.pk,
        "errors": [],
    }
    assert products["results"][0]["result"] == "unchanged"
