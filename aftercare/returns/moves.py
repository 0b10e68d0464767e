"""Shared steps of the case actions: permission checks, locking, one status move with its
stage clock and domain event, the return instructions, and the refund point.

Not an entry point: views, the API, tasks and the bot call the actions in actions.py,
inspection.py, exchange.py and disputes.py, which use these helpers inside their transaction.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from django.utils import timezone

from aftercare.core.actors import Actor
from aftercare.core.audit import record_event, subject_label
from aftercare.core.errors import Forbidden, InvalidTransition
from aftercare.core.models import AuditEvent
from aftercare.core.rows import insert_rows
from aftercare.core.transitions import transition
from aftercare.policies.spec import RefundPoint
from aftercare.returns import deadlines, events
from aftercare.returns.models import Case, CaseEvent, ReturnDesk, ReturnMethod, ShippingPayer
from aftercare.returns.states import (
    NO_RETURN_TYPES,
    TRANSITIONS,
    CaseStatus,
    CaseType,
)

REFUND_TYPES = frozenset({CaseType.RETURN_REFUND, CaseType.REFUND_ONLY, CaseType.CLAIM})


# A customer (the portal's actor) is not a member and no role grants them anything; only the
# few steps a customer takes on their own case pass `customer_may=True`. The portal checks the
# case is theirs before it calls the action.
CUSTOMER_ROLE = "customer"


@dataclass
class Batch:
    """The steps of a case being created, held in memory and written together at the end.

    A new case is invisible to everyone else until its transaction commits, so its first
    moves need neither a row lock nor a save each: they are checked against the same
    transition table, the case object takes each status in turn, and every timeline row and
    domain event is kept, in order, exactly as transition(), note() and events.emit() would
    have written it. flush() then inserts the case, in its final status, and the rows in bulk
    (the case's id was reserved beforehand, so the rows can point at it before it exists).
    """

    desk: ReturnDesk | None  # the merchant's return desk, read once for every step
    audit: list[AuditEvent] = field(default_factory=list)
    events: list[CaseEvent] = field(default_factory=list)
    # Follow-ups that need the case saved in its final status (the refund grant).
    after_flush: list[Callable[[Case], Any]] = field(default_factory=list)

    def record(self, case: Case, *, actor: Actor, kind: str, reason: str, data: Any) -> None:
        # The row record_event() writes.
        self.audit.append(
            AuditEvent(
                merchant_id=actor.merchant_id,
                subject_type=subject_label(case),
                subject_id=case.pk,
                kind=kind,
                actor_user_id=actor.user_id,
                actor_label=actor.label,
                reason=reason,
                data=data or {},
            )
        )

    def emit(self, case: Case, kind: str, *, actor: Actor, data: dict[str, Any]) -> None:
        # The row events.emit() writes, with the status the case has at this step.
        assert kind in events.ALL_KINDS, kind
        self.events.append(
            CaseEvent(
                merchant_id=case.merchant_id,
                case=case,
                kind=kind,
                data={"status": case.status, "number": case.number, **data},
                actor_label=actor.label,
            )
        )

    def transition(
        self,
        case: Case,
        to: CaseStatus,
        *,
        actor: Actor,
        reason: str,
        changes: dict[str, Any],
        data: dict[str, Any] | None,
    ) -> None:
        # What core transition() checks and records, on the case in hand.
        current = case.status
        if to not in TRANSITIONS.get(CaseStatus(current), frozenset()):
            raise InvalidTransition(
                f"Cannot go from {current!r} to {to!r}.",
                extra={"from": str(current), "to": str(to)},
            )
        case.status = to
        for name, value in changes.items():
            setattr(case, name, value)
        data = {"from": str(current), "to": str(to), **(data or {})}
        self.record(case, actor=actor, kind=f"status:{to}", reason=reason, data=data)

    def flush(self, case: Case) -> None:
        """One INSERT of the case as the steps left it, then its rows in bulk. Hand-written
        inserts (core/rows.py): Django composing these four statements cost more CPU than the
        database spent on them."""
        insert_rows([case])
        insert_rows(self.audit)
        insert_rows(self.events)
        for follow_up in self.after_flush:
            follow_up(case)


def require(actor: Actor, permission: str, *, customer_may: bool = False) -> None:
    """Actions check permissions themselves: the bot, the IVR and tasks call them too."""
    if customer_may and _is_customer(actor):
        return
    if not actor.can(permission):
        raise Forbidden(
            f"Your role or key does not allow {permission!r}.", extra={"permission": permission}
        )


def require_any(actor: Actor, *permissions: str, customer_may: bool = False) -> None:
    if customer_may and _is_customer(actor):
        return
    if not any(actor.can(permission) for permission in permissions):
        raise Forbidden(
            f"Your role or key allows none of {', '.join(permissions)}.",
            extra={"permission": permissions[0]},
        )


def _is_customer(actor: Actor) -> bool:
    return actor.role == CUSTOMER_ROLE and actor.api_key is None and actor.user is None


def lock_case(case: Case) -> Case:
    """The case row again, locked until the transaction ends (PostgreSQL: FOR UPDATE; SQLite:
    the IMMEDIATE transaction already holds the write lock), with what the steps read."""
    return (
        Case.objects.select_for_update()
        .select_related("customer", "merchant")
        .get(pk=case.pk, merchant_id=case.merchant_id)
    )


def refuse_unless(case: Case, *allowed: CaseStatus, to: str) -> None:
    """Refuse before doing work that only makes sense in some statuses (409, nothing changed)."""
    if case.status not in allowed:
        raise InvalidTransition(
            f"Cannot go from {case.status!r} to {to!r}.",
            extra={"from": case.status, "to": to},
        )


def _holidays(case: Case, batch: Batch | None = None) -> frozenset[Any]:
    if batch is not None:
        desk = batch.desk
    else:
        desk = ReturnDesk.objects.filter(merchant_id=case.merchant_id).only("holidays").first()
    return deadlines.parse_holidays(desk.holidays if desk else ())


def stage_changes(
    case: Case, to: CaseStatus, now: datetime, batch: Batch | None = None
) -> dict[str, Any]:
    """The deadline of the stage that `to` starts, fixed now so later changes never move it."""
    tz = case.merchant.timezone
    tier = case.customer.tier
    changes: dict[str, Any] = {"stage_started_at": now}
    if to == CaseStatus.AWAITING_RETURN_SHIPMENT:
        changes["customer_ship_due_at"] = deadlines.customer_ship_due(now)
    elif to == CaseStatus.RECEIVED:
        changes["inspection_due_at"] = deadlines.inspection_due(
            now, tier, tz=tz, holidays=_holidays(case, batch)
        )
    elif to == CaseStatus.REFUND_PROCESSING:
        changes["refund_due_at"] = deadlines.refund_due(
            now, tier, tz=tz, holidays=_holidays(case, batch)
        )
    return changes


def move(
    case: Case,
    to: CaseStatus,
    *,
    actor: Actor,
    event: str | None = None,
    reason: str = "",
    changes: dict[str, Any] | None = None,
    data: dict[str, Any] | None = None,
    batch: Batch | None = None,
) -> Case:
    """One status step: the core transition (lock, table check, save, timeline row) plus the
    stage clock and the domain event. Returns the saved case with customer/merchant kept.
    With a `batch` (a case being created), the same step on the case in hand, written later."""
    now = timezone.now()
    all_changes = {**stage_changes(case, to, now, batch), **(changes or {})}
    if batch is not None:
        batch.transition(case, to, actor=actor, reason=reason, changes=all_changes, data=data)
        if event:
            batch.emit(case, event, actor=actor, data={"reason": reason, **(data or {})})
        return case
    moved = transition(
        case,
        to=to,
        table=TRANSITIONS,
        actor=actor,
        reason=reason,
        changes=all_changes,
        data=data,
    )
    # transition() returns a fresh row; keep the related objects the next step reads.
    moved.customer = case.customer
    moved.merchant = case.merchant
    if event:
        events.emit(moved, event, actor=actor, data={"reason": reason, **(data or {})})
    return moved


def needs_return(case: Case) -> bool:
    return case.type not in NO_RETURN_TYPES and not case.refund_without_return


def refund_at(case: Case, point: RefundPoint) -> bool:
    """Whether `point` is where this case's money goes out."""
    if case.type not in REFUND_TYPES:
        return False
    if point == RefundPoint.ON_APPROVAL and not needs_return(case):
        return True  # nothing comes back: approval is the only point there is
    return case.refund_point == point


def after_approval(case: Case, *, actor: Actor, batch: Batch | None = None) -> Case:
    """From approved: straight to the refund step, or return instructions and wait."""
    if refund_at(case, RefundPoint.ON_APPROVAL):
        return enter_refund(case, actor=actor, batch=batch)
    return issue_return_instructions(case, actor=actor, batch=batch)


def issue_return_instructions(case: Case, *, actor: Actor, batch: Batch | None = None) -> Case:
    if batch is not None:
        desk = batch.desk
    else:
        desk = ReturnDesk.objects.filter(merchant_id=case.merchant_id).first()
    if desk is not None:
        address = desk.address
        contact = " ".join(part for part in (desk.contact_name, desk.contact_phone) if part)
        pickup = desk.offers_pickup and case.shipping_payer == ShippingPayer.MERCHANT
    else:
        # The merchant has not set a return desk up yet: say so rather than invent one.
        address, contact, pickup = "", case.merchant.name, False
    method = ReturnMethod.PICKUP if pickup else ReturnMethod.SELF_SHIP
    instructions = {
        "return_method": method,
        "return_address": address,
        "return_contact": contact,
    }
    moved = move(
        case,
        CaseStatus.AWAITING_RETURN_SHIPMENT,
        actor=actor,
        event=events.INSTRUCTIONS_ISSUED,
        changes=instructions,
        data={**instructions, "rma_number": case.number},
        batch=batch,
    )
    return moved


def enter_refund(case: Case, *, actor: Actor, reason: str = "", batch: Batch | None = None) -> Case:
    moved = move(
        case,
        CaseStatus.REFUND_PROCESSING,
        actor=actor,
        reason=reason or f"refund point: {case.refund_point}",
        changes={"refund_point_reached_at": timezone.now()},
        batch=batch,
    )
    on_refund_point_reached(moved, actor=actor, batch=batch)
    return moved


def on_refund_point_reached(case: Case, *, actor: Actor, batch: Batch | None = None) -> None:
    """F1: the refunds app grants the policy's refund in this same transaction (rule 11: an
    explicit call, no signals), so the grant exists if and only if the case moved.

    A case being created (`batch`) is not saved in its final status yet, and granting may
    already settle it (a zero refund): the grant waits until the batch is flushed."""
    from aftercare.refunds.actions import grant_at_refund_point

    data = {
        "refund_point": case.refund_point,
        "refund_total": str(case.refund_total),
        "shipping_refund": str(case.shipping_refund),
        "currency": case.currency,
    }
    if batch is not None:
        batch.emit(case, events.REFUND_POINT_REACHED, actor=actor, data=data)
        batch.after_flush.append(lambda flushed: grant_at_refund_point(flushed, actor=actor))
    else:
        events.emit(case, events.REFUND_POINT_REACHED, actor=actor, data=data)
        grant_at_refund_point(case, actor=actor)


def note(
    case: Case,
    *,
    actor: Actor,
    kind: str,
    reason: str = "",
    data: Any = None,
    batch: Batch | None = None,
) -> None:
    """A timeline row for a step that does not change the status (request info, upload)."""
    if batch is not None:
        batch.record(case, actor=actor, kind=kind, reason=reason, data=data or {})
    else:
        record_event(actor=actor, subject=case, kind=kind, reason=reason, data=data or {})
