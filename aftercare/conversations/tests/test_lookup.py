"""GET /api/v1/customers/lookup: every kind of input, the panel's contents, constant queries."""

from __future__ import annotations

import json
from datetime import UTC, datetime

import pytest
import time_machine
from django.db import connection
from django.db.models import Prefetch
from django.test.utils import CaptureQueriesContext
from ninja.responses import NinjaJSONEncoder

from aftercare.commerce.models import Order, OrderLine, Shipment
from aftercare.conversations import lookup, lookup_rows
from aftercare.conversations.lookup_rows import DONE
from aftercare.conversations.models import Conversation
from aftercare.conversations.schemas import Customer360Out
from aftercare.conversations.tests.factories import Buyer, buyer, history, open_case
from aftercare.merchants.queries import scoped
from aftercare.returns.deadlines import stage_clock
from aftercare.returns.models import Case
from aftercare.tickets.models import Ticket
from aftercare.tickets.states import LIVE

pytestmark = pytest.mark.django_db

URL = "/api/v1/customers/lookup?q="


@pytest.fixture
def known(merchant, store) -> Buyer:
    return buyer(merchant, store, phone="+8613800138000", email="Li.Lei@example.com")


@pytest.mark.parametrize(
    ("query", "kind"),
    [
        ("138 0013 8000", "phone"),
        ("+86 138-0013-8000", "phone"),
        ("008613800138000", "phone"),
        ("li.lei@example.com", "email"),
        ("Li.Lei@example.com", "email"),
    ],
)
def test_phone_and_email_in_common_formats(api, known, query, kind):
    response = api.get(URL + query.replace("+", "%2B"))

    assert response.status_code == 200, response.content
    body = response.json()
    assert body["matched_by"] == kind
    assert body["customer"]["id"] == known.customer.pk
    assert "Server-Timing" in response


def test_order_tracking_and_case_numbers(api, merchant, known):
    case = open_case(merchant, known)

    by_order = api.get(URL + known.order.external_id).json()
    by_tracking = api.get(URL + known.shipment.tracking_number.lower()).json()
    by_case = api.get(URL + case.number.lower()).json()

    assert by_order["matched_by"] == "order_number"
    assert by_tracking["matched_by"] == "tracking_number"
    assert by_case["matched_by"] == "case_number"
    assert {by_order["customer"]["id"], by_tracking["customer"]["id"]} == {known.customer.pk}
    order = by_case["orders"][0]
    assert order["external_id"] == known.order.external_id
    assert order["lines"][0]["quantity"] == 2
    assert order["shipments"][0]["tracking_number"] == known.shipment.tracking_number
    assert by_case["open_cases"][0]["number"] == case.number
    assert "clock" in by_case["open_cases"][0]


def test_nothing_found_is_a_404_problem(api, known):
    response = api.get(URL + "nobody@nowhere.example")

    assert response.status_code == 404
    assert response["Content-Type"] == "application/problem+json"


def test_another_merchants_customer_is_not_found(other_api, known):
    for query in (known.customer.email, known.order.external_id, known.shipment.tracking_number):
        assert other_api.get(URL + query).status_code == 404


def _queries_for(api, query: str) -> int:
    with CaptureQueriesContext(connection) as captured:
        response = api.get(URL + query)
    assert response.status_code == 200
    return len(captured.captured_queries)


def test_the_number_of_queries_does_not_grow_with_the_history(api, merchant, store, known):
    queries_kinds = [known.customer.email, known.order.external_id]
    api.get(URL + "warm-up")  # the key's first use also records its last-used time
    small = [_queries_for(api, q) for q in queries_kinds]

    history(merchant, store, known, orders=40)
    large = [_queries_for(api, q) for q in queries_kinds]

    assert small == large
    # The customer, and the panel (orders, lines, shipments, cases, tickets, conversations) in
    # one statement; the key, verified by the warm-up, is trusted for a few seconds unread.
    assert max(large) == 2


