"""Case actions: create (the policy decides), approve, reject, request info, cancel, close.

The goods path (ship, receive, inspect) is in inspection.py, exchanges and repairs in
exchange.py, appeals and negotiation in disputes.py. Every action is keyword-only, checks the
actor's permission, runs in one transaction, and returns the changed case.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.db import transaction
from django.utils import timezone

from aftercare.commerce.models import Order, Product
from aftercare.core.actors import Actor
from aftercare.core.errors import ValidationFailed
from aftercare.core.models import AuditEvent
from aftercare.core.rows import insert_rows
from aftercare.merchants.models import Merchant
from aftercare.merchants.queries import scoped
from aftercare.policies.domain import Decision, Outcome, RequestLine
from aftercare.policies.engine import evaluate
from aftercare.policies.errors import NoActivePolicy
from aftercare.policies.facts import facts_from
from aftercare.policies.plan import plan_of
from aftercare.policies.serialize import decision_to_dict
from aftercare.policies.wording import render_line, render_trace
from aftercare.returns import deadlines, events, queries
from aftercare.returns.errors import NotEligible
from aftercare.returns.models import Case, CaseLine, ItemCondition, ShippingPayer
from aftercare.returns.moves import (
    Batch,
    after_approval,
    lock_case,
    move,
    note,
    refuse_unless,
    require,
)
from aftercare.returns.order_lock import desk_of, lock_order
from aftercare.returns.states import (
    CANCELLABLE_STATUSES,
    CaseStatus,
    CaseType,
    ReasonCode,
)

LANGUAGES = ("en", "zh-Hans", "zh-Hant")
DESCRIPTION_LIMIT = 5000


@dataclass(frozen=True)
class LineRequest:
    order_line_id: int
    quantity: int
    stated_condition: str = "unopened"
    tags_on: bool | None = None
    accessories_complete: bool | None = None
    replacement_product_id: int | None = None  # exchanges: what the customer wants instead


@dataclass(frozen=True)
class CreatedCase:
    """A new case with the rows its creation wrote, for a caller that shows them at once
    (the API's 201 body) without reading them back."""

    case: Case
    order_external_id: str
    customer_name: str
    policy_version_number: int
    lines: list[CaseLine]
    timeline: list[AuditEvent]


def create_case(
    *,
    actor: Actor,
    lines: Sequence[LineRequest],
    type: str,
    reason: str,
    order_id: int | None = None,
    order_external_id: str | None = None,
    description: str = "",
    requested_at: datetime | None = None,
    policy_version_id: int | None = None,
) -> Case:
    """Open a case; the merchant's active policy judges it at once.

    Lines the policy refuses make the whole request a 422 naming each line and the policy's
    sentence; nothing is written. Eligible and auto-approved: approved, then return
    instructions (or straight to the refund step when nothing comes back). Otherwise: under
    review with a review deadline in business days.

    The order row is locked first, so two requests for the same order are judged one after
    the other and together never take back more units than were bought.
    """
    return create_case_full(
        actor=actor,
        lines=lines,
        type=type,
        reason=reason,
        order_id=order_id,
        order_external_id=order_external_id,
        description=description,
        requested_at=requested_at,
        policy_version_id=policy_version_id,
    ).case


def create_case_full(
    *,
    actor: Actor,
    lines: Sequence[LineRequest],
    type: str,
    reason: str,
    order_id: int | None = None,
    order_external_id: str | None = None,
    description: str = "",
    requested_at: datetime | None = None,
    policy_version_id: int | None = None,
) -> CreatedCase:
    """create_case(), returning the rows it wrote as well. A constant 6 queries: lock and
    load the order (with the return desk, the active policy version and the new case's id),
    the lines with what earlier cases hold and the customer's past return rate, then insert
    the case in its final status, its timeline rows, events and lines in bulk. (One more,
    the version's spec, on a version's first use in the process.)"""
    require(actor, "cases.write", customer_may=True)
    _check_request(lines=lines, type=type, reason=reason, description=description)
    merchant = actor.merchant
    with transaction.atomic():
        order = lock_order(actor, order_id=order_id, order_external_id=order_external_id)
        # The active version rode on the order query (not under the order's lock: nothing
        # needs it to be; a policy activated meanwhile judges the next request).
        version_id: int | None = order.active_version_id  # type: ignore[attr-defined]
        if version_id is None:
            raise NoActivePolicy("The merchant has no active return policy to judge the case.")
        if policy_version_id is not None and policy_version_id != version_id:
            raise ValidationFailed(
                "Cases are judged by the active policy version; this is not it.",
                code="not_active_version",
                errors=[
                    {
                        "loc": ["body", "policy_version_id"],
                        "msg": f"the active version is {version_id}",
                        "type": "not_active_version",
                    }
                ],
            )
        replacements = _replacement_products(merchant, lines, type)
        # Read under the order lock: every case committed before it is counted.
        state = queries.order_state(order.pk, merchant.pk, order.customer_id)
        facts = facts_from(
            merchant,
            order,
            order_lines=state.lines,
            lines=[
                RequestLine(
                    line_id=line.order_line_id,
                    quantity=line.quantity,
                    stated_condition=line.stated_condition,
                    tags_on=line.tags_on,
                    accessories_complete=line.accessories_complete,
                )
                for line in lines
            ],
            request_type=type,
            reason=reason,
            requested_at=requested_at,
            history=state.history,
            past_return_rate=state.past_return_rate,
        )
        stamp = order.active_version_at.isoformat()  # type: ignore[attr-defined]
        decision = evaluate(plan_of(version_id, stamp), facts)
        language = facts.customer.language
        _refuse_ineligible(decision, language)
        batch = Batch(desk=desk_of(order))
        case = _write_case(
            actor=actor,
            order=order,
            version_id=version_id,
            decision=decision,
            language=language,
            type=type,
            reason=reason,
            description=description,
            batch=batch,
        )
        case = _route_new_case(case, decision=decision, actor=actor, batch=batch)
        batch.flush(case)
        by_id = {line.pk: line for line in state.lines}
        by_line = {line.line_id: line for line in decision.lines}
        case_lines = [
            CaseLine(
                merchant=merchant,
                case=case,
                order_line=by_id[line.order_line_id],
                quantity=line.quantity,
                stated_condition=line.stated_condition,
                eligibility=str(by_line[line.order_line_id].outcome),
                refund_amount=by_line[line.order_line_id].refund.refund,
                replacement_product=replacements.get(line.replacement_product_id or 0),
            )
            for line in lines
        ]
        insert_rows(case_lines, returning_ids=True)
        return CreatedCase(
            case=case,
            order_external_id=order.external_id,
            customer_name=order.customer.name,
            policy_version_number=order.active_version_number,  # type: ignore[attr-defined]
            lines=case_lines,
            timeline=batch.audit,
        )


def _replacement_products(
    merchant: Merchant, lines: Sequence[LineRequest], type: str
) -> dict[int, Product]:
    """The products customers asked for instead, the merchant's own; one query, and only when
    a line names one (an exchange)."""
    wanted = {line.replacement_product_id for line in lines if line.replacement_product_id}
    if not wanted:
        return {}
    errors = []
    if type != CaseType.EXCHANGE:
        errors.append({"loc": ["body", "type"], "msg": "only an exchange names a replacement"})
    found = scoped(Product, merchant).in_bulk(wanted)
    for index, line in enumerate(lines):
        if line.replacement_product_id and line.replacement_product_id not in found:
            loc = ["body", "lines", str(index), "replacement_product_id"]
            errors.append({"loc": loc, "msg": "no such product"})
    if errors:
        raise ValidationFailed(
            "The replacement is not valid.",
            code="invalid_replacement",
            errors=[{**e, "type": "invalid_replacement"} for e in errors],
        )
    return found


def _check_request(
    *, lines: Sequence[LineRequest], type: str, reason: str, description: str
) -> None:
    errors: list[dict[str, Any]] = []
    if type not in CaseType.values:
        errors.append({"loc": ["body", "type"], "msg": f"unknown case type {type!r}"})
    if reason not in ReasonCode.values:
        errors.append({"loc": ["body", "reason"], "msg": f"unknown reason {reason!r}"})
    if len(description) > DESCRIPTION_LIMIT:
        errors.append({"loc": ["body", "description"], "msg": "too long"})
    for index, line in enumerate(lines):
        if line.stated_condition not in ItemCondition.values:
            msg = f"unknown condition {line.stated_condition!r}"
            errors.append({"loc": ["body", "lines", str(index), "stated_condition"], "msg": msg})
    if errors:
        raise ValidationFailed(
            "Some fields are not valid.", errors=[{**e, "type": "invalid"} for e in errors]
        )


def _refuse_ineligible(decision: Decision, language: str) -> None:
    refused = [
        (index, line)
        for index, line in enumerate(decision.lines)
        if line.outcome == Outcome.NOT_ELIGIBLE
    ]
    if not refused:
        return
    errors = [
        {
            "loc": ["body", "lines", str(index)],
            "msg": render_line(line, decision, language),
            "type": "not_eligible",
            "order_line_id": line.line_id,
            "rules": list(line.decided_by),
        }
        for index, line in refused
    ]
    named = ", ".join(f"line {line.line_id}" for _, line in refused)
    raise NotEligible(f"The return policy does not allow {named}.", errors=errors)


def decision_json(decision: Decision, language: str) -> dict[str, Any]:
    """What the case keeps: the decision in the customer's language, and its explanation in
    every language we speak so a reader in another one gets it without re-evaluating."""
    body = decision_to_dict(decision, language)
    body["explanations"] = {lang: render_trace(decision, lang) for lang in LANGUAGES}
    for out, line in zip(body["lines"], decision.lines, strict=True):
        out["explanations"] = {lang: render_line(line, decision, lang) for lang in LANGUAGES}
    return body


def _shipping_payer(decision: Decision) -> str:
    payers = {line.shipping_payer for line in decision.lines if line.outcome != "not_eligible"}
    if len(payers) == 1:
        return payers.pop()
    # Mixed payers: the merchant carries it (one parcel goes back, and some of it is its fault).
    return ShippingPayer.MERCHANT


def _write_case(
    *,
    actor: Actor,
    order: Order,
    version_id: int,
    decision: Decision,
    language: str,
    type: str,
    reason: str,
    description: str,
    batch: Batch,
) -> Case:
    """The submitted case, in memory with its reserved id and number; its moves, timeline and
    events gather in `batch`, which inserts it all at the end."""
    now = timezone.now()
    case_id: int = order.next_case_id  # type: ignore[attr-defined]
    case = Case(
        pk=case_id,
        # The RMA number is made from the row id: unique without a counter row that every
        # creation of the merchant would have to lock.
        number=f"RMA-{now.year}-{case_id:06d}",
        merchant=actor.merchant,
        order_id=order.pk,
        customer=order.customer,
        type=type,
        reason=reason,
        description=description,
        status=CaseStatus.SUBMITTED,
        policy_version_id=version_id,
        decision=decision_json(decision, language),
        refund_point=decision.refund_point,
        refund_without_return=all(line.refund_without_return for line in decision.lines),
        shipping_payer=_shipping_payer(decision),
        refund_total=decision.refund_total,
        shipping_refund=decision.shipping_refund,
        currency=decision.currency,
        stage_started_at=now,
        created_at=now,  # the insert stamps it again, a moment later
    )
    note(
        case,
        actor=actor,
        kind="case:created",
        data={"number": case.number, "type": type, "reason": reason, "status": case.status},
        batch=batch,
    )
    batch.emit(case, events.CREATED, actor=actor, data={"outcome": str(decision.outcome)})
    return case


def _route_new_case(case: Case, *, decision: Decision, actor: Actor, batch: Batch) -> Case:
    """The first moves, on the case in hand (nobody else sees it before the commit)."""
    policy = Actor.system(actor.merchant, "policy")
    if decision.auto_approve:
        rules = sorted({rule for line in decision.lines for rule in line.decided_by})
        case = move(
            case,
            CaseStatus.APPROVED,
            actor=policy,
            event=events.AUTO_APPROVED,
            reason="approved automatically by the return policy",
            changes={"auto_approved": True},
            data={"rules": rules},
            batch=batch,
        )
        return after_approval(case, actor=policy, batch=batch)
    due = deadlines.review_due(
        case.created_at,
        decision.review_business_days,
        tz=case.merchant.timezone,
        holidays=deadlines.parse_holidays(batch.desk.holidays if batch.desk else ()),
    )
    return move(
        case,
        CaseStatus.UNDER_REVIEW,
        actor=policy,
        event=events.SENT_TO_REVIEW,
        reason="the return policy asks for a review",
        changes={"review_due_at": due},
        data={"review_due_at": due.isoformat()},
        batch=batch,
    )


def approve_case(*, actor: Actor, case: Case, note_text: str = "") -> Case:
    """An agent approves a case under review: then instructions or the refund step."""
    require(actor, "cases.write")
    with transaction.atomic():
        case = lock_case(case)
        refuse_unless(case, CaseStatus.SUBMITTED, CaseStatus.UNDER_REVIEW, to="approved")
        case = move(case, CaseStatus.APPROVED, actor=actor, event=events.APPROVED, reason=note_text)
        return after_approval(case, actor=actor)


def reject_case(*, actor: Actor, case: Case, reason: str) -> Case:
    """Refuse the request; the customer may appeal. The lines' units are free again."""
    require(actor, "cases.write")
    _need_reason(reason)
    with transaction.atomic():
        case = lock_case(case)
        return move(
            case,
            CaseStatus.REJECTED,
            actor=actor,
            event=events.REJECTED,
            reason=reason,
            changes={"holds_quantity": False},
        )


def request_info(*, actor: Actor, case: Case, message: str) -> Case:
    """Ask the customer for more (photos, a description) while the case is in review.

    The status stays: R2 has no "waiting for customer" status, the review clock keeps
    running, and the notification consumer turns the event into a message.
    """
    require(actor, "cases.write")
    _need_reason(message, field="message")
    with transaction.atomic():
        case = lock_case(case)
        refuse_unless(case, CaseStatus.SUBMITTED, CaseStatus.UNDER_REVIEW, to="info_requested")
        case.info_requested_at = timezone.now()
        case.save(update_fields=["info_requested_at", "updated_at"])
        note(case, actor=actor, kind="info_requested", reason=message)
        events.emit(case, events.INFO_REQUESTED, actor=actor, data={"message": message})
        return case


def cancel_case(*, actor: Actor, case: Case, reason: str = "") -> Case:
    """The customer (or an agent for them) withdraws while nothing reached the warehouse."""
    require(actor, "cases.write", customer_may=True)
    with transaction.atomic():
        case = lock_case(case)
        refuse_unless(case, *CANCELLABLE_STATUSES, to="cancelled")
        return move(
            case,
            CaseStatus.CANCELLED,
            actor=actor,
            event=events.CANCELLED,
            reason=reason,
            changes={"holds_quantity": False},
        )


def close_case(*, actor: Actor, case: Case, reason: str = "") -> Case:
    require(actor, "cases.write")
    with transaction.atomic():
        case = lock_case(case)
        return move(case, CaseStatus.CLOSED, actor=actor, event=events.CLOSED, reason=reason)


def _need_reason(text: str, *, field: str = "reason") -> None:
    if not text.strip():
        raise ValidationFailed(
            f"A {field} is required.",
            errors=[{"loc": ["body", field], "msg": "must not be blank", "type": "missing"}],
        )
