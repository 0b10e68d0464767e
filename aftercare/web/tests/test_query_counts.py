"""Pages cost the same number of queries whatever the size of what they show.

Each page is rendered twice: once for a small history (one line, one case) and once for a
large one (eight lines, four cases, each case with its timeline). A page whose query count
grows with the rows it lists has an N+1 and fails here with both counts shown.
"""

from __future__ import annotations

from collections.abc import Callable

import pytest
from django.core.cache import cache
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from aftercare.commerce.models import Order
from aftercare.core.actors import Actor
from aftercare.merchants.models import Member, Merchant, Store
from aftercare.policies.tests.factories import delivered_order
from aftercare.returns.models import Case
from aftercare.returns.tests.helpers import install_policy, open_case

pytestmark = pytest.mark.django_db

PHONE = "+8613812345678"


def _order_with_cases(merchant: Merchant, store: Store, *, lines: int, cases: int) -> Order:
    order, order_lines = delivered_order(merchant, store, lines=lines)
    order.customer.phone = PHONE
    order.customer.save(update_fields=["phone"])
    for line in order_lines[:cases]:
        open_case(Actor.system(merchant), order, [line])
    return order


def _queries(client: Client, url: str) -> int:
    client.get(url)  # warm per-process caches (translations, the merchant's desk)
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url)
    assert response.status_code == 200, (url, response.status_code)
    return len(captured)


def _portal_client(order: Order) -> Client:
    cache.clear()  # the portal's attempt counters
    client = Client()
    found = client.post("/portal/acme/", {"order_number": order.external_id, "contact": PHONE})
    assert found.status_code == 302
    return client


def _first_case(order: Order) -> Case:
    case = Case.objects.filter(order=order).order_by("pk").first()
    assert case is not None
    return case


Page = Callable[[Order], str]
CONSOLE_PAGES: dict[str, Page] = {
    "case list": lambda order: "/cases/",
    "case page": lambda order: f"/cases/{_first_case(order).pk}/",
    "order page": lambda order: f"/orders/{order.pk}/",
    "orders table": lambda order: f"/orders/table/?q={order.external_id}",
}
PORTAL_PAGES: dict[str, Page] = {
    "portal order": lambda order: "/portal/acme/order/",
    "portal case": lambda order: f"/portal/acme/cases/{_first_case(order).pk}/",
}


@pytest.fixture
def small_and_large(merchant: Merchant, store: Store) -> tuple[Order, Order]:
    install_policy(merchant, "custom")
    small = _order_with_cases(merchant, store, lines=1, cases=1)
    large = _order_with_cases(merchant, store, lines=8, cases=4)
    return small, large


@pytest.mark.parametrize("page", sorted(CONSOLE_PAGES))
def test_console_page_queries_do_not_grow_with_history(
    page: str, small_and_large: tuple[Order, Order], agent: Member
) -> None:
    small, large = small_and_large
    client = Client()
    client.force_login(agent.user)

    counts = [_queries(client, CONSOLE_PAGES[page](order)) for order in (small, large)]

    assert counts[0] == counts[1], f"{page}: {counts[0]} queries for one case, {counts[1]} for four"


@pytest.mark.parametrize("page", sorted(PORTAL_PAGES))
def test_portal_page_queries_do_not_grow_with_history(
    page: str, small_and_large: tuple[Order, Order]
) -> None:
    counts = [
        _queries(_portal_client(order), PORTAL_PAGES[page](order)) for order in small_and_large
    ]

    assert counts[0] == counts[1], f"{page}: {counts[0]} queries for one case, {counts[1]} for four"
