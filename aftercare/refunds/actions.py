"""Granting and approving refunds and compensation (F3, R5). The only writers of grants.

A grant is created under the order's row lock, so two grants racing on one order are checked
one after the other against what was paid: the sum of every grant still holding money (not
cancelled) never exceeds the order's paid amount, nor a line's grants its line's paid amount.

Authority (merchant RefundSettings): what staff grant on one case (or one order without a
case), added up over every grant of theirs still holding money there, may not pass the agent
limit (an amount and a % of the order); above it the grant waits for a supervisor
("refunds.approve"). Money refunds above the finance threshold wait for finance too. The
policy's own grant at the refund point needs no supervisor (the policy decided it).
"""

from __future__ import annotations

import secrets
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import timedelta
from decimal import Decimal
from typing import Any

from django.db import transaction
from django.utils import timezone

from aftercare.commerce.models import Order
from aftercare.core.actors import Actor
from aftercare.core.audit import record_event
from aftercare.core.errors import Forbidden, NotFound
from aftercare.refunds import events, queries
from aftercare.refunds.errors import AmountExceedsPaid, InvalidGrant, NotApprovable
from aftercare.refunds.models import (
    MONEY_KINDS,
    VOUCHER_KINDS,
    Grant,
    GrantKind,
    GrantLine,
    GrantSource,
    GrantStatus,
    RefundSettings,
)

ZERO = Decimal("0.00")
CENT = Decimal("0.01")
STAFF_SOURCES = (GrantSource.AGENT, GrantSource.NEGOTIATION)


@dataclass(frozen=True)
class LineAmount:
    order_line_id: int
    amount: Decimal
    quantity: int = 0


def require(actor: Actor, *permissions: str) -> None:
    if not any(actor.can(permission) for permission in permissions):
        raise Forbidden(
            f"Your role or key allows none of {', '.join(permissions)}.",
            extra={"permission": permissions[0]},
        )


# --- Granting --------------------------------------------------------------------------------


def grant_refund(
    *,
    actor: Actor,
    order_id: int,
    kind: str,
    amount: Decimal,
    case_id: int | None = None,
    lines: Sequence[LineAmount] = (),
    shipping_amount: Decimal = ZERO,
    reason: str = "",
    source: str = GrantSource.AGENT,
    coupon_code: str = "",
    part_description: str = "",
    breakdown: dict[str, Any] | None = None,
) -> Grant:
    """Grant compensation on an order (and case). Above the actor's authority it waits for
    approval; above what was paid it is refused (422) and nothing changes."""
    require(actor, "refunds.grant")
    return _grant(
        actor=actor,
        order_id=order_id,
        kind=kind,
        amount=amount,
        case_id=case_id,
        lines=lines,
        shipping_amount=shipping_amount,
        reason=reason,
        source=source,
        coupon_code=coupon_code,
        part_description=part_description,
        breakdown=breakdown,
    )


def _grant(
    *,
    actor: Actor,
    order_id: int,
    kind: str,
    amount: Decimal,
    case_id: int | None,
    lines: Sequence[LineAmount],
    shipping_amount: Decimal,
    reason: str,
    source: str,
    coupon_code: str,
    part_description: str,
    breakdown: dict[str, Any] | None,
) -> Grant:
    _check(
        kind=kind,
        amount=amount,
        lines=lines,
        shipping=shipping_amount,
        coupon_code=coupon_code,
        part=part_description,
    )
    with transaction.atomic():
        order = _lock_order(actor.merchant_id, order_id)
        case = _case_of(actor.merchant_id, order, case_id)
        _check_caps(order, amount=amount, lines=lines)
        grant = _create(
            actor=actor,
            order=order,
            case=case,
            kind=kind,
            amount=amount,
            lines=lines,
            shipping=shipping_amount,
            fees=ZERO,
            reason=reason,
            source=source,
            coupon_code=coupon_code,
            part=part_description,
            breakdown=breakdown or {},
        )
        return _route(grant, actor=actor)


