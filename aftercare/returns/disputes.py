"""Appeals and negotiated outcomes (R3, R5).

A customer appeals a rejection or a failed inspection (-> disputed). Only a supervisor
(permission "cases.decide") decides: uphold sends the case back where it came from, overturn
approves it (after a rejection) or passes the inspection (after a failed one).

A negotiated outcome (partial refund, coupon, resend a part, keep the item with a refund) is
recorded on the case. Agents may agree amounts up to AGENT_AUTHORITY_LIMIT; above it the
actor needs "cases.decide" (a supervisor), otherwise 422 above_authority and nothing changes.
"""

from __future__ import annotations

from decimal import Decimal

from django.db import transaction

from aftercare.commerce.models import Order
from aftercare.core.actors import Actor
from aftercare.core.errors import ValidationFailed
from aftercare.policies.spec import RefundPoint
from aftercare.refunds.actions import grant_for_negotiation
from aftercare.returns import events, queries
from aftercare.returns.errors import AboveAuthority
from aftercare.returns.models import Case, CaseLine, Negotiation, NegotiationKind
from aftercare.returns.moves import (
    after_approval,
    enter_refund,
    lock_case,
    move,
    refund_at,
    refuse_unless,
    require,
)
from aftercare.returns.states import CaseStatus

# The most an agent may agree alone, in the case's currency; more needs a supervisor.
AGENT_AUTHORITY_LIMIT = Decimal("200.00")
APPEALABLE = (CaseStatus.REJECTED, CaseStatus.INSPECTION_FAILED)
OVERTURN_TO = {
    CaseStatus.REJECTED: CaseStatus.APPROVED,
    CaseStatus.INSPECTION_FAILED: CaseStatus.INSPECTION_PASSED,
}


def appeal(*, actor: Actor, case: Case, reason: str) -> Case:
    """The customer (or an agent for them) disputes a rejection or a failed inspection."""
    require(actor, "cases.write", customer_may=True)
    if not reason.strip():
        raise ValidationFailed(
            "Say why the decision is wrong.",
            errors=[{"loc": ["body", "reason"], "msg": "must not be blank", "type": "missing"}],
        )
    with transaction.atomic():
        case = lock_case(case)
        refuse_unless(case, *APPEALABLE, to="disputed")
        return move(
            case,
            CaseStatus.DISPUTED,
            actor=actor,
            event=events.APPEALED,
            reason=reason,
            changes={"appealed_from": case.status},
        )


def decide_appeal(*, actor: Actor, case: Case, overturn: bool, reason: str) -> Case:
    """A supervisor's decision. Overturning a rejection takes the lines' units back, checked
    again under the order lock: they may have been asked for by another case meanwhile."""
    require(actor, "cases.decide")
    if not reason.strip():
        raise ValidationFailed(
            "A decision needs a reason.",
            errors=[{"loc": ["body", "reason"], "msg": "must not be blank", "type": "missing"}],
        )
    with transaction.atomic():
        case = lock_case(case)
        refuse_unless(case, CaseStatus.DISPUTED, to="decided")
        origin = CaseStatus(case.appealed_from)
        if not overturn:
            return move(
                case,
                origin,
                actor=actor,
                event=events.APPEAL_UPHELD,
                reason=reason,
                changes={"appealed_from": ""},
            )
        if not case.holds_quantity:
            _take_units_back(case)
        case = move(
            case,
            OVERTURN_TO[origin],
            actor=actor,
            event=events.APPEAL_OVERTURNED,
            reason=reason,
            changes={"appealed_from": "", "holds_quantity": True},
        )
        if case.status == CaseStatus.APPROVED:
            return after_approval(case, actor=actor)
        if refund_at(case, RefundPoint.ON_INSPECTION_PASSED):
            return enter_refund(case, actor=actor)
        return case


