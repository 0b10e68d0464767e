"""Pure facts for engine tests: an order delivered at a known time, lines, a request."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Any

from aftercare.policies.domain import (
    CustomerFacts,
    Facts,
    LineFacts,
    OrderFacts,
    RequestFacts,
    RequestLine,
)
from aftercare.policies.spec import PolicySpec, parse_spec

# 10:00 in Shanghai on 1 November; windows count Shanghai calendar days.
DELIVERED = datetime(2026, 11, 1, 2, 0, tzinfo=UTC)


def line(line_id: int = 1, **fields: Any) -> LineFacts:
    values: dict[str, Any] = {
        "line_id": line_id,
        "line_no": line_id,
        "sku": f"SKU-{line_id}",
        "name": f"Item {line_id}",
        "category": "apparel",
        "unit_price": Decimal("100.00"),
        "quantity": 2,
    }
    values.update(fields)
    return LineFacts(**values)


def order(*lines: LineFacts, delivered: bool = True, **fields: Any) -> OrderFacts:
    lines = lines or (line(),)
    subtotal = sum((item.unit_price * item.quantity - item.discount for item in lines), Decimal(0))
    discount = fields.pop("discount_total", Decimal("0.00"))
    shipping = fields.pop("shipping_fee", Decimal("0.00"))
    total = subtotal - discount + shipping
    values: dict[str, Any] = {
        "order_id": 1,
        "external_id": "SO1",
        "currency": "CNY",
        "channel": "tmall",
        "placed_at": DELIVERED - timedelta(days=3),
        "delivered_at": DELIVERED if delivered else None,
        "timezone": "Asia/Shanghai",
        "subtotal": subtotal,
        "discount_total": discount,
        "shipping_fee": shipping,
        "total": total,
        "paid_total": total,
        "lines": lines,
    }
    values.update(fields)
    return OrderFacts(**values)


def request(
    *,
    after: timedelta = timedelta(days=3),
    type: str = "return_refund",
    reason: str = "size",
    lines: tuple[RequestLine, ...] = (RequestLine(1, 1, "unopened"),),
) -> RequestFacts:
    return RequestFacts(type=type, reason=reason, lines=lines, requested_at=DELIVERED + after)


def facts(
    the_order: OrderFacts | None = None,
    the_request: RequestFacts | None = None,
    **customer: Any,
) -> Facts:
    return Facts(
        order=the_order or order(),
        customer=CustomerFacts(**customer),
        request=the_request or request(),
    )


def spec(**fields: Any) -> PolicySpec:
    return parse_spec(fields)


def rule(name: str, conditions: list[dict], *actions: dict, **extra: Any) -> dict:
    return {"name": name, "conditions": conditions, "actions": list(actions), **extra}


def cond(field: str, op: str, value: Any = None) -> dict:
    data: dict[str, Any] = {"field": field, "op": op}
    if value is not None:
        data["value"] = value
    return data


def with_lines(base: Facts, *wanted: RequestLine) -> Facts:
    return replace(base, request=replace(base.request, lines=wanted))