def grant_exchange_difference(
    case: Any, *, actor: Actor, lines: Sequence[LineAmount]
) -> Grant | None:
    """R4: a replacement cheaper than what was returned refunds the difference (called by
    returns when the exchange starts, in its transaction). The price list decided the amount,
    not a person, so no staff limit applies; the finance threshold and the caps still do."""
    amount = sum((line.amount for line in lines), ZERO)
    if amount <= ZERO:
        return None
    order = _lock_order(case.merchant_id, case.order_id)
    _check_caps(order, amount=amount, lines=lines)
    grant = _create(
        actor=actor,
        order=order,
        case=case,
        kind=GrantKind.PARTIAL_REFUND,
        amount=amount,
        lines=lines,
        shipping=ZERO,
        fees=ZERO,
        reason="exchange: the replacement costs less",
        source=GrantSource.EXCHANGE,
        coupon_code="",
        part="",
        breakdown={
            "lines": [{"order_line_id": x.order_line_id, "amount": str(x.amount)} for x in lines]
        },
    )
    return _route(grant, actor=actor)


def grant_at_refund_point(case: Any, *, actor: Actor) -> Grant:
    """The policy's grant when a case enters refund_processing (called by returns, in the
    same transaction). Lines, shipping and fees come from the decision stored on the case;
    amounts are cut to what is still refundable if other grants took money meanwhile."""
    existing = Grant.objects.filter(case_id=case.pk, source=GrantSource.REFUND_POINT).first()
    if existing is not None:
        return existing
    order = _lock_order(case.merchant_id, case.order_id)
    decided = [line for line in case.decision.get("lines", []) if line.get("outcome") != "rejected"]
    paid_lines = queries.line_paid(order)
    held_lines = queries.held_per_line(order.pk)
    room = queries.order_paid(order) - queries.held_on_order(order.pk)
    lines: list[LineAmount] = []
    fees = ZERO
    for line in decided:
        refund = line.get("refund", {})
        line_id = int(line["order_line_id"])
        line_room = paid_lines.get(line_id, ZERO) - held_lines.get(line_id, ZERO)
        wanted = Decimal(str(refund.get("refund", "0")))
        amount = max(ZERO, min(wanted, line_room, room))
        room -= amount
        fees += Decimal(str(refund.get("restocking_fee", "0")))
        lines.append(LineAmount(line_id, amount, int(line.get("quantity", 0))))
    shipping = max(ZERO, min(Decimal(case.shipping_refund), room))
    total = sum((line.amount for line in lines), ZERO) + shipping
    policy = Actor.system(actor.merchant, label="policy")
    grant = _create(
        actor=actor,
        order=order,
        case=case,
        kind=GrantKind.REFUND,
        amount=total,
        lines=lines,
        shipping=shipping,
        fees=fees,
        reason=f"refund point: {case.refund_point}",
        source=GrantSource.REFUND_POINT,
        coupon_code="",
        part="",
        breakdown={
            "policy_version_id": case.policy_version_id,
            "refund_total": str(case.refund_total),
            "shipping_refund": str(case.shipping_refund),
            "lines": [
                {"order_line_id": x["order_line_id"], **x.get("refund", {})} for x in decided
            ],
            "cut_to_refundable": total < Decimal(case.refund_total),
        },
    )
    return _route(grant, actor=policy)


def _check(
    *,
    kind: str,
    amount: Decimal,
    lines: Sequence[LineAmount],
    shipping: Decimal,
    coupon_code: str,
    part: str,
) -> None:
    errors: list[dict[str, Any]] = []
    if kind not in GrantKind.values:
        errors.append({"loc": ["body", "kind"], "msg": f"unknown kind {kind!r}"})
    if amount < 0 or amount != amount.quantize(CENT):
        errors.append({"loc": ["body", "amount"], "msg": "a non-negative amount in cents"})
    elif kind in MONEY_KINDS and amount <= 0:
        errors.append({"loc": ["body", "amount"], "msg": "must be more than zero"})
    elif kind in VOUCHER_KINDS and amount <= 0 and not coupon_code.strip():
        # A coupon of no stated value is fine when it names the merchant's own code.
        errors.append({"loc": ["body", "amount"], "msg": "a value, or the coupon's code"})
    if shipping < 0:
        errors.append({"loc": ["body", "shipping_amount"], "msg": "must not be negative"})
    for index, line in enumerate(lines):
        if line.amount < 0 or line.amount != line.amount.quantize(CENT):
            errors.append({"loc": ["body", "lines", str(index), "amount"], "msg": "invalid"})
    if lines and sum((x.amount for x in lines), ZERO) + shipping != amount:
        errors.append({"loc": ["body", "amount"], "msg": "must equal the lines plus shipping"})
    if kind == GrantKind.RESEND_PART and not part.strip():
        errors.append({"loc": ["body", "part_description"], "msg": "say which part"})
    if len(coupon_code) > 64:
        errors.append({"loc": ["body", "coupon_code"], "msg": "at most 64 characters"})
    if errors:
        raise InvalidGrant(
            "The grant is not valid.", errors=[{**e, "type": "invalid"} for e in errors]
        )


