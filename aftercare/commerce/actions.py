"""Writers of commerce data: bulk, idempotent upserts keyed by the merchant's own ids.

The REST API and `aftercare import` call these same functions, so both accept and refuse
exactly the same records. A batch runs in one transaction; a record that fails validation is
reported with its errors and skipped, the others are written. Re-sending a batch reports
"unchanged" and writes nothing.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from django.db import models, transaction
from django.db.models import Q

from aftercare.commerce.bulk import (
    UNCHANGED,
    UPDATED,
    BatchResult,
    Outcome,
    Parsed,
    aware,
    parse_records,
    plain,
    plan_row,
    valid,
    write_audit,
    write_rows,
)
from aftercare.commerce.models import Customer, Order, OrderLine, Payment, Product, Shipment
from aftercare.commerce.schemas import CustomerIn, OrderIn, ProductIn, ShipmentIn
from aftercare.commerce.validation import (
    Error,
    check_lines,
    clean_customer,
    clean_shipment,
    error,
    order_amounts,
)
from aftercare.core.actors import Actor
from aftercare.merchants.models import Merchant, Store
from aftercare.merchants.queries import scoped

CUSTOMER_FIELDS = ["external_id", "name", "phone", "email", "language", "tier", "risk_tags"]
PRODUCT_FIELDS = [
    *("sku", "name", "category", "price", "returnable", "return_window_days"),
    *("must_be_unopened", "is_hygiene", "is_custom_made", "is_perishable", "is_digital"),
]
SHIPMENT_FIELDS = [
    *("external_id", "order_id", "carrier", "tracking_number", "status"),
    *("origin_region", "destination_region", "shipped_at", "delivered_at"),
]
ORDER_FIELDS = [
    *("external_id", "store_id", "customer_id", "status", "currency", "placed_at"),
    *("subtotal", "discount_total", "shipping_fee", "total", "shipping_address"),
    "return_shipping_insurance",
]
LINE_FIELDS = ["order_id", "line_no", "product_id", "sku", "name", "quantity", "unit_price"]
LINE_FIELDS += ["discount"]
PAYMENT_FIELDS = ["external_id", "order_id", "method", "amount", "status", "paid_at"]


# --- Customers, products, shipments: one row per record ---------------------------------------


AuditEntries = list[tuple[type[models.Model], int, str, Any]]
Wanted = dict[str, tuple[Outcome, dict[str, Any]]]


def upsert_customers(*, actor: Actor, records: Sequence[Any]) -> BatchResult:
    parsed = parse_records(records, CustomerIn, "external_id")
    wanted: Wanted = {}
    for outcome, item in valid(parsed):
        values, errors = clean_customer(item, actor.merchant)
        outcome.errors.extend(errors)
        if outcome.ok:
            wanted[item.external_id] = (outcome, values)
    audit: AuditEntries = []
    with transaction.atomic():
        written = write_customers(actor, _values(wanted), audit)
        write_audit(actor, audit)
    return _finish(parsed, wanted, written)


def write_customers(
    actor: Actor,
    wanted: dict[str, dict[str, Any]],
    audit: AuditEntries,
    existing: dict[str, Customer] | None = None,
) -> dict[str, tuple[str, int]]:
    """Upsert customers by external id; new ones speak the merchant's language by default."""
    if existing is None:
        existing = _by_key(scoped(Customer, actor.merchant), "external_id", wanted)
    defaults = {"language": actor.merchant.default_language}
    with_defaults = {
        key: values if key in existing else {**defaults, **values} for key, values in wanted.items()
    }
    return _write_rows(
        actor,
        Customer,
        with_defaults,
        existing,
        key_field="external_id",
        fields=CUSTOMER_FIELDS,
        audit=audit,
    )


def upsert_products(*, actor: Actor, records: Sequence[Any]) -> BatchResult:
    parsed = parse_records(records, ProductIn, "sku")
    wanted: Wanted = {
        item.sku: (outcome, plain(item.model_dump(exclude_unset=True, exclude={"sku"})))
        for outcome, item in valid(parsed)
    }
    audit: AuditEntries = []
    with transaction.atomic():
        existing = _by_key(scoped(Product, actor.merchant), "sku", wanted)
        written = _write_rows(
            actor,
            Product,
            _values(wanted),
            existing,
            key_field="sku",
            fields=PRODUCT_FIELDS,
            audit=audit,
        )
        write_audit(actor, audit)
    return _finish(parsed, wanted, written)


