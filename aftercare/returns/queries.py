"""Reads of cases, always scoped to one merchant (another merchant's case looks missing).

List and detail run a constant number of queries whatever the number of cases, lines or
events (tests assert it).
"""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from functools import cache
from operator import attrgetter
from typing import Any, NamedTuple

from django.db import connection
from django.db.models import (
    Count,
    DecimalField,
    Exists,
    IntegerField,
    OuterRef,
    Prefetch,
    Q,
    QuerySet,
    Sum,
)
from django.db.models.expressions import RawSQL
from django.utils import timezone

from aftercare.commerce.models import Order, OrderLine, Product
from aftercare.core.audit import subject_label
from aftercare.core.errors import NotFound
from aftercare.core.models import AuditEvent
from aftercare.core.rows import Annotations, ModelColumns, split_row
from aftercare.merchants.models import Merchant
from aftercare.merchants.queries import scoped
from aftercare.policies.domain import ZERO
from aftercare.policies.facts import OrderHistory
from aftercare.returns.deadlines import overdue_filter
from aftercare.returns.models import Attachment, Case, CaseLine
from aftercare.returns.states import CaseStatus


def order_history(order_id: int) -> OrderHistory:
    """What earlier cases of an order hold: units (every case that still holds them) and money
    (cases that reached their refund point). One query."""
    rows = (
        CaseLine.objects.filter(order_line__order_id=order_id, case__holds_quantity=True)
        .values("order_line_id")
        .annotate(
            units=Sum("quantity"),
            refunded=Sum("refund_amount", filter=Q(case__refund_point_reached_at__isnull=False)),
        )
    )
    returned: dict[int, int] = {}
    refunded: dict[int, Decimal] = {}
    for row in rows:
        returned[row["order_line_id"]] = row["units"] or 0
        refunded[row["order_line_id"]] = row["refunded"] or ZERO
    if not any(refunded.values()):
        return OrderHistory(returned_quantity=returned)
    totals = Case.objects.filter(
        order_id=order_id, holds_quantity=True, refund_point_reached_at__isnull=False
    ).aggregate(total=Sum("refund_total"), shipping=Sum("shipping_refund"))
    return OrderHistory(
        returned_quantity=returned,
        refunded_amount=refunded,
        refunded_total=totals["total"] or ZERO,
        shipping_refunded=totals["shipping"] or ZERO,
    )


class OrderState(NamedTuple):
    """What judging a new case reads about its order once the order row is locked."""

    lines: list[OrderLine]  # all of them, with their products, by line_no then pk
    history: OrderHistory  # what earlier cases hold and refunded
    past_return_rate: float  # the customer's, as past_return_rate() computes it


def order_state(order_id: int, merchant_id: int, customer_id: int) -> OrderState:
    """order_history(), past_return_rate() and the order's lines in one query: the first two
    folded into the lines as subqueries. Run it after the order row is locked, so that it
    sees every case committed before (a statement of its own takes a fresh snapshot)."""
    lines = _order_state_statement().run(order_id, merchant_id, customer_id)
    lines.sort(key=attrgetter("line_no"))  # unique within the order
    returned: dict[int, int] = {}
    refunded_by_line: dict[int, Decimal] = {}
    for line in lines:
        held: int | None = line.held_units  # type: ignore[attr-defined]
        if held is None:
            continue  # no case holds units of this line (order_history() has no row either)
        returned[line.pk] = held
        refunded_by_line[line.pk] = line.held_refunded or ZERO  # type: ignore[attr-defined]
    if not lines:
        return OrderState(lines, OrderHistory(), 0.0)
    first = lines[0]
    orders: int = first.customer_orders or 0  # type: ignore[attr-defined]
    rate = (first.customer_returned or 0) / orders if orders else 0.0  # type: ignore[attr-defined]
    if not any(refunded_by_line.values()):
        return OrderState(lines, OrderHistory(returned_quantity=returned), rate)
    history = OrderHistory(
        returned_quantity=returned,
        refunded_amount=refunded_by_line,
        refunded_total=first.order_refunded or ZERO,  # type: ignore[attr-defined]
        shipping_refunded=first.order_shipping_refunded or ZERO,  # type: ignore[attr-defined]
    )
    return OrderState(lines, history, rate)


def past_return_rate(customer_id: int, merchant_id: int) -> float:
    """Share of the customer's orders with at least one case (not cancelled). One query."""
    with_case = Case.objects.filter(order=OuterRef("pk")).exclude(status="cancelled")
    counts = Order.objects.filter(merchant_id=merchant_id, customer_id=customer_id).aggregate(
        orders=Count("pk"), returned=Count("pk", filter=Exists(with_case))
    )
    return counts["returned"] / counts["orders"] if counts["orders"] else 0.0


def cases_of(
    merchant: Merchant | int,
    *,
    status: str | None = None,
    type: str | None = None,
    reason: str | None = None,
    overdue: bool | None = None,
    customer_id: int | None = None,
    order_id: int | None = None,
    now: datetime | None = None,
) -> QuerySet[Case]:
    """The list: newest first, with the order and customer joined in (one query per page)."""
    cases = scoped(Case, merchant).select_related("order", "customer")
    filters: dict[str, Any] = {
        "status": status,
        "type": type,
        "reason": reason,
        "customer_id": customer_id,
        "order_id": order_id,
    }
    cases = cases.filter(**{k: v for k, v in filters.items() if v is not None})
    if overdue is not None:
        late = overdue_filter(now or timezone.now())
        cases = cases.filter(late) if overdue else cases.exclude(late)
    return cases.order_by("-created_at", "-id")


