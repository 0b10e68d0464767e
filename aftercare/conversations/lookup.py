"""The customer 360 as the console shows it: the API's rows from lookup_rows (one statement
for the panel, whatever the customer's history) with the display labels the templates print.

The rows are copied, never changed: the API hands lookup_rows' dicts straight to its encoder,
so a label added here must not reach them.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from django.apps import apps

from aftercare.commerce.models import Customer, Order, Shipment
from aftercare.conversations import lookup_rows
from aftercare.conversations.lookup_rows import CUSTOMER_COLUMNS, Row
from aftercare.conversations.models import Conversation
from aftercare.merchants.models import Merchant
from aftercare.returns.models import Case


@dataclass
class Customer360:
    """What the panel template reads: rows (dicts) with a `<field>_label` beside each choice."""

    customer: Row
    matched_by: str
    orders: list[Row] = field(default_factory=list)
    open_cases: list[Row] = field(default_factory=list)
    recent_cases: list[Row] = field(default_factory=list)
    open_tickets: list[Row] = field(default_factory=list)
    conversations: list[Row] = field(default_factory=list)


def customer_360(
    merchant: Merchant, customer: Customer, *, matched_by: str = ""
) -> Customer360 | None:
    """The panel of a customer the caller already read (a conversation's select_related
    customer), so it costs the panel's one statement; None for another merchant's customer."""
    if customer.merchant_id != merchant.pk:
        return None
    row = {name: getattr(customer, name) for name in CUSTOMER_COLUMNS}
    return _view(merchant, row, matched_by)


def lookup(merchant: Merchant, query: str) -> Customer360 | None:
    """The console's 360 for one input: the API's resolving rules and rows, labelled."""
    found = lookup_rows.find_customer(merchant, query)
    if found is None:
        return None
    return _view(merchant, found[0], found[1])


def _view(merchant: Merchant, customer: Row, matched_by: str) -> Customer360:
    panel = lookup_rows.panel(merchant.pk, customer["id"])
    return Customer360(
        customer=_labelled(customer, Customer, "tier", "language"),
        matched_by=matched_by,
        orders=[
            _labelled(order, Order, "status")
            | {"shipments": [_labelled(s, Shipment, "status") for s in order["shipments"]]}
            for order in panel["orders"]
        ],
        open_cases=[_labelled(case, Case, "status") for case in panel["open_cases"]],
        recent_cases=[_labelled(case, Case, "status") for case in panel["recent_cases"]],
        open_tickets=[
            _labelled(ticket, apps.get_model("tickets", "Ticket"), "status")
            for ticket in panel["open_tickets"]
        ],
        conversations=[
            _labelled(conversation, Conversation, "channel", "status")
            for conversation in panel["conversations"]
        ],
    )


def _labelled(row: Row, model: Any, *names: str) -> Row:
    """A copy of the row with `<name>_label`: what model.get_<name>_display() would print
    (the lazy label, so it renders in the language active when the template does)."""
    return row | {f"{name}_label": _label(model, name, row[name]) for name in names}


def _label(model: Any, name: str, value: Any) -> Any:
    return dict(model._meta.get_field(name).flatchoices).get(value, value)