def _read_through_the_models(merchant, customer, matched_by: str) -> dict:
    """The panel read independently through the ORM, one queryset per part, through the
    API's published schema, as JSON: what lookup_rows' hand-written SQL must agree with."""
    newest = ("-created_at", "-id")
    orders = (
        scoped(Order, merchant)
        .filter(customer=customer)
        .order_by("-placed_at", "-id")
        .prefetch_related(
            Prefetch("lines", queryset=OrderLine.objects.order_by("line_no")),
            Prefetch("shipments", queryset=Shipment.objects.order_by("id")),
        )[: lookup_rows.RECENT_ORDERS]
    )
    cases = scoped(Case, merchant).filter(customer=customer).select_related("order")
    open_cases = cases.exclude(status__in=DONE).order_by(*newest)[: lookup_rows.OPEN_CASES]
    recent_cases = cases.filter(status__in=DONE).order_by(*newest)[: lookup_rows.RECENT_CASES]
    tickets = (
        scoped(Ticket, merchant)
        .filter(customer=customer, status__in=list(LIVE))
        .order_by(*newest)[: lookup_rows.OPEN_TICKETS]
    )
    conversations = (
        scoped(Conversation, merchant)
        .filter(customer=customer)
        .order_by("-last_message_at", "-id")[: lookup_rows.RECENT_CONVERSATIONS]
    )

    def case_row(case: Case, *, clock: bool) -> dict:
        fields = ("id", "number", "type", "reason", "status", "created_at")
        row = {name: getattr(case, name) for name in fields}
        return row | {
            "order_number": case.order.external_id,
            "clock": stage_clock(case) if clock else None,
        }

    order_fields = ("id", "external_id", "status", "total", "currency", "placed_at")
    body = {
        "matched_by": matched_by,
        "customer": customer,
        "orders": [
            {name: getattr(o, name) for name in order_fields}
            | {"lines": list(o.lines.all()), "shipments": list(o.shipments.all())}
            for o in orders
        ],
        "open_cases": [case_row(c, clock=True) for c in open_cases],
        "recent_cases": [case_row(c, clock=False) for c in recent_cases],
        "open_tickets": list(tickets),
        "conversations": list(conversations),
    }
    dumped = Customer360Out.model_validate(body, from_attributes=True).model_dump()
    return json.loads(json.dumps(dumped, cls=NinjaJSONEncoder))


def _without_labels(view: lookup.Customer360) -> dict:
    """The console's panel with the labels it adds taken off again, as the API's JSON."""

    def bare(row: dict) -> dict:
        return {k: v for k, v in row.items() if not k.endswith("_label")}

    orders = [bare(o) | {"shipments": [bare(s) for s in o["shipments"]]} for o in view.orders]
    body = {
        "matched_by": view.matched_by,
        "customer": bare(view.customer),
        "orders": orders,
        "open_cases": [bare(c) for c in view.open_cases],
        "recent_cases": [bare(c) for c in view.recent_cases],
        "open_tickets": [bare(t) for t in view.open_tickets],
        "conversations": [bare(c) for c in view.conversations],
    }
    return json.loads(json.dumps(body, cls=NinjaJSONEncoder))


def test_the_api_and_the_console_answer_what_the_database_holds(api, merchant, store, known):
    # Given a customer with orders, lines, parcels, conversations, tickets, an open case and a
    # finished one
    history(merchant, store, known, orders=8)
    finished = open_case(merchant, known)
    finished.__class__.objects.filter(pk=finished.pk).update(status="closed")

    # When the API, the console and plain ORM queries look the customer up at the same instant
    with time_machine.travel(datetime(2030, 1, 1, tzinfo=UTC), tick=False):
        answer = api.get(URL + known.customer.email).json()
        console = _without_labels(lookup.lookup(merchant, known.customer.email))
        held = _read_through_the_models(merchant, known.customer, "email")

    # Then they agree, value for value
    assert answer == held
    assert console == held
    assert len(answer["orders"]) == lookup_rows.RECENT_ORDERS
    assert answer["open_cases"] and answer["recent_cases"]
    assert answer["open_tickets"] and answer["conversations"]
    assert all(order["lines"] and order["shipments"] for order in answer["orders"])