def _lock_order(merchant_id: int, order_id: int) -> Order:
    # The lock every grant of this order queues on (SQLite: the IMMEDIATE transaction).
    order = Order.objects.select_for_update().filter(pk=order_id, merchant_id=merchant_id).first()
    if order is None:
        raise NotFound("No order matches.")
    return order


def _case_of(merchant_id: int, order: Order, case_id: int | None) -> Any:
    if case_id is None:
        return None
    from aftercare.returns.models import Case

    case = Case.objects.filter(pk=case_id, merchant_id=merchant_id).first()
    if case is None:
        raise NotFound("No case matches.")
    if case.order_id != order.pk:
        raise InvalidGrant(
            "The case belongs to another order.",
            errors=[{"loc": ["body", "case_id"], "msg": "not a case of this order"}],
        )
    return case


def _check_caps(order: Order, *, amount: Decimal, lines: Sequence[LineAmount]) -> None:
    """Refuse anything that would give back more than was paid, on the order or a line."""
    paid = queries.order_paid(order)
    held = queries.held_on_order(order.pk)
    if held + amount > paid:
        raise AmountExceedsPaid(
            f"{amount} is more than the {paid - held} still refundable on this order.",
            extra={"refundable": str(paid - held)},
        )
    if not lines:
        return
    paid_lines = queries.line_paid(order)
    held_lines = queries.held_per_line(order.pk)
    errors = []
    for index, line in enumerate(lines):
        if line.order_line_id not in paid_lines:
            errors.append({"loc": ["body", "lines", str(index)], "msg": "not a line of the order"})
            continue
        room = paid_lines[line.order_line_id] - held_lines.get(line.order_line_id, ZERO)
        if line.amount > room:
            errors.append({"loc": ["body", "lines", str(index)], "msg": f"only {room} left"})
    if errors:
        raise AmountExceedsPaid(
            "More than was paid for a line.",
            errors=[{**e, "type": "amount_exceeds_paid"} for e in errors],
        )


def _create(
    *,
    actor: Actor,
    order: Order,
    case: Any,
    kind: str,
    amount: Decimal,
    lines: Sequence[LineAmount],
    shipping: Decimal,
    fees: Decimal,
    reason: str,
    source: str,
    coupon_code: str,
    part: str,
    breakdown: dict[str, Any],
) -> Grant:
    grant = Grant.objects.create(
        merchant_id=order.merchant_id,
        order=order,
        case=case,
        kind=kind,
        source=source,
        status=GrantStatus.APPROVED,  # _route() decides; never committed as-is
        amount=amount,
        shipping_amount=shipping,
        fees=fees,
        currency=order.currency,
        breakdown=breakdown,
        reason=reason,
        requested_by=actor.label,
        coupon_code=coupon_code.strip(),
        part_description=part.strip(),
    )
    GrantLine.objects.bulk_create(
        [
            GrantLine(
                merchant_id=order.merchant_id,
                grant=grant,
                order_line_id=line.order_line_id,
                quantity=line.quantity,
                amount=line.amount,
            )
            for line in lines
        ]
    )
    return grant


# --- Authority -------------------------------------------------------------------------------


def _staff_limit(grant: Grant, settings: RefundSettings) -> Decimal:
    paid = queries.order_paid(grant.order)
    by_percent = (paid * settings.agent_max_percent / 100).quantize(CENT)
    return min(settings.agent_max_amount, by_percent)


