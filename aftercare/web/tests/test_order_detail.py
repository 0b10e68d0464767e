"""The order page: lines, payments and shipments of one order of the agent's merchant."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.test import Client

from aftercare.commerce.tests.factories import (
    OrderFactory,
    OrderLineFactory,
    PaymentFactory,
    ShipmentFactory,
)
from aftercare.merchants.models import Member, Merchant

pytestmark = pytest.mark.django_db


def test_order_page_shows_lines_payments_and_shipments(
    client: Client, agent: Member, merchant: Merchant
) -> None:
    order = OrderFactory(merchant=merchant, external_id="JD-5001", total=Decimal("1299.00"))
    OrderLineFactory(order=order, merchant=merchant, sku="SCARF-01", name="羊绒围巾", quantity=1)
    PaymentFactory(order=order, merchant=merchant, method="wechat_pay")
    ShipmentFactory(order=order, merchant=merchant, carrier="zto", tracking_number="ZT123")
    client.force_login(agent.user)

    page = client.get(f"/orders/{order.pk}/").content.decode()

    assert "Order JD-5001" in page
    assert "SCARF-01" in page
    assert "羊绒围巾" in page
    assert "WeChat Pay" in page
    assert "ZTO Express" in page
    assert "ZT123" in page
    assert "¥1,299.00" in page


def test_another_merchants_order_is_not_found(
    client: Client, agent: Member, other_merchant: Merchant
) -> None:
    theirs = OrderFactory(merchant=other_merchant)
    client.force_login(agent.user)

    assert client.get(f"/orders/{theirs.pk}/").status_code == 404
    assert client.get("/orders/999999/").status_code == 404


def test_order_page_query_count_is_constant(
    client: Client, agent: Member, merchant: Merchant, django_assert_max_num_queries: object
) -> None:
    order = OrderFactory(merchant=merchant)
    for _ in range(4):
        OrderLineFactory(order=order, merchant=merchant)
        ShipmentFactory(order=order, merchant=merchant)
    client.force_login(agent.user)

    with django_assert_max_num_queries(7):  # type: ignore[operator]
        assert client.get(f"/orders/{order.pk}/").status_code == 200