def upsert_shipments(*, actor: Actor, records: Sequence[Any]) -> BatchResult:
    merchant = actor.merchant
    parsed = parse_records(records, ShipmentIn, "external_id")
    items = valid(parsed)
    audit: AuditEntries = []
    with transaction.atomic():
        order_ids = dict(
            scoped(Order, merchant)
            .filter(external_id__in={item.order_external_id for _, item in items})
            .values_list("external_id", "id")
        )
        keys = {item.external_id for _, item in items}
        existing = _by_key(scoped(Shipment, merchant), "external_id", keys)
        wanted: Wanted = {}
        for outcome, item in items:
            stored = _stored(existing.get(item.external_id), SHIPMENT_FIELDS)
            values, errors = clean_shipment(item, stored, merchant.timezone)
            outcome.errors.extend(errors)
            if item.order_external_id not in order_ids:
                outcome.fail("order_external_id", "unknown_order", "No order has this number.")
            if outcome.ok:
                values["order_id"] = order_ids[item.order_external_id]
                wanted[item.external_id] = (outcome, values)
        written = _write_rows(
            actor,
            Shipment,
            _values(wanted),
            existing,
            key_field="external_id",
            fields=SHIPMENT_FIELDS,
            audit=audit,
        )
        write_audit(actor, audit)
    return _finish(parsed, wanted, written)


def _values(wanted: Wanted) -> dict[str, dict[str, Any]]:
    return {key: values for key, (_, values) in wanted.items()}


def _finish(
    parsed: list[Parsed[Any]], wanted: Wanted, written: dict[str, tuple[str, int]]
) -> BatchResult:
    for key, (outcome, _) in wanted.items():
        outcome.done(*written[key])
    return BatchResult([p.outcome for p in parsed])


def _by_key(queryset: models.QuerySet, key_field: str, keys: Any) -> dict[str, Any]:
    return {
        getattr(row, key_field): row for row in queryset.filter(**{f"{key_field}__in": list(keys)})
    }


def _stored(row: models.Model | None, fields: list[str]) -> dict[str, Any]:
    return {name: getattr(row, name) for name in fields} if row is not None else {}


def _write_rows(
    actor: Actor,
    model: type[models.Model],
    wanted: dict[str, dict[str, Any]],
    existing: dict[str, Any],
    *,
    key_field: str,
    fields: list[str],
    audit: AuditEntries,
) -> dict[str, tuple[str, int]]:
    """Plan every row, write new and changed ones in one statement, note them for the audit."""
    planned = {
        key: plan_row(
            model, values={key_field: key, **values}, existing=existing.get(key), fields=fields
        )
        for key, values in wanted.items()
    }
    returned = write_rows(
        model,
        fields,
        [row for _, row, _ in planned.values() if row is not None],
        constants={"merchant_id": actor.merchant_id},
        conflict=["merchant", key_field],
        update=[*(f for f in fields if f != key_field), "updated_at"],
        returning=[key_field, "id"],
    )
    # Keyed by the merchant's id: RETURNING does not promise the order rows went in.
    ids = dict(returned)
    label = model._meta.model_name
    audit.extend(
        (model, ids[key], f"{label}:{result}", {"fields": changed})
        for key, (result, row, changed) in planned.items()
        if row is not None
    )
    return {
        key: (result, ids[key] if row is not None else existing[key].pk)
        for key, (result, row, _) in planned.items()
    }


# --- Orders: with their lines, payments and (optionally) their customer ------------------------


@dataclass
class OrderRefs:
    """Everything a batch of orders refers to, each fetched with one query."""

    stores: dict[str, int]
    products: dict[str, Product]
    customers: dict[str, Customer]
    orders: dict[str, Order]
    lines: dict[int, dict[int, OrderLine]]
    payments: dict[str, Payment]


@dataclass
class OrderPlan:
    outcome: Outcome
    key: str
    customer_key: str
    customer_values: dict[str, Any] | None
    values: dict[str, Any]
    lines: list[dict[str, Any]]
    payments: list[dict[str, Any]] | None
    changed: set[str] = field(default_factory=set)


def upsert_orders(*, actor: Actor, records: Sequence[Any]) -> BatchResult:
    """Upsert orders with their lines and payments, and embedded customers, by order number."""
    parsed = parse_records(records, OrderIn, "external_id")
    items = valid(parsed)
    with transaction.atomic():
        refs = _load_order_refs(actor.merchant, [item for _, item in items])
        plans = [_plan_order(actor.merchant, refs, outcome, item) for outcome, item in items]
        embedded = _check_across_batch([plan for plan in plans if plan is not None], refs)
        _write_orders(actor, [p for p in plans if p is not None and p.outcome.ok], refs, embedded)
    return BatchResult([p.outcome for p in parsed])


def _customer_key(item: OrderIn) -> str | None:
    return item.customer.external_id if item.customer else item.customer_external_id


