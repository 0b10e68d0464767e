"""POST /api/v1/orders: bulk idempotent upsert of orders with lines, payments and customers."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from aftercare.commerce.models import Customer, Order, OrderLine, Payment
from aftercare.commerce.tests.factories import CustomerFactory, ProductFactory
from aftercare.core.models import AuditEvent
from aftercare.core.testing import ApiCaller, api_caller
from aftercare.merchants.models import Merchant, Store


def order_record(number: str = "SO-1", **changes: Any) -> dict[str, Any]:
    record: dict[str, Any] = {
        "external_id": number,
        "store": "web",
        "customer": {"external_id": "C-1", "name": "王小明", "phone": "138 0013 8000"},
        "status": "paid",
        "placed_at": "2026-03-01T10:00:00+08:00",
        "shipping_fee": "10.00",
        "total": "208.00",
        "lines": [
            {"line_no": 1, "sku": "TEE", "quantity": 2, "unit_price": "49.00"},
            {"line_no": 2, "sku": "MUG", "quantity": 1, "unit_price": "100.00"},
        ],
        "payments": [{"external_id": f"PAY-{number}", "method": "alipay", "amount": "208.00"}],
    }
    record.update(changes)
    return record


@pytest.fixture
def catalogue(merchant: Merchant, store: Store) -> None:
    ProductFactory(merchant=merchant, sku="TEE", name="T-shirt", price=Decimal("49.00"))
    ProductFactory(merchant=merchant, sku="MUG", name="Mug", price=Decimal("100.00"))


def post(api: ApiCaller, records: list[dict[str, Any]]) -> dict[str, Any]:
    response = api.post("/api/v1/orders", {"records": records})
    assert response.status_code == 200, response.content
    return response.json()


def test_new_order_is_created_with_lines_payment_and_customer(api, merchant, catalogue) -> None:
    body = post(api, [order_record()])

    assert body["created"] == 1 and body["errors"] == 0
    result = body["results"][0]
    assert (result["index"], result["external_id"], result["result"]) == (0, "SO-1", "created")
    order = Order.objects.get(pk=result["id"], merchant=merchant)
    assert (order.subtotal, order.total, order.status) == (Decimal("198"), Decimal("208"), "paid")
    assert order.customer.phone == "+8613800138000"
    assert [
        (line.line_no, line.name, line.quantity) for line in order.lines.order_by("line_no")
    ] == [
        (1, "T-shirt", 2),
        (2, "Mug", 1),
    ]
    assert order.payments.get().amount == Decimal("208.00")
    assert AuditEvent.objects.filter(kind="order:created", subject_id=order.pk).exists()


def test_resending_the_same_batch_is_unchanged_and_writes_nothing(api, catalogue) -> None:
    post(api, [order_record("SO-1"), order_record("SO-2")])
    audit_rows = AuditEvent.objects.count()

    body = post(api, [order_record("SO-1"), order_record("SO-2")])

    assert [r["result"] for r in body["results"]] == ["unchanged", "unchanged"]
    assert AuditEvent.objects.count() == audit_rows


def test_changed_line_quantity_updates_the_order(api, catalogue) -> None:
    post(api, [order_record()])
    record = order_record(total="257.00")
    record["lines"][0]["quantity"] = 3
    record["payments"][0]["amount"] = "257.00"

    body = post(api, [record])

    assert body["results"][0]["result"] == "updated"
    assert OrderLine.objects.get(line_no=1).quantity == 3
    assert Order.objects.get().total == Decimal("257.00")
    assert OrderLine.objects.count() == 2


def test_adding_a_line_keeps_line_ids(api, catalogue) -> None:
    post(api, [order_record()])
    first_ids = set(OrderLine.objects.values_list("id", flat=True))
    record = order_record(total="257.00")
    record["lines"].append({"line_no": 3, "sku": "TEE", "quantity": 1, "unit_price": "49.00"})
    record["payments"][0]["amount"] = "257.00"

    body = post(api, [record])

    assert body["results"][0]["result"] == "updated"
    assert first_ids < set(OrderLine.objects.values_list("id", flat=True))


def test_resent_order_missing_a_line_is_refused_and_keeps_its_lines(api, catalogue) -> None:
    post(api, [order_record()])
    record = order_record(total="110.00")
    record["lines"] = record["lines"][1:]
    record["payments"][0]["amount"] = "110.00"

    body = post(api, [record])

    result = body["results"][0]
    assert result["result"] == "error"
    assert [e["code"] for e in result["errors"]] == ["lines_missing"]
    assert OrderLine.objects.count() == 2
    assert Order.objects.get().total == Decimal("208.00")


@pytest.mark.parametrize(
    ("changes", "field", "code"),
    [
        ({"store": "nope"}, "store", "unknown_store"),
        ({"total": "999.00"}, "total", "total_mismatch"),
        ({"subtotal": "1.00"}, "subtotal", "subtotal_mismatch"),
        ({"status": "lost"}, "status", "enum"),
        (
            {"customer": None, "customer_external_id": "C-404"},
            "customer_external_id",
            "unknown_customer",
        ),
        ({"customer": {"external_id": "C-1", "phone": "12"}}, "customer.phone", "invalid_phone"),
        ({"customer": None}, "customer_external_id", "required"),
        ({"discount_total": "500.00", "total": None}, "discount_total", "discount_too_large"),
        ({"placed_at": "yesterday"}, "placed_at", "datetime_from_date_parsing"),
        ({"colour": "red"}, "colour", "extra_forbidden"),
        ({"lines": []}, "lines", "too_short"),
    ],
)
def test_invalid_order_gets_errors_and_changes_nothing(
    api, catalogue, changes: dict[str, Any], field: str, code: str
) -> None:
    body = post(api, [order_record("SO-BAD", **changes), order_record("SO-OK")])

    bad, good = body["results"]
    assert bad["result"] == "error" and bad["id"] is None
    assert (field, code) in [(e["field"], e["code"]) for e in bad["errors"]], bad["errors"]
    assert good["result"] == "created"
    assert list(Order.objects.values_list("external_id", flat=True)) == ["SO-OK"]


@pytest.mark.parametrize(
    ("line_changes", "field", "code"),
    [
        ({"quantity": -1}, "lines.0.quantity", "greater_than_equal"),
        ({"quantity": 0}, "lines.0.quantity", "greater_than_equal"),
        ({"sku": "GHOST"}, "lines.0.sku", "unknown_product"),
        ({"unit_price": "-1"}, "lines.0.unit_price", "greater_than_equal"),
        ({"discount": "99.00"}, "lines.0.discount", "discount_too_large"),
        ({"line_no": 2}, "lines.1.line_no", "duplicate_line_no"),
    ],
)
def test_invalid_line_rejects_its_order(
    api, catalogue, line_changes: dict[str, Any], field: str, code: str
) -> None:
    record = order_record(total=None, payments=[])
    record["lines"][0].update(line_changes)

    body = post(api, [record])

    errors = body["results"][0]["errors"]
    assert (field, code) in [(e["field"], e["code"]) for e in errors], errors
    assert not Order.objects.exists() and not Customer.objects.exists()


def test_duplicate_order_numbers_in_a_batch_are_both_refused(api, catalogue) -> None:
    body = post(api, [order_record("SO-1"), order_record("SO-1"), order_record("SO-2")])

    assert [r["result"] for r in body["results"]] == ["error", "error", "created"]
    assert body["results"][0]["errors"][0]["code"] == "duplicate_in_batch"


def test_payment_reference_of_another_order_is_refused(api, catalogue) -> None:
    post(api, [order_record("SO-1")])
    record = order_record("SO-2")
    record["payments"][0]["external_id"] = "PAY-SO-1"

    body = post(api, [record])

    assert body["results"][0]["errors"][0]["code"] == "payment_of_other_order"
    assert Payment.objects.get().order.external_id == "SO-1"


def test_overpayment_is_refused(api, catalogue) -> None:
    record = order_record()
    record["payments"][0]["amount"] = "300.00"

    body = post(api, [record])

    assert body["results"][0]["errors"][0]["code"] == "overpaid"


def test_order_can_reference_an_existing_customer(api, merchant, catalogue) -> None:
    customer = CustomerFactory(merchant=merchant, external_id="C-9", tier="vip")

    body = post(api, [order_record(customer=None, customer_external_id="C-9")])

    assert Order.objects.get(pk=body["results"][0]["id"]).customer == customer


def test_embedded_customer_keeps_fields_it_does_not_send(api, merchant, catalogue) -> None:
    CustomerFactory(merchant=merchant, external_id="C-1", tier="vip", name="王小明")

    post(api, [order_record()])

    customer = Customer.objects.get(external_id="C-1")
    assert customer.tier == "vip"
    assert customer.phone == "+8613800138000"


def test_conflicting_embedded_customers_refuse_the_later_order(api, catalogue) -> None:
    first = order_record("SO-1")
    second = order_record("SO-2", customer={"external_id": "C-1", "name": "Someone else"})

    body = post(api, [first, second])

    assert [r["result"] for r in body["results"]] == ["created", "error"]
    assert body["results"][1]["errors"][0]["code"] == "customer_conflict"


def test_orders_of_a_batch_may_share_an_embedded_customer(api, catalogue) -> None:
    second = order_record("SO-2", customer=None, customer_external_id="C-1")

    body = post(api, [order_record("SO-1"), second])

    assert [r["result"] for r in body["results"]] == ["created", "created"]
    assert Customer.objects.count() == 1


def test_naive_placed_at_is_read_in_the_merchant_time_zone(api, catalogue) -> None:
    post(api, [order_record(placed_at="2026-03-01 10:00:00")])

    assert Order.objects.get().placed_at.isoformat() == "2026-03-01T02:00:00+00:00"


def test_same_order_number_at_another_merchant_is_separate(api, other_merchant, catalogue) -> None:
    post(api, [order_record("SO-1")])
    StoreRival = Store.objects.create(merchant=other_merchant, code="web", name="R", channel="jd")
    ProductFactory(merchant=other_merchant, sku="TEE")
    ProductFactory(merchant=other_merchant, sku="MUG")

    body = post(api_caller(other_merchant), [order_record("SO-1")])

    assert body["results"][0]["result"] == "created"
    assert Order.objects.filter(external_id="SO-1").count() == 2
    assert Order.objects.get(merchant=other_merchant).store == StoreRival


def _batch_queries(api: ApiCaller, start: int, size: int) -> int:
    records = [
        order_record(f"SO-{n}", customer={"external_id": f"C-{n}"})
        for n in range(start, start + size)
    ]
    with CaptureQueriesContext(connection) as captured:
        body = post(api, records)
    assert body["created"] == size
    return len(captured)


def test_query_count_does_not_grow_with_batch_size(api, catalogue) -> None:
    api.get("/api/v1/me")  # the key's first use of the minute records last_used_at
    small = _batch_queries(api, 0, 10)
    large = _batch_queries(api, 1000, 100)

    assert small == large
    assert large <= 20


def test_resent_batch_query_count_does_not_grow_with_size(api, catalogue) -> None:
    _batch_queries(api, 0, 10)
    _batch_queries(api, 1000, 100)
    with CaptureQueriesContext(connection) as small:
        post(api, [order_record(f"SO-{n}", customer={"external_id": f"C-{n}"}) for n in range(10)])
    with CaptureQueriesContext(connection) as large:
        post(
            api,
            [
                order_record(f"SO-{n}", customer={"external_id": f"C-{n}"})
                for n in range(1000, 1100)
            ],
        )

    assert len(small) == len(large)
