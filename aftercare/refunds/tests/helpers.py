"""Helpers for refunds tests: drive a case to its refund point, deliver outbox messages,
snapshot every refunds row."""

from __future__ import annotations

from typing import Any

from aftercare.commerce.models import Order, OrderLine
from aftercare.core.actors import Actor
from aftercare.core.models import AuditEvent
from aftercare.core.outbox import deliver_outbox_message
from aftercare.core.outbox_models import OutboxMessage
from aftercare.refunds.models import (
    Execution,
    Grant,
    GrantLine,
    LedgerEntry,
    RefundEvent,
    RetentionResponse,
)
from aftercare.returns import actions, inspection
from aftercare.returns.models import Case, CaseLine
from aftercare.returns.tests.helpers import open_case

REFUND_MODELS = (Grant, GrantLine, Execution, LedgerEntry, RefundEvent, RetentionResponse)


def snapshot() -> dict[str, list[dict[str, Any]]]:
    models = (*REFUND_MODELS, Case, AuditEvent, OutboxMessage)
    return {m.__name__: list(m.objects.order_by("pk").values()) for m in models}


def case_at_refund_point(actor: Actor, order: Order, lines: list[OrderLine]) -> Case:
    """A case of the 'custom' policy taken through review, shipping and a passed inspection."""
    case = open_case(actor, order, lines)
    case = actions.approve_case(actor=actor, case=case)
    case = inspection.mark_shipped(actor=actor, case=case, tracking_number="SF1", carrier="sf")
    case = inspection.receive_return(actor=actor, case=case)
    results = [
        inspection.LineResult(case_line_id=line.pk, received_quantity=line.quantity)
        for line in CaseLine.objects.filter(case=case)
    ]
    return inspection.record_inspection(actor=actor, case=case, results=results)


def deliver_all(topic: str = "refunds.execute") -> list[str]:
    ids = OutboxMessage.objects.filter(topic=topic).order_by("pk").values_list("pk", flat=True)
    return [deliver_outbox_message(pk, worker_id="test") for pk in ids]
