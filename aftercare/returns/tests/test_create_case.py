"""create_case: the policy decides at once; bad requests change nothing."""

from __future__ import annotations

import re
from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext

from aftercare.core.errors import NotFound
from aftercare.core.models import AuditEvent
from aftercare.policies.errors import InvalidRequestLines, NoActivePolicy
from aftercare.policies.tests.factories import delivered_order
from aftercare.returns import actions, queries
from aftercare.returns.errors import NotEligible
from aftercare.returns.models import CaseEvent, ReturnDesk
from aftercare.returns.tests.helpers import install_policy, open_case, snapshot


def test_auto_approved_case_gets_return_instructions_at_once(
    merchant, china, order, lines, agent_actor
) -> None:
    ReturnDesk.objects.create(
        merchant=merchant, address="1 Return Rd", contact_name="Li", contact_phone="+8613800000000"
    )

    case = open_case(agent_actor, order, lines[:1], reason="size")

    assert case.status == "awaiting_return_shipment"
    assert case.auto_approved
    assert re.fullmatch(r"RMA-\d{4}-\d{6}", case.number)
    assert case.return_address == "1 Return Rd" and case.return_contact == "Li +8613800000000"
    assert case.return_method == "self_ship" and case.shipping_payer == "customer"
    assert case.customer_ship_due_at is not None and case.review_due_at is None
    assert case.decision["auto_approve"] and case.decision["explanations"]["zh-Hans"]
    kinds = [
        e.kind
        for e in AuditEvent.objects.filter(
            subject_type="returns.case", subject_id=case.pk
        ).order_by("id")
    ]
    assert kinds == ["case:created", "status:approved", "status:awaiting_return_shipment"]
    events = list(CaseEvent.objects.filter(case=case).values_list("kind", flat=True))
    assert events == [
        "case.created",
        "case.auto_approved",
        "case.return_instructions_issued",
    ]


def test_a_flagged_customer_waits_in_review_with_a_business_day_deadline(
    merchant, store, china, agent_actor
) -> None:
    # Friday 16:00 in Shanghai: one business day later is Monday 16:00.
    friday = datetime(2026, 3, 6, 16, 0, tzinfo=ZoneInfo("Asia/Shanghai"))
    with time_machine.travel(friday, tick=False):
        order, lines = delivered_order(merchant, store, risk_tags=["fraud_watch"])
        case = open_case(agent_actor, order, lines[:1])

    assert case.status == "under_review" and not case.auto_approved
    due = case.review_due_at.astimezone(ZoneInfo("Asia/Shanghai"))
    assert (due.weekday(), due.hour) == (0, 16)
    assert case.policy_version.policy_id == china.pk


def test_the_review_deadline_skips_the_desks_holidays(merchant, store, china, agent_actor) -> None:
    ReturnDesk.objects.create(merchant=merchant, address="x", holidays=["2026-03-09"])
    friday = datetime(2026, 3, 6, 16, 0, tzinfo=ZoneInfo("Asia/Shanghai"))
    with time_machine.travel(friday, tick=False):
        order, lines = delivered_order(merchant, store, risk_tags=["fraud_watch"])
        case = open_case(agent_actor, order, lines[:1])

    assert case.review_due_at.astimezone(ZoneInfo("Asia/Shanghai")).date().isoformat() == (
        "2026-03-10"
    )


def test_not_eligible_line_is_refused_naming_it_and_nothing_is_written(
    merchant, store, china, agent_actor
) -> None:
    order, lines = delivered_order(merchant, store)
    product = lines[0].product
    product.is_custom_made = True
    product.save()
    before = snapshot()

    with pytest.raises(NotEligible) as refused:
        open_case(agent_actor, order, lines, reason="size")

    assert refused.value.errors[0]["order_line_id"] == lines[0].pk
    assert refused.value.errors[0]["msg"]  # the policy's own sentence
    assert len(refused.value.errors) == 1
    assert snapshot() == before


def test_over_quantity_across_cases_is_refused_and_nothing_is_written(
    china, order, lines, agent_actor
) -> None:
    open_case(agent_actor, order, lines[:1], quantity=2)
    before = snapshot()

    with pytest.raises(InvalidRequestLines) as refused:
        open_case(agent_actor, order, lines[:1], quantity=1)

    assert "exceeds the 0" in refused.value.errors[0]["msg"]
    assert snapshot() == before


