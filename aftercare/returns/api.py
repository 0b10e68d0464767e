"""After-sales case endpoints: create, list, read, and one POST per action.

Reads need "cases.read" (every role). Opening and moving cases needs "cases.write" (agents,
supervisors, admins); receiving and inspecting "cases.inspect" (warehouse, supervisors,
admins); deciding appeals and marking refunds paid "cases.decide" (supervisors, admins).
The actions check the same permissions again: they are also called by the bot and tasks.
Another merchant's case is a 404, the same as a missing one.
"""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from ninja import File, Form, Query, Router, Schema, Status
from ninja.files import UploadedFile

from aftercare.commerce.models import OrderLine
from aftercare.core.actors import Actor
from aftercare.core.api import PageOut, actor_of, page_of, require
from aftercare.core.errors import ValidationFailed
from aftercare.core.models import AuditEvent
from aftercare.policies.wording import normalise_language
from aftercare.refunds.execution import mark_case_paid
from aftercare.returns import actions, attachments, disputes, exchange, inspection, queries
from aftercare.returns.deadlines import stage_clock
from aftercare.returns.models import Attachment, Case, CaseLine
from aftercare.returns.moves import require_any
from aftercare.returns.schemas import (
    AttachmentOut,
    CaseDetailOut,
    CaseIn,
    CaseSummaryOut,
    CompleteExchangeIn,
    DecideAppealIn,
    ExchangeIn,
    InspectIn,
    MarkRefundedIn,
    OptionalReasonIn,
    ReasonIn,
    RequestInfoIn,
    ResolveIn,
    ShipIn,
)
from aftercare.returns.states import CaseStatus, CaseType, ReasonCode

router = Router(tags=["cases"])


class CaseFilters(Schema):
    status: CaseStatus | None = None
    type: CaseType | None = None
    reason: ReasonCode | None = None
    overdue: bool | None = None
    customer_id: int | None = None
    order_id: int | None = None
    limit: int = 50
    offset: int = 0


@router.post("", response={201: CaseDetailOut}, summary="Open a case; the policy decides at once")
def create_case(
    request: HttpRequest, payload: CaseIn, lang: str | None = None
) -> Status[dict[str, Any]]:
    actor = actor_of(request)
    require(actor, "cases.write")
    created = actions.create_case_full(
        actor=actor,
        order_id=payload.order_id,
        order_external_id=payload.order_external_id,
        lines=[
            actions.LineRequest(
                order_line_id=line.order_line_id,
                quantity=line.quantity,
                stated_condition=str(line.stated_condition),
                tags_on=line.tags_on,
                accessories_complete=line.accessories_complete,
                replacement_product_id=line.replacement_product_id,
            )
            for line in payload.lines
        ],
        type=str(payload.type),
        reason=str(payload.reason),
        description=payload.description,
        requested_at=payload.requested_at,
        policy_version_id=payload.policy_version_id,
    )
    # The body from the rows creation wrote, not read back: the same detail as a GET.
    case = created.case
    return Status(
        201,
        _detail_of(
            case,
            lang,
            order_external_id=created.order_external_id,
            customer_name=created.customer_name,
            policy_version_number=created.policy_version_number,
            lines=[(line, line.order_line) for line in created.lines],
            attachments=[],  # nothing can be attached before the case exists
            timeline=created.timeline,
        ),
    )


@router.get("", response=PageOut[CaseSummaryOut], summary="Cases, newest first, filtered")
def list_cases(request: HttpRequest, filters: Query[CaseFilters]) -> dict[str, Any]:
    actor = actor_of(request)
    require(actor, "cases.read")
    cases = queries.cases_of(
        actor.merchant,
        status=filters.status,
        type=filters.type,
        reason=filters.reason,
        overdue=filters.overdue,
        customer_id=filters.customer_id,
        order_id=filters.order_id,
    )
    return page_of(cases, limit=filters.limit, offset=filters.offset)


