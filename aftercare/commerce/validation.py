"""Checks on incoming commerce records that go beyond their schema. Pure: no database.

Each check returns errors as {"field", "code", "message"}; the upsert actions attach them to
the record's outcome, and a record with any error changes nothing.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.core.validators import validate_email

from aftercare.commerce.bulk import aware, plain
from aftercare.commerce.phones import InvalidPhone, to_e164
from aftercare.commerce.schemas import CustomerIn, OrderIn, ShipmentIn
from aftercare.merchants.models import Merchant

Error = dict[str, str]
# Marketplaces round each line and the order separately; a cent either way is not an error.
TOLERANCE = Decimal("0.01")
# Money columns hold 12 digits with 2 decimals.
MONEY_LIMIT = Decimal("9999999999.99")


def error(field: str, code: str, message: str) -> Error:
    return {"field": field, "code": code, "message": message}


def clean_customer(
    item: CustomerIn, merchant: Merchant, prefix: str = ""
) -> tuple[dict[str, Any], list[Error]]:
    """The fields the sender gave (others keep their stored value), phone in E.164."""
    values = plain(item.model_dump(exclude_unset=True, exclude={"external_id"}))
    errors: list[Error] = []
    phone = str(values.get("phone", "")).strip()
    if phone:
        try:
            values["phone"] = to_e164(phone, region=merchant.default_phone_region)
        except InvalidPhone as exc:
            errors.append(error(prefix + "phone", "invalid_phone", str(exc)))
    email = str(values.get("email", "")).strip()
    if email:
        try:
            validate_email(email)
            values["email"] = email
        except ValidationError:
            errors.append(error(prefix + "email", "invalid_email", f"{email!r} is not an email."))
    return values, errors


def clean_shipment(
    item: ShipmentIn, stored: dict[str, Any], zone: str
) -> tuple[dict[str, Any], list[Error]]:
    values = plain(
        item.model_dump(exclude_unset=True, exclude={"external_id", "order_external_id"})
    )
    for name in ("shipped_at", "delivered_at"):
        if name in values:
            values[name] = aware(values[name], zone)
    effective = {**stored, **values}
    errors: list[Error] = []
    shipped, delivered = effective.get("shipped_at"), effective.get("delivered_at")
    if effective.get("status") == "delivered" and delivered is None:
        errors.append(error("delivered_at", "required", "A delivered shipment needs delivered_at."))
    if shipped and delivered and delivered < shipped:
        errors.append(
            error("delivered_at", "before_shipped", "delivered_at is earlier than shipped_at.")
        )
    return values, errors


def check_lines(item: OrderIn) -> list[Error]:
    errors: list[Error] = []
    seen: set[int] = set()
    for i, line in enumerate(item.lines):
        if line.line_no in seen:
            errors.append(
                error(f"lines.{i}.line_no", "duplicate_line_no", "line_no is used twice.")
            )
        seen.add(line.line_no)
        if line.discount > line.unit_price * line.quantity:
            errors.append(
                error(
                    f"lines.{i}.discount",
                    "discount_too_large",
                    "The line discount is larger than quantity × unit_price.",
                )
            )
    return errors


def order_amounts(item: OrderIn) -> tuple[dict[str, Decimal], list[Error]]:
    """Subtotal and total of an order, checked against what the sender says they are."""
    subtotal = sum((line.unit_price * line.quantity for line in item.lines), Decimal("0"))
    line_discounts = sum((line.discount for line in item.lines), Decimal("0"))
    total = subtotal - line_discounts - item.discount_total + item.shipping_fee
    errors: list[Error] = []
    if item.subtotal is not None and abs(item.subtotal - subtotal) > TOLERANCE:
        errors.append(
            error(
                "subtotal",
                "subtotal_mismatch",
                f"The lines add up to {subtotal}, not {item.subtotal}.",
            )
        )
    if item.discount_total > subtotal - line_discounts:
        errors.append(
            error("discount_total", "discount_too_large", "The discount exceeds the lines' value.")
        )
    if item.total is not None and abs(item.total - total) > TOLERANCE:
        errors.append(
            error(
                "total",
                "total_mismatch",
                f"subtotal − discounts + shipping_fee is {total}, not {item.total}.",
            )
        )
    if subtotal > MONEY_LIMIT:
        errors.append(error("lines", "amount_too_large", "The order's value is too large."))
    charged = item.total if item.total is not None else total
    errors.extend(_check_payments(item, charged))
    amounts = {"subtotal": subtotal, "total": charged}
    return amounts, errors


def _check_payments(item: OrderIn, total: Decimal) -> list[Error]:
    errors: list[Error] = []
    payments = item.payments or []
    references = [payment.external_id for payment in payments]
    if len(set(references)) != len(references):
        errors.append(error("payments", "duplicate_payment", "A payment is listed twice."))
    paid = sum((p.amount for p in payments if p.status == "paid"), Decimal("0"))
    if paid > total + TOLERANCE:
        errors.append(
            error("payments", "overpaid", f"Paid payments add up to {paid}, more than {total}.")
        )
    return errors
