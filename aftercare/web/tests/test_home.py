"""The console home page: the merchant's recent orders, search, paging, and who may see it."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.contrib.auth import get_user_model
from django.test import Client
from django.utils import timezone

from aftercare.commerce.models import Order, ShipmentStatus
from aftercare.commerce.tests.factories import (
    CustomerFactory,
    OrderFactory,
    ShipmentFactory,
)
from aftercare.core.testing import PASSWORD
from aftercare.merchants.models import Member, Merchant
from aftercare.web.listing import PAGE_SIZE

pytestmark = pytest.mark.django_db


@pytest.fixture
def agent_client(agent: Member) -> Client:
    client = Client()
    client.force_login(agent.user)
    return client


def make_orders(merchant: Merchant, count: int) -> list[Order]:
    now = timezone.now()
    orders = []
    for i in range(count):
        order = OrderFactory(merchant=merchant, placed_at=now - timedelta(hours=i))
        ShipmentFactory(order=order, merchant=merchant)
        orders.append(order)
    return orders


def test_anonymous_visitor_is_sent_to_login(client: Client) -> None:
    response = client.get("/")

    assert response.status_code == 302
    assert response["Location"].startswith("/login/?next=/")


def test_expired_session_sends_htmx_to_the_login_page(client: Client) -> None:
    response = client.get(
        "/orders/table/",
        {"q": "x"},
        HTTP_HX_REQUEST="true",
        HTTP_HX_CURRENT_URL="http://testserver/?q=x",
    )

    assert response.status_code == 204
    assert response["HX-Redirect"] == "/login/?next=/%3Fq%3Dx"


def test_user_without_membership_gets_an_explanation(client: Client) -> None:
    user = get_user_model().objects.create_user(username="drifter", password=PASSWORD)
    client.force_login(user)

    response = client.get("/")

    assert response.status_code == 403
    assert "not a member of any" in response.content.decode()


def test_home_lists_the_merchants_recent_orders(agent_client: Client, merchant: Merchant) -> None:
    customer = CustomerFactory(merchant=merchant, name="王芳", phone="+8613912345678")
    order = OrderFactory(merchant=merchant, customer=customer, external_id="TM-1001")
    ShipmentFactory(
        order=order,
        merchant=merchant,
        tracking_number="SF1400000001",
        carrier="sf",
        status=ShipmentStatus.IN_TRANSIT,
        delivered_at=None,
    )

    page = agent_client.get("/").content.decode()

    assert "TM-1001" in page
    assert "王芳" in page
    assert "+86 139 1234 5678" in page
    assert "SF1400000001" in page
    assert "SF Express" in page
    assert "In transit" in page
    assert "¥198.00" in page


def test_home_never_shows_another_merchants_orders(
    agent_client: Client, other_merchant: Merchant
) -> None:
    OrderFactory(merchant=other_merchant, external_id="RIVAL-1")

    page = agent_client.get("/").content.decode()

    assert "RIVAL-1" not in page
    assert "No orders yet." in page


@pytest.mark.parametrize("typed", ["139 1234 5678", "+86 139-1234-5678", "13912345678"])
def test_search_by_phone_in_any_common_format(
    agent_client: Client, merchant: Merchant, typed: str
) -> None:
    customer = CustomerFactory(merchant=merchant, phone="+8613912345678")
    OrderFactory(merchant=merchant, customer=customer, external_id="WANTED")
    OrderFactory(merchant=merchant, external_id="UNWANTED")

    page = agent_client.get("/", {"q": typed}).content.decode()

    assert "WANTED" in page
    assert "UNWANTED" not in page


def test_search_by_email_order_number_and_tracking(
    agent_client: Client, merchant: Merchant
) -> None:
    customer = CustomerFactory(merchant=merchant, email="emily@example.com")
    by_email = OrderFactory(merchant=merchant, customer=customer, external_id="BY-EMAIL")
    by_number = OrderFactory(merchant=merchant, external_id="BY-NUMBER")
    by_tracking = OrderFactory(merchant=merchant, external_id="BY-TRACKING")
    ShipmentFactory(order=by_tracking, merchant=merchant, tracking_number="YT7788990011")

    everything = {by_email.external_id, by_number.external_id, by_tracking.external_id}
    for query, expected in [
        ("Emily@Example.com", by_email),
        ("BY-NUMBER", by_number),
        ("YT7788990011", by_tracking),
    ]:
        page = agent_client.get("/", {"q": query}).content.decode()
        assert expected.external_id in page, query
        for other in everything - {expected.external_id}:
            assert f">{other}<" not in page, query


def test_search_without_a_match_says_so(agent_client: Client, merchant: Merchant) -> None:
    OrderFactory(merchant=merchant)

    page = agent_client.get("/", {"q": "NOPE-404"}).content.decode()

    assert "No orders match “NOPE-404”." in page


def test_partial_returns_only_the_table_and_pushes_the_address(
    agent_client: Client, merchant: Merchant
) -> None:
    OrderFactory(merchant=merchant, external_id="TM-2002")

    response = agent_client.get("/orders/table/", {"q": "TM-2002"}, HTTP_HX_REQUEST="true")

    body = response.content.decode()
    assert response.status_code == 200
    assert body.lstrip().startswith('<section id="orders"')
    assert "<html" not in body
    assert "TM-2002" in body
    assert response["HX-Push-Url"] == "/?q=TM-2002"


def test_pages_hold_25_orders_and_link_to_more(agent_client: Client, merchant: Merchant) -> None:
    orders = make_orders(merchant, PAGE_SIZE + 2)

    first = agent_client.get("/").content.decode()
    second = agent_client.get("/", {"page": 2}).content.decode()
    rows = agent_client.get("/orders/table/", {"page": 2, "part": "rows"}).content.decode()

    assert first.count('class="order-number"') == PAGE_SIZE
    assert 'href="/?page=2"' in first
    assert second.count('class="order-number"') == 2
    assert orders[-1].external_id in second
    assert "More orders" not in second
    assert rows.count('class="order-number"') == 2
    assert "<table" not in rows


@pytest.mark.parametrize("rows", [1, PAGE_SIZE])
def test_query_count_does_not_grow_with_rows(
    agent_client: Client,
    merchant: Merchant,
    rows: int,
    django_assert_max_num_queries: object,
) -> None:
    make_orders(merchant, rows)

    with django_assert_max_num_queries(6):  # type: ignore[operator]
        response = agent_client.get("/")

    assert response.content.decode().count('class="order-number"') == rows


def test_phone_search_query_count_is_constant(
    agent_client: Client, merchant: Merchant, django_assert_max_num_queries: object
) -> None:
    customer = CustomerFactory(merchant=merchant, phone="+8613912345678")
    for _ in range(5):
        order = OrderFactory(merchant=merchant, customer=customer)
        ShipmentFactory(order=order, merchant=merchant)

    with django_assert_max_num_queries(7):  # type: ignore[operator]
        response = agent_client.get("/", {"q": "139 1234 5678"})

    assert response.content.decode().count('class="order-number"') == 5
