"""The console's order list: one page of a merchant's orders, optionally filtered by a search.

Pages are fetched with one extra row instead of a COUNT, so a "more" link costs nothing on a
million orders and the number of queries does not depend on the number of rows.
"""

from __future__ import annotations

from dataclasses import dataclass

from aftercare.commerce.models import Order
from aftercare.commerce.queries import search_orders
from aftercare.merchants.models import Merchant

PAGE_SIZE = 25
MAX_PAGE = 400  # deeper than this, an agent should search instead of paging
MAX_QUERY_LENGTH = 100


@dataclass(frozen=True)
class OrderPage:
    orders: list[Order]
    query: str
    page: int
    has_more: bool

    @property
    def first_number(self) -> int:
        return (self.page - 1) * PAGE_SIZE + 1

    @property
    def last_number(self) -> int:
        return self.first_number + len(self.orders) - 1


def parse_page(raw: str | None) -> int:
    try:
        page = int(raw or 1)
    except ValueError:
        return 1
    return min(max(page, 1), MAX_PAGE)


def clean_query(raw: str | None) -> str:
    return (raw or "").strip()[:MAX_QUERY_LENGTH]


def order_page(merchant: Merchant, *, query: str, page: int) -> OrderPage:
    start = (page - 1) * PAGE_SIZE
    rows = list(search_orders(merchant, query)[start : start + PAGE_SIZE + 1])
    return OrderPage(
        orders=rows[:PAGE_SIZE], query=query, page=page, has_more=len(rows) > PAGE_SIZE
    )
