"""Domain events of refunds, for the apps that react to them (notifications, the merchant's
coupon system through outgoing webhooks, analytics).

Like returns' CaseEvent (docs/adr/0011): each action calls `emit()` inside its transaction, so
an event exists if and only if the change committed; consumers read `events_since()` with their
own cursor (the last id they handled) and dedupe on the event id.

Every event's `data` carries: grant_id, case_id (or null), case_number, order_id, kind (grant
kind), amount and currency (strings, exact), status (the grant's status after the step).
Extra keys per event are listed next to each constant.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.db.models import QuerySet

from aftercare.core.actors import Actor
from aftercare.refunds.models import Grant, RefundEvent

GRANTED = "refund.granted"  # + source, approved_by
APPROVAL_REQUIRED = "refund.approval_required"  # + needs: "supervisor" | "finance"
APPROVED = "refund.approved"  # + approved_by, stage: "supervisor" | "finance"
CANCELLED = "refund.cancelled"  # + reason
REQUESTED = "refund.requested"  # + gateway, idempotency_key (sent to the gateway)
SUCCEEDED = "refund.succeeded"  # + gateway, reference
FAILED = "refund.failed"  # + gateway, error (permanent; waits in the finance queue)
REVERSED = "refund.reversed"  # + reference, reason
COUPON_ISSUED = "refund.coupon_issued"  # + coupon_code, expires_at (ISO): redeem with these
RESEND_REQUESTED = "refund.resend_requested"  # + part_description: ship this part

ALL_KINDS = frozenset(
    value for name, value in dict(globals()).items() if name.isupper() and name != "ALL_KINDS"
)


def emit(
    grant: Grant, kind: str, *, actor: Actor | None = None, data: dict[str, Any] | None = None
) -> RefundEvent:
    """Record one refunds domain event; call inside the action's transaction."""
    assert kind in ALL_KINDS, kind
    return RefundEvent.objects.create(
        merchant_id=grant.merchant_id,
        grant=grant,
        case_id=grant.case_id,
        kind=kind,
        data={
            "grant_id": grant.pk,
            "case_id": grant.case_id,
            "case_number": case_number(grant),
            "order_id": grant.order_id,
            "kind": grant.kind,
            "amount": str(grant.amount),
            "currency": grant.currency,
            "status": grant.status,
            **(data or {}),
        },
        actor_label=actor.label if actor is not None else "system",
    )


def case_number(grant: Grant) -> str | None:
    """The grant's case number, without loading the case row when it is not in hand yet."""
    if grant.case_id is None:
        return None
    if Grant.case.is_cached(grant):
        return grant.case.number if grant.case is not None else None
    from aftercare.returns.models import Case

    number: str | None = (
        Case.objects.filter(pk=grant.case_id).values_list("number", flat=True).first()
    )
    return number


def events_since(
    *,
    after_id: int = 0,
    merchant_id: int | None = None,
    kinds: Iterable[str] | None = None,
    limit: int = 500,
) -> QuerySet[RefundEvent]:
    """Events with an id above `after_id`, oldest first, at most `limit`."""
    events = RefundEvent.objects.filter(id__gt=after_id)
    if merchant_id is not None:
        events = events.filter(merchant_id=merchant_id)
    if kinds is not None:
        events = events.filter(kind__in=list(kinds))
    return events.order_by("id")[:limit]
