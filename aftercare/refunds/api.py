"""The refunds API, mounted by aftercare/api.py at /api/v1/refunds.

Reads need "refunds.read"; granting "refunds.grant" (agents within their limits); approving
above an agent's limit "refunds.approve"; finance approval, execute, retry, mark paid and
reverse "refunds.finance". Every write goes through actions.py / execution.py.
"""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from ninja import Query, Router, Status

from aftercare.core.api import PageOut, actor_of, page_of, require
from aftercare.core.errors import NotFound
from aftercare.refunds import actions, execution, queries
from aftercare.refunds.events import events_since
from aftercare.refunds.schemas import (
    AcceptanceOut,
    EventFilters,
    EventOut,
    ExecutionOut,
    GrantDetailOut,
    GrantFilters,
    GrantIn,
    GrantOut,
    LedgerFilters,
    LedgerOut,
    MarkPaidIn,
    QueueFilters,
    ReasonIn,
)

router = Router(tags=["refunds"])


def detail_of(merchant_id: int, grant_id: int) -> dict[str, Any]:
    grant = queries.grants(merchant_id).prefetch_related("lines").filter(pk=grant_id).first()
    if grant is None:
        raise NotFound("No grant matches.")
    found = getattr(grant, "execution", None)  # the reverse one-to-one raises if missing
    return {
        **{field: getattr(grant, field) for field in GrantOut.model_fields},
        "lines": list(grant.lines.all()),
        "execution": found,
        "refunded": queries.refunded_total(grant_id=grant.pk),
    }


@router.get("/grants", response=PageOut[GrantOut], summary="Grants, newest first")
def list_grants(request: HttpRequest, filters: Query[GrantFilters]) -> dict[str, Any]:
    actor = actor_of(request)
    require(actor, "refunds.read")
    rows = queries.grants(actor.merchant_id)
    for name in ("status", "case_id", "order_id"):
        value = getattr(filters, name)
        if value is not None:
            rows = rows.filter(**{name: value})
    return page_of(rows, limit=filters.limit, offset=filters.offset)


@router.post("/grants", response={201: GrantDetailOut}, summary="Grant a refund or compensation")
def create_grant(request: HttpRequest, payload: GrantIn) -> Status:
    actor = actor_of(request)
    grant = actions.grant_refund(
        actor=actor,
        order_id=payload.order_id,
        case_id=payload.case_id,
        kind=str(payload.kind),
        amount=payload.amount,
        shipping_amount=payload.shipping_amount,
        lines=[
            actions.LineAmount(order_line_id=x.order_line_id, amount=x.amount, quantity=x.quantity)
            for x in payload.lines
        ],
        reason=payload.reason,
        coupon_code=payload.coupon_code,
        part_description=payload.part_description,
    )
    return Status(201, detail_of(actor.merchant_id, grant.pk))


@router.get("/grants/{int:grant_id}", response=GrantDetailOut, summary="One grant")
def get_grant(request: HttpRequest, grant_id: int) -> dict[str, Any]:
    actor = actor_of(request)
    require(actor, "refunds.read")
    return detail_of(actor.merchant_id, grant_id)


@router.post("/grants/{int:grant_id}/approve", response=GrantDetailOut, summary="Approve")
def approve(request: HttpRequest, grant_id: int) -> dict[str, Any]:
    actor = actor_of(request)
    actions.approve_grant(actor=actor, grant_id=grant_id)
    return detail_of(actor.merchant_id, grant_id)


@router.post("/grants/{int:grant_id}/cancel", response=GrantDetailOut, summary="Refuse or cancel")
def cancel(request: HttpRequest, grant_id: int, payload: ReasonIn) -> dict[str, Any]:
    actor = actor_of(request)
    actions.cancel_grant(actor=actor, grant_id=grant_id, reason=payload.reason)
    return detail_of(actor.merchant_id, grant_id)


@router.post(
    "/grants/{int:grant_id}/execute",
    response=ExecutionOut,
    summary="Send to the gateway (idempotent: every caller gets the one execution)",
)
def execute(request: HttpRequest, grant_id: int) -> Any:
    actor = actor_of(request)
    return execution.execute_grant(actor=actor, grant_id=grant_id)


@router.post(
    "/grants/{int:grant_id}/retry", response=ExecutionOut, summary="Retry with the same key"
)
def retry(request: HttpRequest, grant_id: int) -> Any:
    actor = actor_of(request)
    return execution.retry_execution(actor=actor, grant_id=grant_id)


@router.post(
    "/grants/{int:grant_id}/mark-paid", response=ExecutionOut, summary="Finance paid it by hand"
)
def mark_paid(request: HttpRequest, grant_id: int, payload: MarkPaidIn) -> Any:
    actor = actor_of(request)
    return execution.mark_paid(actor=actor, grant_id=grant_id, reference=payload.reference)


@router.post(
    "/grants/{int:grant_id}/reverse", response=ExecutionOut, summary="A paid refund came back"
)
def reverse(request: HttpRequest, grant_id: int, payload: ReasonIn) -> Any:
    actor = actor_of(request)
    return execution.reverse_payment(actor=actor, grant_id=grant_id, reason=payload.reason)


@router.get("/queues", response=PageOut[GrantOut], summary="Approval, failure and manual queues")
def queue(request: HttpRequest, filters: Query[QueueFilters]) -> dict[str, Any]:
    actor = actor_of(request)
    require(actor, "refunds.read")
    merchant_id = actor.merchant_id
    rows = {
        "supervisor": lambda: queries.approval_queue(merchant_id, stage="supervisor"),
        "finance": lambda: queries.approval_queue(merchant_id, stage="finance"),
        "failed": lambda: queries.failed_queue(merchant_id),
        "manual": lambda: queries.manual_queue(merchant_id),
    }[filters.queue]()
    return page_of(rows, limit=filters.limit, offset=filters.offset)


@router.get("/ledger", response=PageOut[LedgerOut], summary="Ledger entries, oldest first")
def ledger(request: HttpRequest, filters: Query[LedgerFilters]) -> dict[str, Any]:
    actor = actor_of(request)
    require(actor, "refunds.read")
    lookup = {
        name: getattr(filters, name)
        for name in ("order_id", "case_id", "grant_id")
        if getattr(filters, name) is not None
    }
    return page_of(
        queries.ledger_of(actor.merchant_id, **lookup), limit=filters.limit, offset=filters.offset
    )


@router.get("/events", response=list[EventOut], summary="Refund domain events after a cursor")
def list_events(request: HttpRequest, filters: Query[EventFilters]) -> Any:
    actor = actor_of(request)
    require(actor, "refunds.read")
    return list(
        events_since(after_id=filters.after_id, merchant_id=actor.merchant_id, limit=filters.limit)
    )


@router.get(
    "/retention/acceptance", response=AcceptanceOut, summary="Retention offers: acceptance rate"
)
def acceptance(request: HttpRequest) -> dict[str, Any]:
    actor = actor_of(request)
    require(actor, "refunds.read")
    return queries.retention_acceptance(actor.merchant_id)