@router.get(
    "/{int:case_id}",
    response=CaseDetailOut,
    summary="One case: lines, timeline, decision trace, instructions, deadlines, stage clock",
)
def get_case(request: HttpRequest, case_id: int, lang: str | None = None) -> dict[str, Any]:
    actor = actor_of(request)
    require(actor, "cases.read")
    return _detail(actor, case_id, lang)


def _detail(actor: Actor, case_id: int, lang: str | None) -> dict[str, Any]:
    """The detail in a constant number of queries (case+order+customer+version, lines,
    attachments, timeline)."""
    case = queries.get_case(actor.merchant, case_id)
    return _detail_of(
        case,
        lang,
        order_external_id=case.order.external_id,
        customer_name=case.customer.name,
        policy_version_number=case.policy_version.number,
        lines=[(line, line.order_line) for line in case.lines.all()],
        attachments=list(case.attachments.all()),
        timeline=queries.timeline(case),
    )


def _detail_of(
    case: Case,
    lang: str | None,
    *,
    order_external_id: str,
    customer_name: str,
    policy_version_number: int,
    lines: list[tuple[CaseLine, OrderLine]],
    attachments: list[Attachment],
    timeline: list[AuditEvent],
) -> dict[str, Any]:
    language = normalise_language(lang or case.customer.language)
    decision = case.decision
    explanations = decision.get("explanations", {})
    line_words = {
        line["order_line_id"]: line.get("explanations", {}).get(language, line["explanation"])
        for line in decision.get("lines", [])
    }
    for line in decision.get("lines", []):
        line["explanation"] = line_words[line["order_line_id"]]
    decision = {**decision, "language": language}
    decision["explanation"] = explanations.get(language, decision.get("explanation", []))
    return {
        **{f.attname: getattr(case, f.attname) for f in Case._meta.concrete_fields},
        "order_external_id": order_external_id,
        "customer_name": customer_name,
        "policy_version": policy_version_number,
        "instructions": _instructions(case),
        "stage_clock": stage_clock(case),
        "explanation": decision["explanation"],
        "decision": decision,
        "lines": [
            {
                **{f.attname: getattr(line, f.attname) for f in line._meta.concrete_fields},
                "id": line.pk,
                "sku": order_line.sku,
                "name": order_line.name,
            }
            for line, order_line in lines
        ],
        "attachments": attachments,
        "timeline": [
            {
                "kind": event.kind,
                "actor": event.actor_label,
                "reason": event.reason,
                "data": event.data,
                "at": event.created_at,
            }
            for event in timeline
        ],
    }


def _instructions(case: Case) -> dict[str, Any] | None:
    if not case.return_address and not case.return_contact:
        return None
    return {
        "rma_number": case.number,
        "method": case.return_method,
        "address": case.return_address,
        "contact": case.return_contact,
        "shipping_payer": case.shipping_payer,
        "carrier": case.return_carrier,
        "tracking_number": case.return_tracking_number,
    }


def _act(request: HttpRequest, case_id: int, *permissions: str) -> tuple[Actor, Case]:
    actor = actor_of(request)
    require_any(actor, *permissions)
    return actor, queries.find_case(actor.merchant, case_id)


@router.post("/{int:case_id}/approve", response=CaseDetailOut, summary="Approve a case in review")
def approve(
    request: HttpRequest, case_id: int, payload: OptionalReasonIn, lang: str | None = None
) -> dict[str, Any]:
    actor, case = _act(request, case_id, "cases.write")
    actions.approve_case(actor=actor, case=case, note_text=payload.reason)
    return _detail(actor, case_id, lang)


@router.post("/{int:case_id}/reject", response=CaseDetailOut, summary="Reject, with a reason")
def reject(
    request: HttpRequest, case_id: int, payload: ReasonIn, lang: str | None = None
) -> dict[str, Any]:
    actor, case = _act(request, case_id, "cases.write")
    actions.reject_case(actor=actor, case=case, reason=payload.reason)
    return _detail(actor, case_id, lang)


@router.post(
    "/{int:case_id}/request-info", response=CaseDetailOut, summary="Ask the customer for more"
)
def request_info(
    request: HttpRequest, case_id: int, payload: RequestInfoIn, lang: str | None = None
) -> dict[str, Any]:
    actor, case = _act(request, case_id, "cases.write")
    actions.request_info(actor=actor, case=case, message=payload.message)
    return _detail(actor, case_id, lang)


