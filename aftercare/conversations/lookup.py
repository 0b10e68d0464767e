"""The customer 360 (S2): from one phone/email/order/tracking/case number to everything an
agent needs about the customer, in a constant number of indexed queries.

Resolving the input costs one to three point lookups (a string of digits may be a phone, an
order number or a tracking number; each is tried in that order and the first hit wins). The
panel then costs a fixed set of queries, each bounded by LIMIT, so a customer with ten
thousand orders costs the same as one with one.
"""

from __future__ import annotations

import contextlib
from dataclasses import dataclass, field
from typing import Any

from django.apps import apps
from django.db.models import Prefetch, QuerySet

from aftercare.commerce.models import Customer, Order, OrderLine, Shipment
from aftercare.commerce.phones import InvalidPhone, looks_like_phone, to_e164
from aftercare.conversations.linking import case_numbers
from aftercare.conversations.models import Conversation
from aftercare.merchants.models import Merchant
from aftercare.merchants.queries import scoped
from aftercare.returns.deadlines import stage_clock
from aftercare.returns.models import Case
from aftercare.returns.states import TERMINAL_STATUSES, CaseStatus

RECENT_ORDERS = 5
RECENT_CASES = 5
OPEN_CASES = 10
OPEN_TICKETS = 10
RECENT_CONVERSATIONS = 5
# Finished statuses that still count as "recent" but not as "open".
DONE = {
    *TERMINAL_STATUSES,
    CaseStatus.REFUNDED,
    CaseStatus.EXCHANGED,
    CaseStatus.REPAIRED,
    CaseStatus.REJECTED,
    CaseStatus.RESOLVED_BY_NEGOTIATION,
}


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


def find_customer(merchant: Merchant, query: str) -> tuple[int, str, Customer | None] | None:
    """(customer id, what matched, the customer row when the match read it) or None."""
    text = query.strip()
    if not text:
        return None
    if "@" in text:
        # Exact match on the indexed column first (iexact defeats the index on PostgreSQL);
        # commerce stores addresses as given, so a differently-cased one falls back to iexact.
        customers = scoped(Customer, merchant).order_by("pk")
        person = customers.filter(email__in={text, text.lower()}).first()
        person = person or customers.filter(email__iexact=text).first()
        return (person.pk, "email", person) if person else None
    if text.upper().startswith("RMA"):
        number = (case_numbers(text) or [text.upper()])[0]
        found = _first(scoped(Case, merchant).filter(number=number), "customer_id")
        return (found, "case_number", None) if found else None
    if looks_like_phone(text):
        with contextlib.suppress(InvalidPhone):
            phone = to_e164(text, region=merchant.default_phone_region)
            person = scoped(Customer, merchant).filter(phone=phone).order_by("pk").first()
            if person:
                return person.pk, "phone", person
    found = _first(scoped(Order, merchant).filter(external_id=text), "customer_id")
    if found:
        return found, "order_number", None
    found = _first(
        scoped(Shipment, merchant).filter(tracking_number=text.upper()), "order__customer_id"
    )
    return (found, "tracking_number", None) if found else None


def _first(queryset: QuerySet[Any], column: str) -> int | None:
    return queryset.values_list(column, flat=True).first()


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
    view.open_cases = list(cases.exclude(status__in=DONE).order_by("-created_at")[:OPEN_CASES])
    view.recent_cases = list(cases.filter(status__in=DONE).order_by("-created_at")[:RECENT_CASES])
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
        .order_by("-created_at")[:OPEN_TICKETS]
    )


def lookup(merchant: Merchant, query: str) -> Customer360 | None:
    found = find_customer(merchant, query)
    if found is None:
        return None
    return customer_360(merchant, found[0], matched_by=found[1], customer=found[2])