def _take_units_back(case: Case) -> None:
    Order.objects.select_for_update().filter(pk=case.order_id).first()
    history = queries.order_history(case.order_id)
    for line in CaseLine.objects.filter(case=case).select_related("order_line"):
        taken = history.returned_quantity.get(line.order_line_id, 0)
        if taken + line.quantity > line.order_line.quantity:
            raise ValidationFailed(
                "Another case has taken these units back meanwhile; the appeal cannot restore "
                "this case. Negotiate instead.",
                code="quantity_exceeded",
                errors=[
                    {
                        "loc": ["case", "lines", str(line.pk)],
                        "msg": f"only {line.order_line.quantity - taken} units remain",
                        "type": "quantity_exceeded",
                    }
                ],
            )


NEGOTIABLE = (
    CaseStatus.UNDER_REVIEW,
    CaseStatus.REJECTED,
    CaseStatus.INSPECTION_FAILED,
    CaseStatus.DISPUTED,
)


def resolve_by_negotiation(
    *,
    actor: Actor,
    case: Case,
    kind: str,
    amount: Decimal = Decimal("0.00"),
    coupon_code: str = "",
    part_description: str = "",
    note_text: str = "",
) -> Case:
    """Record the agreed outcome and close the dispute with it."""
    require(actor, "cases.write")
    _check_outcome(kind=kind, amount=amount, coupon_code=coupon_code, part=part_description)
    above = amount > AGENT_AUTHORITY_LIMIT
    if above and not actor.can("cases.decide"):
        raise AboveAuthority(
            f"{amount} is above the agent limit of {AGENT_AUTHORITY_LIMIT}; a supervisor "
            "must agree it.",
            extra={"limit": str(AGENT_AUTHORITY_LIMIT)},
        )
    with transaction.atomic():
        case = lock_case(case)
        refuse_unless(case, *NEGOTIABLE, to="resolved_by_negotiation")
        paid = Order.objects.values_list("total", flat=True).get(pk=case.order_id)
        if amount > paid:
            raise ValidationFailed(
                f"{amount} is more than the order's total of {paid}.",
                errors=[{"loc": ["body", "amount"], "msg": "above the order total"}],
            )
        negotiation = Negotiation.objects.create(
            merchant_id=case.merchant_id,
            case=case,
            kind=kind,
            amount=amount,
            coupon_code=coupon_code,
            part_description=part_description,
            note=note_text,
            agreed_by=actor.label,
            approved_by=actor.label if above else "",
        )
        negotiation.case = case
        # R5: the money (or coupon, or part) is granted by refunds, in this transaction.
        grant_for_negotiation(negotiation, actor=actor)
        return move(
            case,
            CaseStatus.RESOLVED_BY_NEGOTIATION,
            actor=actor,
            event=events.NEGOTIATED,
            reason=note_text,
            data={"kind": kind, "amount": str(amount), "coupon_code": coupon_code},
        )


def _check_outcome(*, kind: str, amount: Decimal, coupon_code: str, part: str) -> None:
    errors = []
    if kind not in NegotiationKind.values:
        errors.append({"loc": ["body", "kind"], "msg": f"unknown outcome {kind!r}"})
    if amount < 0:
        errors.append({"loc": ["body", "amount"], "msg": "must not be negative"})
    money_kinds = {NegotiationKind.PARTIAL_REFUND, NegotiationKind.KEEP_ITEM_REFUND}
    if kind in money_kinds and amount <= 0:
        errors.append({"loc": ["body", "amount"], "msg": "a refund needs an amount"})
    if kind == NegotiationKind.COUPON and not coupon_code.strip():
        errors.append({"loc": ["body", "coupon_code"], "msg": "a coupon needs its code"})
    if kind == NegotiationKind.RESEND_PART and not part.strip():
        errors.append({"loc": ["body", "part_description"], "msg": "say which part"})
    if errors:
        raise ValidationFailed(
            "The negotiated outcome is not complete.",
            errors=[{**e, "type": "invalid"} for e in errors],
        )