def get_case(merchant: Merchant | int, case_id: int) -> Case:
    """One case with lines (and their order lines), attachments and timeline: 4 queries."""
    lines = Prefetch(
        "lines",
        queryset=CaseLine.objects.select_related(
            "order_line", "order_line__product", "replacement_product"
        ).order_by("pk"),
    )
    attachments = Prefetch("attachments", queryset=Attachment.objects.order_by("pk"))
    case = (
        scoped(Case, merchant)
        .select_related("order", "customer", "policy_version")
        .prefetch_related(lines, attachments)
        .filter(pk=case_id)
        .first()
    )
    if case is None:
        raise NotFound("No case matches.")
    return case


def find_case(merchant: Merchant | int, case_id: int) -> Case:
    """Just the row, for actions (which lock it again themselves). 404 for another's."""
    case = scoped(Case, merchant).filter(pk=case_id).first()
    if case is None:
        raise NotFound("No case matches.")
    return case


def timeline(case: Case) -> list[AuditEvent]:
    return list(
        AuditEvent.objects.filter(
            merchant_id=case.merchant_id, subject_type=subject_label(case), subject_id=case.pk
        ).order_by("created_at", "id")
    )


# --- order_state's statement ---------------------------------------------------------------


class _OrderStateStatement:
    """The order's lines with their products and what earlier cases hold, hand-written once
    per process (core/rows.py, ADR 0071): composed as a queryset, this statement cost ~5 ms of
    ORM work per creation at first and ~1.3 ms after trimming, against ~0.2 ms in the database.
    Plain SQL that SQLite and PostgreSQL both read; the outer table is named by its name."""

    def __init__(self) -> None:
        line_t, case_t, order_t = (
            OrderLine._meta.db_table,
            Case._meta.db_table,
            Order._meta.db_table,
        )
        caseline_t, product_t = CaseLine._meta.db_table, Product._meta.db_table
        held = (
            f'SELECT {{}} FROM "{caseline_t}" cl INNER JOIN "{case_t}" c ON c."id" = cl."case_id" '
            f'WHERE cl."order_line_id" = "{line_t}"."id" AND c."holds_quantity" = %s'
        )
        refunded_cases = (
            f'SELECT {{}} FROM "{case_t}" c WHERE c."order_id" = "{line_t}"."order_id" '
            'AND c."holds_quantity" = %s AND c."refund_point_reached_at" IS NOT NULL'
        )
        customer_orders = (
            f'SELECT COUNT(*) FROM "{order_t}" o WHERE o."merchant_id" = %s '
            'AND o."customer_id" = %s'
        )
        with_case = (
            f' AND EXISTS (SELECT 1 FROM "{case_t}" c WHERE c."order_id" = o."id"'
            ' AND NOT c."status" = %s)'
        )
        money = DecimalField(max_digits=12, decimal_places=2)
        count = IntegerField()
        # Params are given per run (see run()); the RawSQLs carry the SQL and output fields.
        self.extra = Annotations(
            {
                "held_units": RawSQL(held.format('SUM(cl."quantity")'), (), count),
                "held_refunded": RawSQL(
                    held.format('SUM(cl."refund_amount")')
                    + ' AND c."refund_point_reached_at" IS NOT NULL',
                    (),
                    money,
                ),
                "order_refunded": RawSQL(refunded_cases.format('SUM(c."refund_total")'), (), money),
                "order_shipping_refunded": RawSQL(
                    refunded_cases.format('SUM(c."shipping_refund")'), (), money
                ),
                "customer_orders": RawSQL(customer_orders, (), count),
                "customer_returned": RawSQL(customer_orders + with_case, (), count),
            }
        )
        self.line = ModelColumns(OrderLine)
        self.product = ModelColumns(Product)
        self.sql = (
            f"SELECT {self.line.sql}, {self.product.sql}, {self.extra.sql} "
            f'FROM "{line_t}" INNER JOIN "{product_t}" '
            f'ON "{product_t}"."id" = "{line_t}"."product_id" '
            f'WHERE "{line_t}"."order_id" = %s AND "{line_t}"."merchant_id" = %s'
        )

    def run(self, order_id: int, merchant_id: int, customer_id: int) -> list[OrderLine]:
        holding: list[Any] = [True] * 4  # held units and refunds, order refunds, shipping
        customer: list[Any] = [merchant_id, customer_id]  # their orders, then those with cases
        params = [*holding, *customer, *customer, CaseStatus.CANCELLED.value]
        with connection.cursor() as cursor:
            cursor.execute(self.sql, [*params, order_id, merchant_id])
            rows = cursor.fetchall()
        lines = []
        for row in rows:
            line_values, product, extra = split_row(row, self.line, self.product, self.extra)
            line = self.line.build(line_values, connection)
            line.product = self.product.build(product, connection)  # type: ignore[attr-defined]
            self.extra.apply(line, extra, connection)
            lines.append(line)
        return lines  # type: ignore[return-value]


@cache
def _order_state_statement() -> _OrderStateStatement:
    return _OrderStateStatement()