def _load_order_refs(merchant: Merchant, items: list[OrderIn]) -> OrderRefs:
    skus = {line.sku for item in items for line in item.lines}
    customer_keys = {key for key in map(_customer_key, items) if key}
    payment_keys = {p.external_id for item in items for p in item.payments or []}
    orders = _by_key(scoped(Order, merchant), "external_id", {item.external_id for item in items})
    order_ids = [order.pk for order in orders.values()]
    lines: dict[int, dict[int, OrderLine]] = defaultdict(dict)
    for line in scoped(OrderLine, merchant).filter(order_id__in=order_ids):
        lines[line.order_id][line.line_no] = line
    payments = scoped(Payment, merchant).filter(
        Q(order_id__in=order_ids) | Q(external_id__in=payment_keys)
    )
    return OrderRefs(
        stores=dict(
            scoped(Store, merchant)
            .filter(code__in={item.store for item in items})
            .values_list("code", "id")
        ),
        products=_by_key(scoped(Product, merchant).only("id", "sku", "name"), "sku", skus),
        customers=_by_key(scoped(Customer, merchant), "external_id", customer_keys),
        orders=orders,
        lines=lines,
        payments={p.external_id: p for p in payments} if order_ids or payment_keys else {},
    )


def _plan_order(
    merchant: Merchant, refs: OrderRefs, outcome: Outcome, item: OrderIn
) -> OrderPlan | None:
    existing = refs.orders.get(item.external_id)
    customer_key, customer_values, errors = _order_customer(item, merchant)
    if item.store not in refs.stores:
        errors.append(error("store", "unknown_store", f"No store has the code {item.store!r}."))
    errors += check_lines(item)
    lines, line_errors = _line_values(item, refs)
    amounts, money_errors = order_amounts(item)
    payments, payment_errors = _payment_values(item, refs, existing, merchant.timezone)
    errors += line_errors + money_errors + payment_errors
    if existing is not None:
        errors += _missing_lines(item, refs.lines.get(existing.pk, {}))
    outcome.errors.extend(errors)
    if not outcome.ok:
        return None
    values = {
        "store_id": refs.stores[item.store],
        "status": item.status.value,
        "currency": item.currency or merchant.currency,
        "placed_at": aware(item.placed_at, merchant.timezone),
        "discount_total": item.discount_total,
        "shipping_fee": item.shipping_fee,
        "shipping_address": item.shipping_address,
        "return_shipping_insurance": item.return_shipping_insurance,
        **amounts,
    }
    return OrderPlan(
        outcome, item.external_id, customer_key, customer_values, values, lines, payments
    )


def _order_customer(
    item: OrderIn, merchant: Merchant
) -> tuple[str, dict[str, Any] | None, list[Error]]:
    if item.customer is None:
        if item.customer_external_id:
            return item.customer_external_id, None, []
        message = "Give customer_external_id or an embedded customer."
        return "", None, [error("customer_external_id", "required", message)]
    errors: list[Error] = []
    if item.customer_external_id not in (None, item.customer.external_id):
        message = "customer_external_id differs from customer.external_id."
        errors.append(error("customer_external_id", "customer_mismatch", message))
    values, customer_errors = clean_customer(item.customer, merchant, prefix="customer.")
    return item.customer.external_id, values, errors + customer_errors


def _line_values(item: OrderIn, refs: OrderRefs) -> tuple[list[dict[str, Any]], list[Error]]:
    lines, errors = [], []
    for i, line in enumerate(item.lines):
        product = refs.products.get(line.sku)
        if product is None:
            errors.append(error(f"lines.{i}.sku", "unknown_product", f"No product {line.sku!r}."))
            continue
        lines.append(
            {
                "line_no": line.line_no,
                "product_id": product.pk,
                "sku": line.sku,
                "name": line.name or product.name,
                "quantity": line.quantity,
                "unit_price": line.unit_price,
                "discount": line.discount,
            }
        )
    return lines, errors


def _missing_lines(item: OrderIn, stored: dict[int, OrderLine]) -> list[Error]:
    # Lines are never deleted by a re-sent order: return cases, refunds and inspections point
    # at them, and silently keeping them would leave the order disagreeing with the sender.
    # So an order re-sent without a line it had is refused until the sender includes it.
    missing = sorted(set(stored) - {line.line_no for line in item.lines})
    if not missing:
        return []
    numbers = ", ".join(map(str, missing))
    return [error("lines", "lines_missing", f"Stored line(s) {numbers} are missing; send them.")]


