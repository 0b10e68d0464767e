"""An exchange request names the product the customer wants instead (R4)."""

from __future__ import annotations

from aftercare.commerce.tests.factories import ProductFactory
from aftercare.returns.models import CaseLine
from aftercare.returns.tests.helpers import body_for, snapshot

BASE = "/api/v1/cases"


def _exchange_body(order, lines, product_id):  # type: ignore[no-untyped-def]
    body = body_for(order, lines[:1], type="exchange")
    body["lines"][0]["replacement_product_id"] = product_id
    return body


def test_the_wished_replacement_is_kept_on_the_case_line(api, china, order, lines) -> None:
    bigger = ProductFactory(merchant=order.merchant, sku="BOOT-43")

    response = api.post(BASE, _exchange_body(order, lines, bigger.pk))

    assert response.status_code == 201, response.content
    assert response.json()["lines"][0]["replacement_product_id"] == bigger.pk
    assert CaseLine.objects.get().replacement_product_id == bigger.pk


def test_a_refund_cannot_name_a_replacement_and_nothing_changes(api, china, order, lines) -> None:
    bigger = ProductFactory(merchant=order.merchant)
    body = _exchange_body(order, lines, bigger.pk) | {"type": "return_refund"}
    before = snapshot()

    response = api.post(BASE, body)

    assert response.status_code == 422
    assert response.json()["code"] == "invalid_replacement"
    assert snapshot() == before


def test_another_merchants_product_is_no_such_product(
    api, china, order, lines, other_merchant
) -> None:
    theirs = ProductFactory(merchant=other_merchant)
    before = snapshot()

    response = api.post(BASE, _exchange_body(order, lines, theirs.pk))

    assert response.status_code == 422
    assert response.json()["errors"][0]["loc"][-1] == "replacement_product_id"
    assert snapshot() == before