def _staff_total(grant: Grant) -> Decimal:
    """What staff have granted where this grant belongs (its case, else its order), this one
    included: several small grants add up against the same limit."""
    where = {"case_id": grant.case_id} if grant.case_id else {"order_id": grant.order_id}
    rows = Grant.objects.filter(queries.HOLDING, source__in=STAFF_SOURCES, **where)
    return sum(rows.values_list("amount", flat=True), ZERO)


def _needs_finance(grant: Grant, settings: RefundSettings) -> bool:
    threshold = settings.finance_threshold
    return grant.kind in MONEY_KINDS and threshold is not None and grant.amount > threshold


def _route(grant: Grant, *, actor: Actor) -> Grant:
    """Decide who must still approve; approved grants go on at once."""
    settings = queries.settings_for(grant.merchant_id)
    staff = grant.source in STAFF_SOURCES
    if staff and not actor.can("refunds.approve"):
        limit = _staff_limit(grant, settings)
        if _staff_total(grant) > limit:
            return _wait(grant, actor=actor, status=GrantStatus.AWAITING_SUPERVISOR, limit=limit)
    grant.approved_by = actor.label
    if _needs_finance(grant, settings) and not actor.can("refunds.finance"):
        grant.save(update_fields=["approved_by"])
        return _wait(
            grant,
            actor=actor,
            status=GrantStatus.AWAITING_FINANCE,
            limit=settings.finance_threshold,
        )
    grant.save(update_fields=["approved_by"])
    _record(grant, actor, events.GRANTED, {"source": grant.source, "approved_by": actor.label})
    return _approved(grant, actor=actor, settings=settings)


def _wait(grant: Grant, *, actor: Actor, status: str, limit: Decimal | None) -> Grant:
    grant.status = status
    grant.save(update_fields=["status", "updated_at"])
    needs = "finance" if status == GrantStatus.AWAITING_FINANCE else "supervisor"
    _record(grant, actor, events.APPROVAL_REQUIRED, {"needs": needs, "limit": str(limit)})
    return grant


def _record(grant: Grant, actor: Actor, kind: str, data: dict[str, Any]) -> None:
    record_event(actor=actor, subject=grant, kind=kind, reason=grant.reason, data=data)
    events.emit(grant, kind, actor=actor, data=data)


def _approved(grant: Grant, *, actor: Actor, settings: RefundSettings) -> Grant:
    """Vouchers and resends are issued now; money goes to the gateway if set to run at once."""
    if grant.kind in VOUCHER_KINDS:
        return _issue_voucher(grant, actor=actor, settings=settings)
    if grant.kind == GrantKind.RESEND_PART:
        grant.status = GrantStatus.SUCCEEDED
        grant.save(update_fields=["status", "updated_at"])
        _record(grant, actor, events.RESEND_REQUESTED, {"part_description": grant.part_description})
        return grant
    grant.status = GrantStatus.APPROVED
    grant.save(update_fields=["status", "updated_at"])
    if settings.auto_execute or grant.amount == 0:
        from aftercare.refunds.execution import start_execution

        start_execution(grant, actor=actor, settings=settings)
    return grant


def _issue_voucher(grant: Grant, *, actor: Actor, settings: RefundSettings) -> Grant:
    grant.coupon_code = grant.coupon_code or f"AC-{secrets.token_hex(5).upper()}"
    grant.coupon_expires_at = timezone.now() + timedelta(days=settings.coupon_valid_days)
    grant.status = GrantStatus.SUCCEEDED
    grant.save(update_fields=["coupon_code", "coupon_expires_at", "status", "updated_at"])
    data = {"coupon_code": grant.coupon_code, "expires_at": grant.coupon_expires_at.isoformat()}
    _record(grant, actor, events.COUPON_ISSUED, data)
    return grant


# --- Approving and cancelling ----------------------------------------------------------------


def lock_grant(actor: Actor, grant_id: int) -> Grant:
    grant = (
        Grant.objects.select_for_update(of=("self",))
        .select_related("order", "case")
        .filter(pk=grant_id, merchant_id=actor.merchant_id)
        .first()
    )
    if grant is None:
        raise NotFound("No grant matches.")
    return grant


