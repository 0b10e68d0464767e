"""The portal's exchange: the customer picks what they want instead of each line (R4)."""

from __future__ import annotations

import pytest
from django.core.cache import cache
from django.test import Client

from aftercare.commerce.models import Order, OrderLine
from aftercare.commerce.tests.factories import ProductFactory
from aftercare.merchants.models import Merchant, Store
from aftercare.policies.tests.factories import delivered_order
from aftercare.returns.models import Case, CaseLine
from aftercare.returns.tests.helpers import install_policy

pytestmark = pytest.mark.django_db
PHONE = "+8613812345678"


@pytest.fixture
def shop(merchant: Merchant, store: Store) -> tuple[Order, list[OrderLine]]:
    cache.clear()
    install_policy(merchant, "custom")
    order, lines = delivered_order(merchant, store)
    order.customer.phone = PHONE
    order.customer.save(update_fields=["phone"])
    return order, lines


def _signed_in(client: Client, order: Order) -> None:
    found = client.post("/portal/acme/", {"order_number": order.external_id, "contact": PHONE})
    assert found.status_code == 302


def _ask(client: Client, line: OrderLine, kind: str, replacement: int) -> None:
    client.post(
        "/portal/acme/order/request/",
        {
            "type": kind,
            "reason": "size",
            f"qty_{line.pk}": "1",
            f"condition_{line.pk}": "unopened",
            f"replacement_{line.pk}": str(replacement),
        },
    )


def test_the_order_page_offers_products_of_the_same_category(client: Client, shop) -> None:
    order, lines = shop
    category = lines[0].product.category
    bigger = ProductFactory(merchant=order.merchant, category=category, name="Boot size 43")
    ProductFactory(merchant=order.merchant, category="unrelated-kitchen", name="Kettle")
    _signed_in(client, order)

    page = client.get("/portal/acme/order/").content.decode()

    assert f'name="replacement_{lines[0].pk}"' in page
    assert f'value="{bigger.pk}"' in page and "Boot size 43" in page
    assert "Kettle" not in page


def test_an_exchange_keeps_the_chosen_replacement(client: Client, shop) -> None:
    order, lines = shop
    bigger = ProductFactory(merchant=order.merchant, category=lines[0].product.category)
    _signed_in(client, order)

    _ask(client, lines[0], "exchange", bigger.pk)

    case = Case.objects.get(order=order)
    assert case.type == "exchange"
    assert CaseLine.objects.get(case=case).replacement_product_id == bigger.pk


def test_a_return_ignores_the_replacement_field(client: Client, shop) -> None:
    order, lines = shop
    _signed_in(client, order)

    _ask(client, lines[0], "return_refund", lines[1].product_id)

    line = CaseLine.objects.get(case__order=order)
    assert line.replacement_product_id is None