def _payment_values(
    item: OrderIn, refs: OrderRefs, existing: Order | None, zone: str
) -> tuple[list[dict[str, Any]] | None, list[Error]]:
    """Payments when the record lists them (None keeps the stored ones as they are)."""
    if item.payments is None:
        return None, []
    errors: list[Error] = []
    own_id = existing.pk if existing is not None else None
    for i, payment in enumerate(item.payments):
        stored = refs.payments.get(payment.external_id)
        if stored is not None and stored.order_id != own_id:
            message = "This payment reference belongs to another order."
            errors.append(error(f"payments.{i}.external_id", "payment_of_other_order", message))
    given = {payment.external_id for payment in item.payments}
    kept = {key for key, p in refs.payments.items() if own_id and p.order_id == own_id}
    if kept - given:
        # Same reason as lines: payments are money records that refunds refer to.
        message = f"Stored payment(s) {', '.join(sorted(kept - given))} are missing; send them."
        errors.append(error("payments", "payments_missing", message))
    values = [
        {**p.model_dump(exclude={"status", "paid_at"}), "status": p.status.value}
        | {"paid_at": aware(p.paid_at, zone)}
        for p in item.payments
    ]
    return values, errors


def _check_across_batch(plans: list[OrderPlan], refs: OrderRefs) -> dict[str, dict[str, Any]]:
    """Checks between records: shared customers and payments. Returns customers to upsert."""
    embedded: dict[str, dict[str, Any]] = {}
    payment_owner: dict[str, str] = {}
    for plan in plans:
        values = plan.customer_values
        prior = embedded.get(plan.customer_key, {})
        if values is not None and any(prior.get(k, v) != v for k, v in values.items()):
            message = "The embedded customer differs from an earlier order in this batch."
            plan.outcome.fail("customer", "customer_conflict", message)
        for payment in plan.payments or []:
            owner = payment_owner.setdefault(payment["external_id"], plan.key)
            if owner != plan.key:
                message = "Another order in this batch has this payment reference."
                plan.outcome.fail("payments", "duplicate_in_batch", message)
        if values is not None and plan.outcome.ok:
            embedded[plan.customer_key] = {**prior, **values}
    for plan in plans:
        known = plan.customer_key in refs.customers or plan.customer_key in embedded
        if plan.outcome.ok and not known:
            message = f"No customer {plan.customer_key!r}; send it embedded as `customer`."
            plan.outcome.fail("customer_external_id", "unknown_customer", message)
    return embedded


def _write_orders(
    actor: Actor, plans: list[OrderPlan], refs: OrderRefs, embedded: dict[str, dict[str, Any]]
) -> None:
    audit: AuditEntries = []
    customers = write_customers(actor, embedded, audit, existing=refs.customers)
    customer_ids = {key: c.pk for key, c in refs.customers.items()}
    customer_ids.update({key: pk for key, (_, pk) in customers.items()})
    for plan in plans:
        plan.values["customer_id"] = customer_ids[plan.customer_key]
        if customers.get(plan.customer_key, (UNCHANGED,))[0] != UNCHANGED:
            plan.changed.add("customer")
    wanted = {plan.key: plan.values for plan in plans}
    written = _write_rows(
        actor, Order, wanted, refs.orders, key_field="external_id", fields=ORDER_FIELDS, audit=audit
    )
    for plan in plans:
        result, order_id = written[plan.key]
        if result == UPDATED:
            plan.changed.add("order")
        for line in plan.lines:
            line["order_id"] = order_id
        for payment in plan.payments or []:
            payment["order_id"] = order_id
    _write_lines(actor, plans, refs)
    _write_payments(actor, plans, refs)
    write_audit(actor, audit)
    for plan in plans:
        result, order_id = written[plan.key]
        if result == UNCHANGED and plan.changed:
            result = UPDATED
        plan.outcome.done(result, order_id)


def _write_lines(actor: Actor, plans: list[OrderPlan], refs: OrderRefs) -> None:
    rows = []
    for plan in plans:
        for values in plan.lines:
            stored = refs.lines.get(values["order_id"], {}).get(values["line_no"])
            _, row, _ = plan_row(OrderLine, values=values, existing=stored, fields=LINE_FIELDS)
            if row is not None:
                rows.append(row)
                plan.changed.add("lines")
    update = [f for f in LINE_FIELDS if f not in ("order_id", "line_no")]
    constants = {"merchant_id": actor.merchant_id}
    write_rows(
        OrderLine,
        LINE_FIELDS,
        rows,
        constants=constants,
        conflict=["order", "line_no"],
        update=update,
    )


def _write_payments(actor: Actor, plans: list[OrderPlan], refs: OrderRefs) -> None:
    rows = []
    for plan in plans:
        for values in plan.payments or []:
            stored = refs.payments.get(values["external_id"])
            _, row, _ = plan_row(Payment, values=values, existing=stored, fields=PAYMENT_FIELDS)
            if row is not None:
                rows.append(row)
                plan.changed.add("payments")
    update = [f for f in PAYMENT_FIELDS if f != "external_id"]
    conflict = ["merchant", "external_id"]
    constants = {"merchant_id": actor.merchant_id}
    write_rows(Payment, PAYMENT_FIELDS, rows, constants=constants, conflict=conflict, update=update)