def approve_grant(*, actor: Actor, grant_id: int) -> Grant:
    """A supervisor approves a grant above an agent's limit; finance approves a large refund."""
    require(actor, "refunds.approve", "refunds.finance")
    with transaction.atomic():
        grant = lock_grant(actor, grant_id)
        settings = queries.settings_for(grant.merchant_id)
        if grant.status == GrantStatus.AWAITING_SUPERVISOR:
            require(actor, "refunds.approve")
            grant.approved_by = actor.label
            grant.save(update_fields=["approved_by"])
            _record(
                grant, actor, events.APPROVED, {"stage": "supervisor", "approved_by": actor.label}
            )
            if _needs_finance(grant, settings) and not actor.can("refunds.finance"):
                return _wait(
                    grant,
                    actor=actor,
                    status=GrantStatus.AWAITING_FINANCE,
                    limit=settings.finance_threshold,
                )
        elif grant.status == GrantStatus.AWAITING_FINANCE:
            require(actor, "refunds.finance")
            grant.finance_approved_by = actor.label
            grant.save(update_fields=["finance_approved_by"])
            _record(grant, actor, events.APPROVED, {"stage": "finance", "approved_by": actor.label})
        else:
            raise NotApprovable(f"The grant is {grant.status}; nothing to approve.")
        return _approved(grant, actor=actor, settings=settings)


CANCELLABLE = (
    GrantStatus.AWAITING_SUPERVISOR,
    GrantStatus.AWAITING_FINANCE,
    GrantStatus.APPROVED,
    GrantStatus.FAILED,
)


def cancel_grant(*, actor: Actor, grant_id: int, reason: str) -> Grant:
    """Refuse a waiting grant, or give up on an unexecuted or failed one: its amount is free
    again for other grants. Money that may have gone out (executing) cannot be cancelled."""
    require(actor, "refunds.approve", "refunds.finance")
    if not reason.strip():
        raise InvalidGrant(
            "Say why.",
            errors=[{"loc": ["body", "reason"], "msg": "must not be blank", "type": "missing"}],
        )
    with transaction.atomic():
        grant = lock_grant(actor, grant_id)
        if grant.status not in CANCELLABLE:
            raise NotApprovable(f"A grant that is {grant.status} cannot be cancelled.")
        if grant.status == GrantStatus.FAILED:
            require(actor, "refunds.finance")
        grant.status = GrantStatus.CANCELLED
        grant.save(update_fields=["status", "updated_at"])
        record_event(actor=actor, subject=grant, kind=events.CANCELLED, reason=reason)
        events.emit(grant, events.CANCELLED, actor=actor, data={"reason": reason})
        return grant


# --- Negotiated outcomes (R5) ----------------------------------------------------------------

NEGOTIATED_KINDS = {
    "partial_refund": GrantKind.PARTIAL_REFUND,
    "keep_item_refund": GrantKind.PARTIAL_REFUND,
    "coupon": GrantKind.COUPON,
    "resend_part": GrantKind.RESEND_PART,
}


def grant_for_negotiation(negotiation: Any, *, actor: Actor) -> Grant:
    """The grant behind a negotiated outcome, in the resolve action's transaction."""
    kind = NEGOTIATED_KINDS[negotiation.kind]
    amount = Decimal(negotiation.amount) if kind != GrantKind.RESEND_PART else ZERO
    case = negotiation.case
    # Whoever may agree an outcome grants its money, within the same authority limits: an
    # actor without "refunds.approve" above the limit leaves the grant waiting for a supervisor.
    return _grant(
        actor=actor,
        order_id=case.order_id,
        case_id=case.pk,
        lines=(),
        shipping_amount=ZERO,
        kind=kind,
        amount=amount,
        reason=negotiation.note or f"negotiated {negotiation.kind}",
        source=GrantSource.NEGOTIATION,
        coupon_code=negotiation.coupon_code,
        part_description=negotiation.part_description,
        breakdown={"negotiation_id": negotiation.pk, "kind": negotiation.kind},
    )