@router.post(
    "/{int:case_id}/ship", response=CaseDetailOut, summary="The customer shipped the parcel"
)
def ship(
    request: HttpRequest, case_id: int, payload: ShipIn, lang: str | None = None
) -> dict[str, Any]:
    actor, case = _act(request, case_id, "cases.write")
    inspection.mark_shipped(
        actor=actor, case=case, tracking_number=payload.tracking_number, carrier=payload.carrier
    )
    return _detail(actor, case_id, lang)


@router.post("/{int:case_id}/receive", response=CaseDetailOut, summary="The warehouse received it")
def receive(
    request: HttpRequest, case_id: int, payload: OptionalReasonIn, lang: str | None = None
) -> dict[str, Any]:
    actor, case = _act(request, case_id, "cases.inspect")
    inspection.receive_return(actor=actor, case=case, note_text=payload.reason)
    return _detail(actor, case_id, lang)


@router.post(
    "/{int:case_id}/start-inspection", response=CaseDetailOut, summary="Start the inspection"
)
def start_inspection(request: HttpRequest, case_id: int, lang: str | None = None) -> dict[str, Any]:
    actor, case = _act(request, case_id, "cases.inspect")
    inspection.start_inspection(actor=actor, case=case)
    return _detail(actor, case_id, lang)


@router.post(
    "/{int:case_id}/inspect",
    response=CaseDetailOut,
    summary="Record the inspection of every line: pass or fail (with reason and photo)",
)
def inspect(
    request: HttpRequest, case_id: int, payload: InspectIn, lang: str | None = None
) -> dict[str, Any]:
    actor, case = _act(request, case_id, "cases.inspect")
    inspection.record_inspection(
        actor=actor,
        case=case,
        results=[
            inspection.LineResult(
                case_line_id=line.case_line_id,
                received_quantity=line.received_quantity,
                damaged_quantity=line.damaged_quantity,
                condition=str(line.condition),
                passed=line.passed,
                reason=line.reason,
                photo_ids=tuple(line.photo_ids),
            )
            for line in payload.lines
        ],
    )
    return _detail(actor, case_id, lang)


@router.post(
    "/{int:case_id}/exchange",
    response=CaseDetailOut,
    summary="Start the exchange: replacement items (stock checked), price difference",
)
def start_exchange(
    request: HttpRequest, case_id: int, payload: ExchangeIn, lang: str | None = None
) -> dict[str, Any]:
    actor, case = _act(request, case_id, "cases.write")
    exchange.start_exchange(
        actor=actor,
        case=case,
        items=[
            exchange.ExchangeRequest(
                case_line_id=item.case_line_id, product_id=item.product_id, quantity=item.quantity
            )
            for item in payload.items
        ],
    )
    return _detail(actor, case_id, lang)


@router.post(
    "/{int:case_id}/resolve", response=CaseDetailOut, summary="Record a negotiated outcome"
)
def resolve(
    request: HttpRequest, case_id: int, payload: ResolveIn, lang: str | None = None
) -> dict[str, Any]:
    actor, case = _act(request, case_id, "cases.write")
    disputes.resolve_by_negotiation(
        actor=actor,
        case=case,
        kind=str(payload.kind),
        amount=payload.amount,
        coupon_code=payload.coupon_code,
        part_description=payload.part_description,
        note_text=payload.note,
    )
    return _detail(actor, case_id, lang)


@router.post("/{int:case_id}/cancel", response=CaseDetailOut, summary="Cancel the case")
def cancel(
    request: HttpRequest, case_id: int, payload: OptionalReasonIn, lang: str | None = None
) -> dict[str, Any]:
    actor, case = _act(request, case_id, "cases.write")
    actions.cancel_case(actor=actor, case=case, reason=payload.reason)
    return _detail(actor, case_id, lang)


