"""ship, receive, inspect; the refund point; appeals; negotiation; exchange; repair."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.core.files.base import ContentFile

from aftercare.core.errors import Forbidden, InvalidTransition
from aftercare.returns import actions, disputes, exchange, inspection
from aftercare.returns.attachments import add_attachment
from aftercare.returns.errors import AboveAuthority, InvalidInspection, OutOfStock
from aftercare.returns.models import CaseEvent, ExchangeItem, Negotiation, ReplacementOrder
from aftercare.returns.tests.helpers import install_policy, open_case, snapshot

JPEG = b"\xff\xd8\xff\xe0" + b"\x00" * 64


def _received(actor, warehouse, order, lines, **kwargs):
    case = open_case(actor, order, lines, **kwargs)
    if case.status == "under_review":
        case = actions.approve_case(actor=actor, case=case)
    case = inspection.mark_shipped(actor=actor, case=case, tracking_number=" SF1 ", carrier="SF")
    return inspection.receive_return(actor=warehouse, case=case)


def _passing(case):
    return [
        inspection.LineResult(case_line_id=line.pk, received_quantity=line.quantity)
        for line in case.lines.all()
    ]


def test_ship_records_tracking_then_receipt_starts_the_inspection_clock(
    reviewed, order, lines, agent_actor, warehouse_actor
) -> None:
    case = _received(agent_actor, warehouse_actor, order, lines[:1])

    assert case.status == "received"
    assert (case.return_tracking_number, case.return_carrier) == ("SF1", "sf")
    assert case.inspection_due_at is not None


def test_passing_inspection_reaches_the_refund_point(
    reviewed, order, lines, agent_actor, warehouse_actor
) -> None:
    case = _received(agent_actor, warehouse_actor, order, lines)

    done = inspection.record_inspection(actor=warehouse_actor, case=case, results=_passing(case))

    assert done.status == "refund_processing" and done.refund_due_at is not None
    assert set(case.lines.values_list("outcome", flat=True)) == {"accepted"}
    kinds = list(CaseEvent.objects.filter(case=case).values_list("kind", flat=True))
    assert kinds[-3:] == [
        "case.inspection_started",
        "case.inspection_passed",
        "case.refund_point_reached",
    ]


def test_refund_on_receipt_skips_the_inspection(
    china, order, lines, agent_actor, warehouse_actor
) -> None:
    case = _received(agent_actor, warehouse_actor, order, lines[:1])
    assert case.status == "refund_processing"


def test_a_failed_line_needs_a_reason_and_a_photo(
    reviewed, order, lines, agent_actor, warehouse_actor
) -> None:
    case = _received(agent_actor, warehouse_actor, order, lines[:1])
    line = case.lines.get()
    before = snapshot()

    with pytest.raises(InvalidInspection) as refused:
        inspection.record_inspection(
            actor=warehouse_actor,
            case=case,
            results=[inspection.LineResult(line.pk, received_quantity=5, passed=False)],
        )

    fields = {error["loc"][-1] for error in refused.value.errors}
    assert fields == {"received_quantity", "reason", "photo_ids"}
    assert snapshot() == before


def test_failed_inspection_appeal_and_supervisor_overturn(
    reviewed, order, lines, agent_actor, warehouse_actor, supervisor_actor
) -> None:
    case = _received(agent_actor, warehouse_actor, order, lines[:1])
    line = case.lines.get()
    photo = add_attachment(
        actor=warehouse_actor, case=case, file=ContentFile(JPEG), name="scratch.jpg", size=68
    )
    failed = inspection.record_inspection(
        actor=warehouse_actor,
        case=case,
        results=[
            inspection.LineResult(
                line.pk,
                received_quantity=1,
                damaged_quantity=1,
                condition="damaged",
                passed=False,
                reason="deep scratch",
                photo_ids=(photo.pk,),
            )
        ],
    )
    assert failed.status == "inspection_failed"
    photo.refresh_from_db()
    assert photo.for_inspection

    disputed = disputes.appeal(actor=agent_actor, case=case, reason="it came like that")
    assert disputed.status == "disputed" and disputed.appealed_from == "inspection_failed"
    with pytest.raises(Forbidden):
        disputes.decide_appeal(actor=agent_actor, case=case, overturn=True, reason="x")

    decided = disputes.decide_appeal(
        actor=supervisor_actor, case=case, overturn=True, reason="courier damage"
    )

    assert decided.status == "refund_processing"


def test_upheld_appeal_goes_back_to_the_rejection(
    reviewed, order, lines, agent_actor, supervisor_actor
) -> None:
    case = open_case(agent_actor, order, lines[:1])
    actions.reject_case(actor=agent_actor, case=case, reason="used")
    disputes.appeal(actor=agent_actor, case=case, reason="never used")

    upheld = disputes.decide_appeal(
        actor=supervisor_actor, case=case, overturn=False, reason="photos show wear"
    )

    assert upheld.status == "rejected" and not upheld.holds_quantity


def test_overturned_rejection_takes_the_units_back_if_still_free(
    reviewed, order, lines, agent_actor, supervisor_actor
) -> None:
    case = open_case(agent_actor, order, lines[:1], quantity=2)
    actions.reject_case(actor=agent_actor, case=case, reason="used")
    disputes.appeal(actor=agent_actor, case=case, reason="never used")
    open_case(agent_actor, order, lines[:1], quantity=1)  # takes one unit meanwhile
    before = snapshot()

    with pytest.raises(Exception) as refused:
        disputes.decide_appeal(actor=supervisor_actor, case=case, overturn=True, reason="ok")

    assert getattr(refused.value, "code", "") == "quantity_exceeded"
    assert snapshot() == before


def test_negotiation_within_and_above_agent_authority(
    reviewed, order, lines, agent_actor, supervisor_actor
) -> None:
    case = open_case(agent_actor, order, lines[:1])
    before = snapshot()
    with pytest.raises(AboveAuthority):
        disputes.resolve_by_negotiation(
            actor=agent_actor, case=case, kind="partial_refund", amount=Decimal("300.00")
        )
    assert snapshot() == before

    resolved = disputes.resolve_by_negotiation(
        actor=supervisor_actor, case=case, kind="keep_item_refund", amount=Decimal("300.00")
    )

    assert resolved.status == "resolved_by_negotiation"
    deal = Negotiation.objects.get(case=case)
    assert (deal.kind, deal.amount, deal.approved_by) == (
        "keep_item_refund",
        Decimal("300.00"),
        "supervisor",
    )


class _NoStock:
    def available(self, product, quantity):  # type: ignore[no-untyped-def]
        return False


def test_exchange_with_stock_check_and_price_difference(
    merchant, order, lines, agent_actor, warehouse_actor
) -> None:
    install_policy(merchant, "custom")
    case = _received(agent_actor, warehouse_actor, order, lines[:1], type="exchange", reason="size")
    case = inspection.record_inspection(actor=warehouse_actor, case=case, results=_passing(case))
    assert case.status == "inspection_passed"
    bigger = lines[1].product
    bigger.price = Decimal("120.00")
    bigger.save()
    items = [exchange.ExchangeRequest(case.lines.get().pk, bigger.pk, 1)]
    before = snapshot()

    with pytest.raises(OutOfStock):
        exchange.start_exchange(actor=agent_actor, case=case, items=items, stock=_NoStock())
    assert snapshot() == before

    started = exchange.start_exchange(actor=agent_actor, case=case, items=items)

    assert started.status == "exchange_processing"
    assert ExchangeItem.objects.get().price_difference == Decimal("20.00")
    assert ReplacementOrder.objects.get(case=case).price_difference == Decimal("20.00")
    done = exchange.complete_exchange(actor=agent_actor, case=case, external_order_id="SO-R1")
    assert done.status == "exchanged"
    assert actions.close_case(actor=agent_actor, case=case).status == "closed"


def test_repair_path(merchant, order, lines, agent_actor, warehouse_actor) -> None:
    install_policy(merchant, "custom")
    case = _received(
        agent_actor, warehouse_actor, order, lines[:1], type="repair", reason="quality_defect"
    )
    case = inspection.record_inspection(actor=warehouse_actor, case=case, results=_passing(case))
    with pytest.raises(InvalidTransition):
        exchange.complete_repair(actor=warehouse_actor, case=case)

    exchange.start_repair(actor=warehouse_actor, case=case)
    assert exchange.complete_repair(actor=warehouse_actor, case=case).status == "repaired"
