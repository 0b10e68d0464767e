"""The customer 360 of the API as plain rows: five hand-written statements, each on an index,
each selecting only the columns the answer shows, whatever the customer's history.

Why not the ORM here: the panel's raw SQL runs in well under a millisecond, while building
and compiling nine querysets and instantiating every row as a model took ten times that.
The statements are fixed strings (built once from the models' table names), values come back
through Django's own converters, so the answer is the same on SQLite and PostgreSQL and the
same as the console's panel (lookup.customer_360, which the templates need as models).

1. the customer, found by email, RMA number, or by phone/order number/tracking number in one
   statement (a UNION ranked in that order: the first kind that matches wins);
2. the last orders with their lines and shipments (one statement: a UNION over a CTE);
3. the open and the recent cases (one UNION);
4. the live tickets; 5. the recent conversations.
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Sequence
from functools import cache
from types import SimpleNamespace
from typing import Any

from django.apps import apps
from django.db import connection
from django.db.models import Field

from aftercare.commerce.models import Customer, Order, OrderLine, Shipment
from aftercare.commerce.phones import InvalidPhone, looks_like_phone, to_e164
from aftercare.conversations.linking import case_numbers
from aftercare.conversations.models import Conversation
from aftercare.merchants.models import Merchant
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

CUSTOMER_COLUMNS = ("id", "external_id", "name", "phone", "email", "language", "tier", "risk_tags")
CONVERSATION_COLUMNS = (
    *("id", "channel", "status", "customer_id", "assignee_id", "subject", "contact"),
    *("contact_name", "intent", "language", "last_message_at", "agent_read_at"),
    *("customer_read_at", "created_at"),
)
CASE_COLUMNS = ("id", "number", "type", "reason", "status", "created_at", "stage_started_at")
DEADLINES = ("review_due_at", "customer_ship_due_at", "inspection_due_at", "refund_due_at")
TICKET_COLUMNS = ("id", "number", "subject", "status", "priority")
DONE_LIST = sorted(str(status) for status in DONE)
# Which kind of input matched, by the rank the resolving UNION gives it.
RANKED_KINDS = {1: "phone", 2: "order_number", 3: "tracking_number"}

Row = dict[str, Any]


# --- Columns: Django's converters without the ORM ---------------------------------------


class Columns:
    """Turns result tuples into dicts with the values the ORM would give (SQLite hands back
    datetimes and decimals as text/float; JSON comes back as text on both databases)."""

    def __init__(self, names: Sequence[str], fields: Sequence[Field | None]) -> None:
        self.names = tuple(names)
        self.fields = tuple(fields)
        self._converters: dict[str, list[tuple[int, list[Callable[..., Any]], Any]]] = {}

    @classmethod
    def of(cls, model: Any, names: Sequence[str]) -> Columns:
        return cls(names, [model._meta.get_field(name) for name in names])

    def sql(self, alias: str) -> str:
        return ", ".join(f"{alias}.{self.fields[i].column}" for i in range(len(self.names)))  # type: ignore[union-attr]

    def converters(self) -> list[tuple[int, list[Callable[..., Any]], Any]]:
        vendor = connection.vendor
        if vendor not in self._converters:
            found = []
            for index, field in enumerate(self.fields):
                if field is None:
                    continue
                column = field.get_col(field.model._meta.db_table)
                functions = connection.ops.get_db_converters(column)
                functions += field.get_db_converters(connection)
                if functions:
                    found.append((index, functions, column))
            self._converters[vendor] = found
        return self._converters[vendor]

    def row(self, values: Sequence[Any]) -> Row:
        values = list(values)
        for index, functions, column in self.converters():
            for function in functions:
                values[index] = function(values[index], column, connection)
        return dict(zip(self.names, values, strict=False))


def _fetch(sql: str, params: Sequence[Any]) -> list[tuple[Any, ...]]:
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchall()


def _table(model: Any) -> str:
    return str(model._meta.db_table)


# --- 1. Who is it -----------------------------------------------------------------------

CUSTOMER = Columns.of(Customer, CUSTOMER_COLUMNS)


@cache
def _resolve_sql(with_phone: bool) -> str:
    customer, order, shipment = _table(Customer), _table(Order), _table(Shipment)
    branches = [
        f"SELECT 2 AS pick, customer_id AS customer_id, id AS hit FROM {order} "
        "WHERE merchant_id = %s AND external_id = %s",
        "SELECT 3 AS pick, o.customer_id AS customer_id, s.id AS hit "
        f"FROM {shipment} s JOIN {order} o ON o.id = s.order_id "
        "WHERE s.merchant_id = %s AND s.tracking_number = %s",
    ]
    if with_phone:
        branches.insert(
            0,
            f"SELECT 1 AS pick, id AS customer_id, id AS hit FROM {customer} "
            "WHERE merchant_id = %s AND phone = %s",
        )
    return (
        f"SELECT {CUSTOMER.sql('c')}, m.pick FROM ({' UNION ALL '.join(branches)}) m "
        f"JOIN {customer} c ON c.id = m.customer_id WHERE c.merchant_id = %s "
        "ORDER BY m.pick, m.hit LIMIT 1"
    )


def find_customer(merchant: Merchant, query: str) -> tuple[Row, str] | None:
    """(the customer's row, what matched) or None; the same rules as lookup.find_customer."""
    text = query.strip()
    if not text:
        return None
    if "@" in text:
        return _by_email(merchant.pk, text)
    if text.upper().startswith("RMA"):
        number = (case_numbers(text) or [text.upper()])[0]
        sql = (
            f"SELECT {CUSTOMER.sql('c')} FROM {_table(Case)} k JOIN {_table(Customer)} c "
            "ON c.id = k.customer_id WHERE k.merchant_id = %s AND k.number = %s "
            "AND c.merchant_id = %s ORDER BY k.id LIMIT 1"
        )
        rows = _fetch(sql, [merchant.pk, number, merchant.pk])
        return (CUSTOMER.row(rows[0]), "case_number") if rows else None
    params: list[Any] = []
    if looks_like_phone(text):
        with contextlib.suppress(InvalidPhone):
            params = [merchant.pk, to_e164(text, region=merchant.default_phone_region)]
    params += [merchant.pk, text, merchant.pk, text.upper(), merchant.pk]
    rows = _fetch(_resolve_sql(len(params) == 7), params)
    if not rows:
        return None
    return CUSTOMER.row(rows[0][:-1]), RANKED_KINDS[rows[0][-1]]


def _by_email(merchant_id: int, text: str) -> tuple[Row, str] | None:
    # Exact match on the indexed column first (a case-blind match defeats the index on
    # PostgreSQL); addresses are stored as given, so a differently-cased one falls back.
    sql = (
        f"SELECT {CUSTOMER.sql('c')} FROM {_table(Customer)} c "
        "WHERE c.merchant_id = %s AND c.email IN (%s, %s) ORDER BY c.id LIMIT 1"
    )
    rows = _fetch(sql, [merchant_id, text, text.lower()])
    if rows:
        return CUSTOMER.row(rows[0]), "email"
    found = (
        Customer.objects.filter(merchant_id=merchant_id, email__iexact=text)
        .order_by("pk")
        .values(*CUSTOMER_COLUMNS)
        .first()
    )
    return (found, "email") if found else None


# --- 2. Orders with lines and shipments, in one statement -------------------------------


# One column layout for the three kinds of row: (kind, order id, sort key, text, text, text,
# quantity, money, time); unused places are NULL and named "-".
def _layout(names: Sequence[str], model: Any, converted: Sequence[str]) -> Columns:
    return Columns(names, [model._meta.get_field(n) if n in converted else None for n in names])


ORDER_KINDS = {
    0: _layout(
        ("id", "-", "external_id", "status", "currency", "-", "total", "placed_at"),
        Order,
        ("total", "placed_at"),
    ),
    1: _layout(
        ("order_id", "line_no", "sku", "name", "-", "quantity", "unit_price", "-"),
        OrderLine,
        ("unit_price",),
    ),
    2: _layout(
        ("order_id", "id", "carrier", "tracking_number", "status", "-", "-", "delivered_at"),
        Shipment,
        ("delivered_at",),
    ),
}


@cache
def _orders_sql() -> str:
    order, line, shipment = _table(Order), _table(OrderLine), _table(Shipment)
    return (
        f"WITH recent AS (SELECT id, external_id, status, currency, total, placed_at FROM {order} "
        "WHERE merchant_id = %s AND customer_id = %s ORDER BY placed_at DESC, id DESC LIMIT %s) "
        "SELECT 0, r.id, r.id, r.external_id, r.status, r.currency, NULL, r.total, r.placed_at "
        "FROM recent r "
        "UNION ALL SELECT 1, l.order_id, l.line_no, l.sku, l.name, NULL, l.quantity, "
        f"l.unit_price, NULL FROM {line} l WHERE l.order_id IN (SELECT id FROM recent) "
        "UNION ALL SELECT 2, s.order_id, s.id, s.carrier, s.tracking_number, s.status, NULL, "
        f"NULL, s.delivered_at FROM {shipment} s WHERE s.order_id IN (SELECT id FROM recent) "
        "ORDER BY 1, 3"
    )


def recent_orders(merchant_id: int, customer_id: int) -> list[Row]:
    orders: dict[int, Row] = {}
    for values in _fetch(_orders_sql(), [merchant_id, customer_id, RECENT_ORDERS]):
        kind = values[0]
        row = ORDER_KINDS[kind].row(values[1:])
        if kind == 0:
            orders[row["id"]] = {
                **{k: row[k] for k in ("id", "external_id", "status", "total", "currency")},
                "placed_at": row["placed_at"],
                "lines": [],
                "shipments": [],
            }
        elif kind == 1:
            orders[row["order_id"]]["lines"].append(
                {k: row[k] for k in ("sku", "name", "quantity", "unit_price")}
            )
        else:
            orders[row["order_id"]]["shipments"].append(
                {k: row[k] for k in ("carrier", "tracking_number", "status", "delivered_at")}
            )
    return sorted(orders.values(), key=lambda o: (o["placed_at"], o["id"]), reverse=True)


# --- 3. Cases, 4. tickets, 5. conversations ---------------------------------------------

CASE = Columns.of(Case, (*CASE_COLUMNS, *DEADLINES))
CONVERSATION = Columns.of(Conversation, CONVERSATION_COLUMNS)


@cache
def _cases_sql() -> str:
    done = ", ".join(["%s"] * len(DONE_LIST))
    part = (
        f"SELECT {{kind}} AS kind, {CASE.sql('k')}, o.external_id AS order_number "
        f"FROM {_table(Case)} k JOIN {_table(Order)} o ON o.id = k.order_id "
        f"WHERE k.merchant_id = %s AND k.customer_id = %s AND k.status {{op}} ({done}) "
        "ORDER BY k.created_at DESC, k.id DESC LIMIT %s"
    )
    open_part = part.format(kind=0, op="NOT IN")
    recent_part = part.format(kind=1, op="IN")
    # Each side keeps its own ORDER BY and LIMIT inside a subquery (SQLite allows neither
    # on a bare UNION member); the outer ORDER BY restores the order across both.
    return (
        f"SELECT * FROM ({open_part}) open_cases UNION ALL "
        f"SELECT * FROM ({recent_part}) recent_cases "
        f"ORDER BY 1, {2 + CASE_COLUMNS.index('created_at')} DESC, 2 DESC"
    )


def cases(merchant_id: int, customer_id: int) -> tuple[list[Row], list[Row]]:
    """(open cases with their running stage clock, recently finished cases)."""
    params = [merchant_id, customer_id, *DONE_LIST]
    found: tuple[list[Row], list[Row]] = ([], [])
    for values in _fetch(_cases_sql(), [*params, OPEN_CASES, *params, RECENT_CASES]):
        case = CASE.row(values[1:-1])
        found[values[0]].append(
            {
                **{k: case[k] for k in ("id", "number")},
                "order_number": values[-1],
                **{k: case[k] for k in ("type", "reason", "status", "created_at")},
                "clock": stage_clock(SimpleNamespace(**case)) if values[0] == 0 else None,
            }
        )
    return found


@cache
def _tickets() -> tuple[Columns, str, list[str]] | None:
    try:
        ticket = apps.get_model("tickets", "Ticket")
        from aftercare.tickets.states import LIVE
    except (LookupError, ImportError):
        return None
    columns = Columns.of(ticket, TICKET_COLUMNS)
    live = sorted(str(status) for status in LIVE)
    sql = (
        f"SELECT {columns.sql('t')} FROM {_table(ticket)} t WHERE t.merchant_id = %s "
        f"AND t.customer_id = %s AND t.status IN ({', '.join(['%s'] * len(live))}) "
        "ORDER BY t.created_at DESC, t.id DESC LIMIT %s"
    )
    return columns, sql, live


def open_tickets(merchant_id: int, customer_id: int) -> list[Row]:
    tickets = _tickets()
    if tickets is None:
        return []
    columns, sql, live = tickets
    return [columns.row(v) for v in _fetch(sql, [merchant_id, customer_id, *live, OPEN_TICKETS])]


@cache
def _conversations_sql() -> str:
    return (
        f"SELECT {CONVERSATION.sql('c')} FROM {_table(Conversation)} c "
        "WHERE c.merchant_id = %s AND c.customer_id = %s "
        "ORDER BY c.last_message_at DESC, c.id DESC LIMIT %s"
    )


def conversations(merchant_id: int, customer_id: int) -> list[Row]:
    rows = _fetch(_conversations_sql(), [merchant_id, customer_id, RECENT_CONVERSATIONS])
    return [CONVERSATION.row(values) for values in rows]


# --- The answer -------------------------------------------------------------------------


def lookup_body(merchant: Merchant, query: str) -> Row | None:
    """The API's answer (the Customer360Out shape) for one input, or None."""
    found = find_customer(merchant, query)
    if found is None:
        return None
    customer, matched_by = found
    open_cases, recent_cases = cases(merchant.pk, customer["id"])
    return {
        "matched_by": matched_by,
        "customer": customer,
        "orders": recent_orders(merchant.pk, customer["id"]),
        "open_cases": open_cases,
        "recent_cases": recent_cases,
        "open_tickets": open_tickets(merchant.pk, customer["id"]),
        "conversations": conversations(merchant.pk, customer["id"]),
    }
