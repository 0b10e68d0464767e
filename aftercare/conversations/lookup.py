"""The customer 360 (S2) as the console's templates need it: model instances (display
labels, URLs) in a fixed set of queries, each bounded by LIMIT, so a customer with ten
thousand orders costs the same as one with one.

Identifying the customer, the limits and the API's answer (plain rows from hand-written SQL,
the hot path) live in lookup_rows; a test holds the two to the same contents.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from django.apps import apps
from django.db.models import Prefetch

from aftercare.commerce.models import Customer, Order, OrderLine, Shipment
from aftercare.conversations import lookup_rows
from aftercare.conversations.lookup_rows import (
    DONE,
    OPEN_CASES,
    OPEN_TICKETS,
    RECENT_CASES,
    RECENT_CONVERSATIONS,
    RECENT_ORDERS,
)
from aftercare.conversations.models import Conversation
from aftercare.merchants.models import Merchant
from aftercare.merchants.queries import scoped
from aftercare.returns.deadlines import stage_clock
from aftercare.returns.models import Case

# Newest first; the id breaks ties the way lookup_rows' SQL does.
NEWEST = ("-created_at", "-id")


@dataclass
class Customer360:
    customer: Customer
    matched_by: str
    orders: list[Order] = field(default_factory=list)
    open_cases: list[Case] = field(default_factory=list)
    recent_cases: list[Case] = field(default_factory=list)
    open_tickets: list[Any] = field(default_factory=list)
    conversations: list[Conversation] = field(default_factory=list)

    def case_clock(self, case: Case) -> dict[str, Any] | None:
        return getattr(case, "clock", None)


def customer_360(
    merchant: Merchant,
    customer_id: int,
    *,
    matched_by: str = "",
    customer: Customer | None = None,
) -> Customer360:
    """The panel; `customer` saves its query when the caller already read the row."""
    if customer is None or customer.pk != customer_id:
        customer = scoped(Customer, merchant).get(pk=customer_id)
    view = Customer360(customer=customer, matched_by=matched_by)
    view.orders = list(
        scoped(Order, merchant)
        .filter(customer_id=customer_id)
        .order_by("-placed_at", "-id")
        .prefetch_related(
            Prefetch("lines", queryset=OrderLine.objects.order_by("line_no")),
            Prefetch("shipments", queryset=Shipment.objects.order_by("id")),
        )[:RECENT_ORDERS]
    )
    cases = scoped(Case, merchant).filter(customer_id=customer_id).select_related("order")
    view.open_cases = list(cases.exclude(status__in=DONE).order_by(*NEWEST)[:OPEN_CASES])
    view.recent_cases = list(cases.filter(status__in=DONE).order_by(*NEWEST)[:RECENT_CASES])
    for case in view.open_cases:
        case.clock = stage_clock(case)  # type: ignore[attr-defined]
    view.open_tickets = open_tickets(merchant, customer_id)
    view.conversations = list(
        scoped(Conversation, merchant)
        .filter(customer_id=customer_id)
        .order_by("-last_message_at", "-id")[:RECENT_CONVERSATIONS]
    )
    return view


def open_tickets(merchant: Merchant, customer_id: int) -> list[Any]:
    """Hook into the tickets app: its live tickets of the customer (one query), or nothing
    while that app has no Ticket model."""
    try:
        ticket_model = apps.get_model("tickets", "Ticket")
        from aftercare.tickets.states import LIVE
    except (LookupError, ImportError):
        return []
    return list(
        scoped(ticket_model, merchant)
        .filter(customer_id=customer_id, status__in=list(LIVE))
        .order_by(*NEWEST)[:OPEN_TICKETS]
    )


def lookup(merchant: Merchant, query: str) -> Customer360 | None:
    """The console's 360 for one input: the API's resolving rules, then the panel as models."""
    found = lookup_rows.find_customer(merchant, query)
    if found is None:
        return None
    return customer_360(merchant, found[0]["id"], matched_by=found[1])
