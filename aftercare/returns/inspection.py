"""The goods path: the customer ships, the warehouse receives and inspects (R3).

Inspection records per line what arrived (received and damaged quantities, condition, pass
or fail with a reason, photos). The case passes when every line passes; otherwise it fails
and the customer may appeal (disputes.py). Partial outcomes are settled by negotiation.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

from django.db import transaction

from aftercare.core.actors import Actor
from aftercare.core.errors import Conflict, ValidationFailed
from aftercare.policies.spec import RefundPoint
from aftercare.returns import events
from aftercare.returns.errors import InvalidInspection
from aftercare.returns.models import Attachment, Case, CaseLine, ItemCondition, LineOutcome
from aftercare.returns.moves import (
    enter_refund,
    lock_case,
    move,
    refund_at,
    refuse_unless,
    require,
)
from aftercare.returns.states import CaseStatus

TRACKING_LIMIT = 64
CARRIER_LIMIT = 32


def mark_shipped(*, actor: Actor, case: Case, tracking_number: str, carrier: str) -> Case:
    """The customer handed the parcel over: its tracking number and carrier go on the case."""
    require(actor, "cases.write", customer_may=True)
    tracking_number, carrier = tracking_number.strip(), carrier.strip().lower()
    errors = []
    if not tracking_number or len(tracking_number) > TRACKING_LIMIT:
        errors.append({"loc": ["body", "tracking_number"], "msg": "1 to 64 characters"})
    if not carrier or len(carrier) > CARRIER_LIMIT:
        errors.append({"loc": ["body", "carrier"], "msg": "1 to 32 characters"})
    if errors:
        raise ValidationFailed(
            "The tracking details are not valid.",
            errors=[{**e, "type": "invalid"} for e in errors],
        )
    with transaction.atomic():
        case = lock_case(case)
        return move(
            case,
            CaseStatus.IN_TRANSIT,
            actor=actor,
            event=events.SHIPPED,
            changes={"return_tracking_number": tracking_number, "return_carrier": carrier},
            data={"tracking_number": tracking_number, "carrier": carrier},
        )


def receive_return(*, actor: Actor, case: Case, note_text: str = "") -> Case:
    """The parcel arrived at the warehouse. With refund point "on receipt" the refund step
    starts now; otherwise the inspection clock starts."""
    require(actor, "cases.inspect")
    with transaction.atomic():
        case = lock_case(case)
        case = move(case, CaseStatus.RECEIVED, actor=actor, event=events.RECEIVED, reason=note_text)
        if refund_at(case, RefundPoint.ON_RECEIPT):
            return enter_refund(case, actor=actor)
        return case


def start_inspection(*, actor: Actor, case: Case) -> Case:
    require(actor, "cases.inspect")
    with transaction.atomic():
        case = lock_case(case)
        return move(case, CaseStatus.INSPECTING, actor=actor, event=events.INSPECTION_STARTED)


@dataclass(frozen=True)
class LineResult:
    case_line_id: int
    received_quantity: int
    damaged_quantity: int = 0
    condition: str = ItemCondition.UNOPENED
    passed: bool = True
    reason: str = ""
    photo_ids: Sequence[int] = field(default_factory=tuple)


def record_inspection(*, actor: Actor, case: Case, results: Sequence[LineResult]) -> Case:
    """Record every line's result; the case passes only if every line passes.

    Starts the inspection first when the case is still "received". A failed line needs a
    reason and at least one photo (R3: "fail -> reason with photo evidence").
    """
    require(actor, "cases.inspect")
    with transaction.atomic():
        case = lock_case(case)
        refuse_unless(case, CaseStatus.RECEIVED, CaseStatus.INSPECTING, to="inspection_passed")
        lines = {line.pk: line for line in CaseLine.objects.filter(case=case)}
        photos = _check_results(case, lines, results)
        if case.status == CaseStatus.RECEIVED:
            case = move(case, CaseStatus.INSPECTING, actor=actor, event=events.INSPECTION_STARTED)
        for result in results:
            line = lines[result.case_line_id]
            line.received_quantity = result.received_quantity
            line.damaged_quantity = result.damaged_quantity
            line.inspected_condition = result.condition
            line.inspection_passed = result.passed
            line.inspection_reason = result.reason
            line.outcome = LineOutcome.ACCEPTED if result.passed else LineOutcome.REJECTED
        CaseLine.objects.bulk_update(
            list(lines.values()),
            [
                "received_quantity",
                "damaged_quantity",
                "inspected_condition",
                "inspection_passed",
                "inspection_reason",
                "outcome",
            ],
        )
        if photos:
            Attachment.objects.filter(pk__in=[p.pk for p in photos]).update(for_inspection=True)
        passed = all(result.passed for result in results)
        summary = [
            {
                "case_line_id": r.case_line_id,
                "received": r.received_quantity,
                "damaged": r.damaged_quantity,
                "condition": r.condition,
                "passed": r.passed,
                "reason": r.reason,
                "photo_ids": list(r.photo_ids),
            }
            for r in results
        ]
        failed_reasons = "; ".join(r.reason for r in results if not r.passed)
        case = move(
            case,
            CaseStatus.INSPECTION_PASSED if passed else CaseStatus.INSPECTION_FAILED,
            actor=actor,
            event=events.INSPECTION_PASSED if passed else events.INSPECTION_FAILED,
            reason=failed_reasons,
            data={"lines": summary},
        )
        if passed and refund_at(case, RefundPoint.ON_INSPECTION_PASSED):
            return enter_refund(case, actor=actor)
        return case


def _check_results(
    case: Case, lines: dict[int, CaseLine], results: Sequence[LineResult]
) -> list[Attachment]:
    errors: list[dict[str, object]] = []
    seen: set[int] = set()
    photo_ids = {pid for r in results for pid in r.photo_ids}
    photos = list(Attachment.objects.filter(case=case, pk__in=photo_ids)) if photo_ids else []
    known_photos = {p.pk for p in photos}
    for index, result in enumerate(results):
        loc = ["body", "lines", str(index)]
        line = lines.get(result.case_line_id)
        if line is None:
            errors.append({"loc": [*loc, "case_line_id"], "msg": "not a line of this case"})
            continue
        if result.case_line_id in seen:
            errors.append({"loc": [*loc, "case_line_id"], "msg": "line given twice"})
        seen.add(result.case_line_id)
        if not 0 <= result.received_quantity <= line.quantity:
            msg = f"received quantity must be 0 to {line.quantity}"
            errors.append({"loc": [*loc, "received_quantity"], "msg": msg})
        if not 0 <= result.damaged_quantity <= result.received_quantity:
            msg = "damaged quantity must be 0 to the received quantity"
            errors.append({"loc": [*loc, "damaged_quantity"], "msg": msg})
        if result.condition not in ItemCondition.values:
            errors.append({"loc": [*loc, "condition"], "msg": "unknown condition"})
        if not result.passed and not result.reason.strip():
            errors.append({"loc": [*loc, "reason"], "msg": "a failed line needs a reason"})
        if not result.passed and not result.photo_ids:
            errors.append({"loc": [*loc, "photo_ids"], "msg": "a failed line needs a photo"})
        unknown = set(result.photo_ids) - known_photos
        if unknown:
            msg = f"not photos of this case: {sorted(unknown)}"
            errors.append({"loc": [*loc, "photo_ids"], "msg": msg})
    missing = set(lines) - seen
    if missing:
        errors.append({"loc": ["body", "lines"], "msg": f"results missing for {sorted(missing)}"})
    if errors:
        raise InvalidInspection(
            "The inspection results do not match the case.",
            errors=[{**e, "type": "invalid_inspection"} for e in errors],
        )
    return photos


def mark_refunded(*, actor: Actor, case: Case, reference: str = "") -> Case:
    """The money went out. Only the refunds app calls this, once its ledger says so (a
    gateway's success or finance marking a manual refund paid: refunds.execution)."""
    from aftercare.refunds.queries import case_paid_out

    require(actor, "cases.decide")
    with transaction.atomic():
        case = lock_case(case)
        if not case_paid_out(case.pk):
            raise Conflict(
                "The refunds ledger shows no payment for this case yet.", code="not_paid_out"
            )
        case = move(
            case,
            CaseStatus.REFUNDED,
            actor=actor,
            event=events.REFUNDED,
            data={"reference": reference},
        )
        CaseLine.objects.filter(case=case, outcome__in=["pending", "accepted"]).update(
            outcome=LineOutcome.REFUNDED
        )
        return case