@router.post(
    "/{int:case_id}/appeal", response=CaseDetailOut, summary="Appeal a rejection or failed QC"
)
def appeal(
    request: HttpRequest, case_id: int, payload: ReasonIn, lang: str | None = None
) -> dict[str, Any]:
    actor, case = _act(request, case_id, "cases.write")
    disputes.appeal(actor=actor, case=case, reason=payload.reason)
    return _detail(actor, case_id, lang)


@router.post(
    "/{int:case_id}/decide-appeal",
    response=CaseDetailOut,
    summary="A supervisor upholds or overturns an appeal",
)
def decide_appeal(
    request: HttpRequest, case_id: int, payload: DecideAppealIn, lang: str | None = None
) -> dict[str, Any]:
    actor, case = _act(request, case_id, "cases.decide")
    disputes.decide_appeal(actor=actor, case=case, overturn=payload.overturn, reason=payload.reason)
    return _detail(actor, case_id, lang)


@router.post(
    "/{int:case_id}/complete-exchange",
    response=CaseDetailOut,
    summary="The replacement was shipped (the merchant's order id, when known)",
)
def complete_exchange(
    request: HttpRequest, case_id: int, payload: CompleteExchangeIn, lang: str | None = None
) -> dict[str, Any]:
    actor, case = _act(request, case_id, "cases.write")
    exchange.complete_exchange(actor=actor, case=case, external_order_id=payload.external_order_id)
    return _detail(actor, case_id, lang)


@router.post("/{int:case_id}/start-repair", response=CaseDetailOut, summary="Start the repair")
def start_repair(request: HttpRequest, case_id: int, lang: str | None = None) -> dict[str, Any]:
    actor, case = _act(request, case_id, "cases.inspect")
    exchange.start_repair(actor=actor, case=case)
    return _detail(actor, case_id, lang)


@router.post("/{int:case_id}/complete-repair", response=CaseDetailOut, summary="The repair is done")
def complete_repair(request: HttpRequest, case_id: int, lang: str | None = None) -> dict[str, Any]:
    actor, case = _act(request, case_id, "cases.inspect")
    exchange.complete_repair(actor=actor, case=case)
    return _detail(actor, case_id, lang)


@router.post(
    "/{int:case_id}/mark-refunded",
    response=CaseDetailOut,
    summary="Mark the case's manual refund paid (recorded in the refunds ledger)",
)
def mark_refunded(
    request: HttpRequest, case_id: int, payload: MarkRefundedIn, lang: str | None = None
) -> dict[str, Any]:
    actor, case = _act(request, case_id, "cases.decide")
    # Through refunds: the ledger entry is what moves the case to refunded.
    mark_case_paid(actor=actor, case=case, reference=payload.reference)
    return _detail(actor, case_id, lang)


@router.post("/{int:case_id}/close", response=CaseDetailOut, summary="Close a finished case")
def close(
    request: HttpRequest, case_id: int, payload: OptionalReasonIn, lang: str | None = None
) -> dict[str, Any]:
    actor, case = _act(request, case_id, "cases.write")
    actions.close_case(actor=actor, case=case, reason=payload.reason)
    return _detail(actor, case_id, lang)


@router.post(
    "/{int:case_id}/attachments",
    response={201: AttachmentOut},
    summary="Upload a photo, video or voice recording (multipart, field 'file')",
)
def upload_attachment(
    request: HttpRequest,
    case_id: int,
    file: File[UploadedFile | None] = None,  # type: ignore[type-arg]
    kind: Form[str | None] = None,  # type: ignore[type-arg]
) -> Status[Attachment]:
    # The file is optional in the signature so that permission and the case (404) are
    # checked before the body: a missing file is then a 422 like any other bad input.
    actor, case = _act(request, case_id, "cases.write", "cases.inspect")
    if file is None:
        raise ValidationFailed(
            "Send the file as multipart/form-data in the field 'file'.",
            errors=[{"loc": ["body", "file"], "msg": "required", "type": "missing"}],
        )
    attachment = attachments.add_attachment(
        actor=actor,
        case=case,
        file=file,
        name=file.name or "",
        size=file.size or 0,
        kind=kind or None,
    )
    return Status(201, attachment)
