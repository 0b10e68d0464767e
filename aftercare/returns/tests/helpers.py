"""Test helpers for cases: a policy, a delivered order, opening a case, snapshots of rows."""

from __future__ import annotations

from typing import Any

from aftercare.commerce.models import Order, OrderLine
from aftercare.core.actors import Actor
from aftercare.core.models import AuditEvent
from aftercare.merchants.models import Merchant
from aftercare.policies.actions import create_policy
from aftercare.policies.models import ReturnPolicy
from aftercare.policies.presets import PRESETS
from aftercare.policies.spec import dump_spec, parse_spec
from aftercare.returns import actions
from aftercare.returns.models import (
    Attachment,
    Case,
    CaseEvent,
    CaseLine,
    ExchangeItem,
    Negotiation,
    ReplacementOrder,
)

CASE_MODELS = (
    Case,
    CaseLine,
    CaseEvent,
    AuditEvent,
    Attachment,
    ExchangeItem,
    ReplacementOrder,
    Negotiation,
)


def install_policy(merchant: Merchant, preset: str = "china_7day", **changes: Any) -> ReturnPolicy:
    spec = dump_spec(PRESETS[preset]())
    spec.update(changes)
    return create_policy(actor=Actor.system(merchant), name=preset, spec=parse_spec(spec))


def open_case(
    actor: Actor,
    order: Order,
    lines: list[OrderLine],
    *,
    quantity: int = 1,
    reason: str = "size",
    type: str = "return_refund",
    condition: str = "unopened",
) -> Case:
    return actions.create_case(
        actor=actor,
        order_id=order.pk,
        lines=[
            actions.LineRequest(
                order_line_id=line.pk, quantity=quantity, stated_condition=condition
            )
            for line in lines
        ],
        type=type,
        reason=reason,
    )


def snapshot() -> dict[str, list[dict[str, Any]]]:
    """Every row a case action may write, to prove that a refused request changed nothing."""
    return {m.__name__: list(m.objects.order_by("pk").values()) for m in CASE_MODELS}


def body_for(order: Order, lines: list[OrderLine], **extra: Any) -> dict[str, Any]:
    return {
        "order_id": order.pk,
        "lines": [{"order_line_id": line.pk, "quantity": 1} for line in lines],
        "type": "return_refund",
        "reason": "size",
        **extra,
    }