def test_cancelled_cases_free_their_units(china, order, lines, agent_actor) -> None:
    first = open_case(agent_actor, order, lines[:1], quantity=2)
    actions.cancel_case(actor=agent_actor, case=first, reason="changed my mind")

    again = open_case(agent_actor, order, lines[:1], quantity=2)

    assert again.status == "awaiting_return_shipment"


def test_line_of_another_order_is_refused(merchant, store, china, order, agent_actor) -> None:
    _, foreign = delivered_order(merchant, store)
    before = snapshot()

    with pytest.raises(InvalidRequestLines) as refused:
        open_case(agent_actor, order, foreign[:1])

    assert refused.value.errors[0]["msg"] == "not a line of this order"
    assert snapshot() == before


def test_another_merchants_order_is_not_found(
    other_merchant, china, order, lines, other_agent
) -> None:
    from aftercare.core.testing import actor_of_member

    install_policy(other_merchant)
    with pytest.raises(NotFound):
        open_case(actor_of_member(other_agent), order, lines[:1])


def test_without_an_active_policy_nothing_is_created(order, lines, agent_actor) -> None:
    before = snapshot()
    with pytest.raises(NoActivePolicy):
        open_case(agent_actor, order, lines[:1])
    assert snapshot() == before


def test_a_claim_goes_straight_to_the_refund_step(china, order, lines, agent_actor) -> None:
    case = open_case(agent_actor, order, lines[:1], type="claim", reason="missing_parts")

    # Merchant fault within 48 h is not auto-approved here (delivered > 48 h ago): review,
    # then approval sends it to the refund step since nothing comes back.
    assert case.status == "under_review"
    approved = actions.approve_case(actor=agent_actor, case=case)
    assert approved.status == "refund_processing"
    assert approved.refund_point_reached_at is not None and approved.refund_due_at is not None
    kinds = list(CaseEvent.objects.filter(case=case).values_list("kind", flat=True))
    assert kinds[-1] == "case.refund_point_reached"


def test_creation_query_count_does_not_grow_with_lines(merchant, store, china, agent_actor) -> None:
    one_order, one_line = delivered_order(merchant, store, lines=1)
    many_order, many_lines = delivered_order(merchant, store, lines=5)
    open_case(agent_actor, one_order, one_line)  # warm the compiled-plan cache

    other_order, other_line = delivered_order(merchant, store, lines=1)
    with CaptureQueriesContext(connection) as one:
        open_case(agent_actor, other_order, other_line)
    with CaptureQueriesContext(connection) as many:
        open_case(agent_actor, many_order, many_lines)

    assert len(one) == len(many)
    assert len(one) <= 8  # 6, and the savepoint pair of the test's own transaction


def test_order_state_reads_what_the_separate_queries_read(
    merchant, store, china, agent_actor
) -> None:
    # order_state() folds order_history() and past_return_rate() into the lines query.
    order, lines = delivered_order(merchant, store, lines=3)
    untouched, _ = delivered_order(merchant, store)
    open_case(agent_actor, order, lines[:1])  # auto-approved: holds a unit, no money yet
    claim = open_case(agent_actor, order, lines[1:2], type="claim", reason="missing_parts")
    actions.approve_case(actor=agent_actor, case=claim)  # refund point reached: money too

    for subject in (order, untouched):
        state = queries.order_state(subject.pk, merchant.pk, subject.customer_id)
        assert state.history == queries.order_history(subject.pk)
        assert state.past_return_rate == queries.past_return_rate(subject.customer_id, merchant.pk)
        assert [line.line_no for line in state.lines] == sorted(
            line.line_no for line in state.lines
        )
    state = queries.order_state(order.pk, merchant.pk, order.customer_id)
    assert state.history.refunded_total > 0 and state.past_return_rate == 1.0
    assert dict(state.history.returned_quantity) == {lines[0].pk: 1, lines[1].pk: 1}


def test_a_desk_offering_pickup_sends_a_courier_when_the_merchant_pays(
    merchant, store, agent_actor
) -> None:
    # The desk is read along with the order: its pickup offer and address reach the case.
    approve = [{"name": "Approve all", "actions": [{"kind": "auto_approve"}]}]
    install_policy(merchant, "custom", default_outcome="eligible", rules=approve)
    ReturnDesk.objects.create(merchant=merchant, address="1 Return Rd", offers_pickup=True)
    order, lines = delivered_order(merchant, store, lines=1)

    case = open_case(agent_actor, order, lines, reason="wrong_item")

    assert case.shipping_payer == "merchant", case.decision
    assert case.status == "awaiting_return_shipment" and case.return_method == "pickup"
    assert case.return_address == "1 Return Rd"
