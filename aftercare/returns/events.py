"""Domain events of cases: what happened, for the apps that react to it.

Each action calls `emit()` in its own transaction, so an event exists if and only if the
change committed. Consumers (notifications, refunds) read `events_since()` with their own
cursor (the last id they handled); follow-ups that must happen in the same transaction are
called explicitly by the action instead (rule 11: no signals). See docs/adr/0011.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.db.models import QuerySet

from aftercare.core.actors import Actor
from aftercare.returns.models import Case, CaseEvent

CREATED = "case.created"
AUTO_APPROVED = "case.auto_approved"
SENT_TO_REVIEW = "case.sent_to_review"
APPROVED = "case.approved"
REJECTED = "case.rejected"
INFO_REQUESTED = "case.info_requested"
INSTRUCTIONS_ISSUED = "case.return_instructions_issued"
SHIPPED = "case.shipped"
RECEIVED = "case.received"
INSPECTION_STARTED = "case.inspection_started"
INSPECTION_PASSED = "case.inspection_passed"
INSPECTION_FAILED = "case.inspection_failed"
REFUND_POINT_REACHED = "case.refund_point_reached"
REFUNDED = "case.refunded"
EXCHANGE_STARTED = "case.exchange_started"
EXCHANGED = "case.exchanged"
REPAIR_STARTED = "case.repair_started"
REPAIRED = "case.repaired"
APPEALED = "case.appealed"
APPEAL_UPHELD = "case.appeal_upheld"
APPEAL_OVERTURNED = "case.appeal_overturned"
NEGOTIATED = "case.resolved_by_negotiation"
CANCELLED = "case.cancelled"
CLOSED = "case.closed"
ATTACHMENT_ADDED = "case.attachment_added"

ALL_KINDS = frozenset(
    value for name, value in dict(globals()).items() if name.isupper() and name != "ALL_KINDS"
)


def emit(case: Case, kind: str, *, actor: Actor, data: dict[str, Any] | None = None) -> CaseEvent:
    """Record one domain event; call inside the action's transaction."""
    assert kind in ALL_KINDS, kind
    return CaseEvent.objects.create(
        merchant_id=case.merchant_id,
        case=case,
        kind=kind,
        data={"status": case.status, "number": case.number, **(data or {})},
        actor_label=actor.label,
    )


def events_since(
    *,
    after_id: int = 0,
    merchant_id: int | None = None,
    kinds: Iterable[str] | None = None,
    limit: int = 500,
) -> QuerySet[CaseEvent]:
    """Events with an id above `after_id`, oldest first, at most `limit`; one merchant's when
    `merchant_id` is given (a worker serving every merchant leaves it out)."""
    events = CaseEvent.objects.filter(id__gt=after_id)
    if merchant_id is not None:
        events = events.filter(merchant_id=merchant_id)
    if kinds is not None:
        events = events.filter(kind__in=list(kinds))
    return events.order_by("id")[:limit]
