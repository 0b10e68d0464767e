"""The customer 360 of the API as plain rows: two hand-written statements on indexes, each
selecting only the columns the answer shows, whatever the customer's history.

Why not the ORM here: the panel's SQL runs in well under a millisecond, while building and
compiling nine querysets and instantiating every row as a model took ten times that. The
statements are fixed strings (built once from the models' table names); values come back
through Django's own converters, so the answer is the same on SQLite and PostgreSQL. The
console's panel reads these same rows (lookup.py adds the display labels its template prints).

1. the customer, found by email, RMA number, or by phone/order number/tracking number in one
   statement (a UNION ranked in that order: the first kind that matches wins);
2. the panel: last orders with lines and shipments, open and recent cases, live tickets and
   recent conversations, as one UNION ALL of bounded parts.
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import cache, cached_property
from types import SimpleNamespace
from typing import Any

from django.apps import apps
from django.core.exceptions import FieldDoesNotExist
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
DEADLINES = ("review_due_at", "customer_ship_due_at", "inspection_due_at", "refund_due_at")
TICKET_COLUMNS = ("id", "number", "subject", "status", "priority")
ORDER_COLUMNS = ("id", "external_id", "status", "total", "currency", "placed_at")
LINE_COLUMNS = ("sku", "name", "quantity", "unit_price")
SHIPMENT_COLUMNS = ("carrier", "tracking_number", "status", "delivered_at")
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
        return ", ".join(f"{alias}.{field.column}" for field in self.fields if field is not None)

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
    """(the customer's row, what matched) or None."""
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


# --- 2. The panel, in one statement ------------------------------------------------------
#
# Orders, lines, shipments, open and recent cases, tickets and conversations come back as
# one UNION ALL, so the panel costs one round trip whatever the history: on a loaded
# PostgreSQL each round trip costs more than all the parts' index reads together. Every part
# puts its columns into typed slots (ints, texts, times, money), keeps its own ORDER BY and
# LIMIT inside a subquery, and numbers its rows in that order for the outer ORDER BY.

SLOTS = ("i1", "i2", "i3", *(f"t{n}" for n in range(1, 8)), *(f"d{n}" for n in range(1, 7)))
SLOTS += ("n1",)
# PostgreSQL types a UNION's columns member by member: a bare NULL in the first two members
# would make a time slot text, and the third member's times would then not match.
TYPED_NULL = {
    "i": "NULL::bigint",
    "t": "NULL::text",
    "d": "NULL::timestamptz",
    "n": "NULL::numeric",
}
ORDER, LINE, SHIPMENT, OPEN_CASE, RECENT_CASE, TICKET, CONVERSATION = range(7)


@dataclass(frozen=True)
class Part:
    """One kind of row: slot -> (SQL expression, name in the answer), where it comes from,
    its order, and the model whose fields convert its values."""

    kind: int
    model: Any
    slots: dict[str, tuple[str, str]]
    source: str
    order: str
    limited: bool = True

    def sql(self, vendor: str) -> str:
        columns = [
            f"{self.slots[slot][0] if slot in self.slots else self._null(slot, vendor)} AS {slot}"
            for slot in SLOTS
        ]
        return (
            f"SELECT * FROM (SELECT {self.kind} AS kind, ROW_NUMBER() OVER (ORDER BY "
            f"{self.order}) AS rn, {', '.join(columns)} {self.source} ORDER BY {self.order}"
            f"{' LIMIT %s' if self.limited else ''}) part{self.kind}"
        )

    @staticmethod
    def _null(slot: str, vendor: str) -> str:
        return TYPED_NULL[slot[0]] if vendor == "postgresql" else "NULL"

    @cached_property
    def columns(self) -> Columns:
        names = [self.slots[slot][1] if slot in self.slots else "-" for slot in SLOTS]
        fields: list[Field | None] = []
        for name in names:
            try:
                fields.append(self.model._meta.get_field(name))
            except FieldDoesNotExist:
                fields.append(None)
        return Columns(names, fields)


def _slots(alias: str, **slots: str) -> dict[str, tuple[str, str]]:
    """Slot -> column: t1="sku" reads l.sku as "sku"; a value with a dot is taken as it is."""
    return {
        slot: (column if "." in column else f"{alias}.{column}", column.rsplit(".", 1)[-1])
        for slot, column in slots.items()
    }


@cache
def _parts() -> tuple[Part, ...]:
    case_sql = (
        f"FROM {_table(Case)} k JOIN {_table(Order)} o ON o.id = k.order_id "
        "WHERE k.merchant_id = %s AND k.customer_id = %s AND k.status {op} ("
        + ", ".join(["%s"] * len(DONE_LIST))
        + ")"
    )
    case_slots = _slots(
        "k", i1="id", t1="number", t3="type", t4="reason", t5="status", d1="created_at"
    )
    case_slots |= _slots(
        "k", d2="stage_started_at", **dict(zip(("d3", "d4", "d5", "d6"), DEADLINES, strict=True))
    )
    case_slots["t2"] = ("o.external_id", "order_number")
    newest = "{a}.created_at DESC, {a}.id DESC"
    parts = [
        Part(
            ORDER,
            Order,
            _slots(
                "r",
                i1="id",
                t1="external_id",
                t2="status",
                t3="currency",
                n1="total",
                d1="placed_at",
            ),
            "FROM recent r",
            "r.placed_at DESC, r.id DESC",
            limited=False,
        ),
        Part(
            LINE,
            OrderLine,
            _slots(
                "l",
                i1="order_id",
                i2="line_no",
                i3="quantity",
                t1="sku",
                t2="name",
                n1="unit_price",
            ),
            f"FROM {_table(OrderLine)} l WHERE l.order_id IN (SELECT id FROM recent)",
            "l.order_id, l.line_no, l.id",
            limited=False,
        ),
        Part(
            SHIPMENT,
            Shipment,
            _slots(
                "s",
                i1="order_id",
                i2="id",
                t1="carrier",
                t2="tracking_number",
                t3="status",
                d1="delivered_at",
            ),
            f"FROM {_table(Shipment)} s WHERE s.order_id IN (SELECT id FROM recent)",
            "s.id",
            limited=False,
        ),
        Part(OPEN_CASE, Case, case_slots, case_sql.format(op="NOT IN"), newest.format(a="k")),
        Part(RECENT_CASE, Case, case_slots, case_sql.format(op="IN"), newest.format(a="k")),
        Part(
            CONVERSATION,
            Conversation,
            _slots("c", **dict(zip(CONVERSATION_SLOTS, CONVERSATION_COLUMNS, strict=True))),
            f"FROM {_table(Conversation)} c WHERE c.merchant_id = %s AND c.customer_id = %s",
            "c.last_message_at DESC, c.id DESC",
        ),
    ]
    if (tickets := _tickets()) is not None:
        ticket, live = tickets
        parts.append(
            Part(
                TICKET,
                ticket,
                _slots("t", i1="id", i2="priority", t1="number", t2="subject", t3="status"),
                f"FROM {_table(ticket)} t WHERE t.merchant_id = %s AND t.customer_id = %s "
                f"AND t.status IN ({', '.join(['%s'] * len(live))})",
                newest.format(a="t"),
            )
        )
    return tuple(parts)


# Where each of CONVERSATION_COLUMNS goes.
CONVERSATION_SLOTS: tuple[str, ...] = ("i1", "t1", "t2", "i2", "i3", "t3", "t4", "t5", "t6")
CONVERSATION_SLOTS += ("t7", "d1", "d2", "d3", "d4")


@cache
def _tickets() -> tuple[Any, list[str]] | None:
    """Hook into the tickets app: its model and live statuses, or None without that app."""
    try:
        ticket = apps.get_model("tickets", "Ticket")
        from aftercare.tickets.states import LIVE
    except (LookupError, ImportError):
        return None
    return ticket, sorted(str(status) for status in LIVE)


@cache
def _panel_sql(vendor: str) -> str:
    recent = (
        f"WITH recent AS (SELECT id, external_id, status, currency, total, placed_at "
        f"FROM {_table(Order)} WHERE merchant_id = %s AND customer_id = %s "
        "ORDER BY placed_at DESC, id DESC LIMIT %s) "
    )
    return recent + " UNION ALL ".join(part.sql(vendor) for part in _parts()) + " ORDER BY 1, 2"


def _panel_params(merchant_id: int, customer_id: int) -> list[Any]:
    who = [merchant_id, customer_id]
    params: list[Any] = [*who, RECENT_ORDERS]
    for part in _parts():
        if part.kind in (OPEN_CASE, RECENT_CASE):
            params += [*who, *DONE_LIST, OPEN_CASES if part.kind == OPEN_CASE else RECENT_CASES]
        elif part.kind == CONVERSATION:
            params += [*who, RECENT_CONVERSATIONS]
        elif part.kind == TICKET:
            params += [*who, *_tickets()[1], OPEN_TICKETS]  # type: ignore[index]
    return params


def panel(merchant_id: int, customer_id: int) -> Row:
    """Everything of the answer but the customer, from one statement."""
    kinds = {part.kind: part.columns for part in _parts()}
    found: dict[int, list[Row]] = {kind: [] for kind in range(7)}
    for values in _fetch(_panel_sql(connection.vendor), _panel_params(merchant_id, customer_id)):
        found[values[0]].append(kinds[values[0]].row(values[2:]))
    return {
        "orders": _orders(found[ORDER], found[LINE], found[SHIPMENT]),
        "open_cases": [_case(case, clock=True) for case in found[OPEN_CASE]],
        "recent_cases": [_case(case, clock=False) for case in found[RECENT_CASE]],
        "open_tickets": [_pick(t, TICKET_COLUMNS) for t in found[TICKET]],
        "conversations": [_pick(c, CONVERSATION_COLUMNS) for c in found[CONVERSATION]],
    }


def _pick(row: Row, names: Sequence[str]) -> Row:
    return {name: row[name] for name in names}


def _orders(orders: list[Row], lines: list[Row], shipments: list[Row]) -> list[Row]:
    by_id = {
        order["id"]: _pick(order, ORDER_COLUMNS) | {"lines": [], "shipments": []}
        for order in orders
    }
    for line in lines:
        by_id[line["order_id"]]["lines"].append(_pick(line, LINE_COLUMNS))
    for shipment in shipments:
        by_id[shipment["order_id"]]["shipments"].append(_pick(shipment, SHIPMENT_COLUMNS))
    return list(by_id.values())


def _case(case: Row, *, clock: bool) -> Row:
    return _pick(
        case, ("id", "number", "order_number", "type", "reason", "status", "created_at")
    ) | {"clock": stage_clock(SimpleNamespace(**case)) if clock else None}


# --- The answer -------------------------------------------------------------------------


def lookup_body(merchant: Merchant, query: str) -> Row | None:
    """The API's answer (the Customer360Out shape) for one input, or None."""
    found = find_customer(merchant, query)
    if found is None:
        return None
    customer, matched_by = found
    return {"matched_by": matched_by, "customer": customer} | panel(merchant.pk, customer["id"])
