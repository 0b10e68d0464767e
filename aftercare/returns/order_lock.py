"""The first statement of case creation: lock the order and read all it needs in one go.

The order row (locked), its customer and store, what the policy facts need (paid amount,
payments, last delivery), the merchant's return desk, the active policy version and the id
the new case will have: one hand-written SELECT (core/rows.py, ADR 0071), written once per
process and database vendor. Built as a queryset it cost ~2.5 ms of CPU a request to compose
and compile, several times what the database spends on it.
"""

from __future__ import annotations

from typing import Any

from django.db import connection, models
from django.db.models.expressions import RawSQL

from aftercare.commerce.models import Customer, Order
from aftercare.core.actors import Actor
from aftercare.core.errors import NotFound, ValidationFailed
from aftercare.core.rows import Annotations, ModelColumns, split_row
from aftercare.merchants.models import Store
from aftercare.policies.facts import order_fact_fields
from aftercare.policies.queries import active_version_columns
from aftercare.returns.models import Case, ReturnDesk

ORDER_T = Order._meta.db_table

# The merchant's return desk (one at most), one subquery a field.
_DESK_SQL = (
    f'SELECT d."{{}}" FROM "{ReturnDesk._meta.db_table}" d '
    f'WHERE d."merchant_id" = "{ORDER_T}"."merchant_id"'
)
_DESK_FIELDS_OUT: dict[str, models.Field[Any, Any]] = {
    "id": models.BigIntegerField(),
    "address": models.TextField(),
    "contact_name": models.CharField(),
    "contact_phone": models.CharField(),
    "offers_pickup": models.BooleanField(),
    "holidays": models.JSONField(),
}


def _next_case_id(vendor: str) -> RawSQL:
    """The id the new case will have, reserved on the order query: the case is then written
    once, number and final status included, instead of inserted and updated.

    PostgreSQL: the id column's own sequence (nextval never hands a value out twice; an
    aborted request leaves a gap, as a rolled-back INSERT does). SQLite: one more than any id
    the table has used (AUTOINCREMENT keeps that in sqlite_sequence); this runs in an
    IMMEDIATE transaction, which holds the database's write lock, so no other writer can take
    the same id before this one inserts it."""
    table = Case._meta.db_table
    if vendor == "postgresql":
        return RawSQL(
            "nextval(pg_get_serial_sequence(%s, 'id'))",
            (table,),
            output_field=models.BigIntegerField(),
        )
    used = (
        f"MAX(COALESCE((SELECT seq FROM sqlite_sequence WHERE name = %s), 0), "
        f'COALESCE((SELECT MAX("id") FROM "{table}"), 0))'
    )
    return RawSQL(f"{used} + 1", (table,), output_field=models.BigIntegerField())


def _annotations(vendor: str) -> Annotations:
    desk = {
        f"desk_{name}": RawSQL(_DESK_SQL.format(name), (), output_field=output)
        for name, output in _DESK_FIELDS_OUT.items()
    }
    return Annotations(
        {
            **order_fact_fields(),
            **desk,
            **active_version_columns(f'"{ORDER_T}"."merchant_id"'),
            "next_case_id": _next_case_id(vendor),
        }
    )


class _Statement:
    """The SELECT for one vendor and one kind of lookup (by id or by the merchant's number)."""

    def __init__(self, vendor: str, by: str) -> None:
        self.order = ModelColumns(Order)
        self.customer = ModelColumns(Customer)
        self.store = ModelColumns(Store)
        self.extra = _annotations(vendor)
        customer_t, store_t = Customer._meta.db_table, Store._meta.db_table
        # Only the order row is locked, not the customer and store joined in. SQLite has no
        # row locks: the IMMEDIATE transaction already holds the database's write lock.
        lock = f' FOR UPDATE OF "{ORDER_T}"' if vendor == "postgresql" else ""
        self.sql = (
            f"SELECT {self.order.sql}, {self.customer.sql}, {self.store.sql}, {self.extra.sql} "
            f'FROM "{ORDER_T}" '
            f'INNER JOIN "{customer_t}" ON "{customer_t}"."id" = "{ORDER_T}"."customer_id" '
            f'INNER JOIN "{store_t}" ON "{store_t}"."id" = "{ORDER_T}"."store_id" '
            f'WHERE "{ORDER_T}"."merchant_id" = %s AND "{ORDER_T}"."{by}" = %s '
            f"LIMIT 1{lock}"
        )

    def run(self, merchant_id: int, value: Any) -> Order | None:
        with connection.cursor() as cursor:
            cursor.execute(self.sql, [*self.extra.constant_params, merchant_id, value])
            row = cursor.fetchone()
        if row is None:
            return None
        order_values, customer, store, extra = split_row(
            row, self.order, self.customer, self.store, self.extra
        )
        order = self.order.build(order_values, connection)
        order.customer = self.customer.build(customer, connection)  # type: ignore[attr-defined]
        order.store = self.store.build(store, connection)  # type: ignore[attr-defined]
        self.extra.apply(order, extra, connection)
        return order  # type: ignore[return-value]


_statements: dict[tuple[str, str], _Statement] = {}


def lock_order(actor: Actor, *, order_id: int | None, order_external_id: str | None) -> Order:
    """The order row, locked for the rest of the transaction (another merchant's: 404)."""
    if (order_id is None) == (order_external_id is None):
        raise ValidationFailed("Give exactly one of order_id and order_external_id.")
    by, value = ("id", order_id) if order_id is not None else ("external_id", order_external_id)
    key = (connection.vendor, by)
    if key not in _statements:
        _statements[key] = _Statement(*key)
    order = _statements[key].run(actor.merchant.pk, value)
    if order is None:
        raise NotFound("No order matches.")
    return order


def desk_of(order: Order) -> ReturnDesk | None:
    """The return desk read along with the order by lock_order (None: not set up yet)."""
    values = {name: getattr(order, f"desk_{name}") for name in _DESK_FIELDS_OUT}
    if values["id"] is None:
        return None
    return ReturnDesk(merchant_id=order.merchant_id, **values)
