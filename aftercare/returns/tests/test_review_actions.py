"""approve, reject, request info, cancel, close: legal steps move; illegal ones change nothing."""

from __future__ import annotations

import pytest

from aftercare.core.errors import Forbidden, InvalidTransition, ValidationFailed
from aftercare.core.models import AuditEvent
from aftercare.core.testing import actor_of_member, make_member
from aftercare.merchants.models import Role
from aftercare.returns import actions
from aftercare.returns.tests.helpers import open_case, snapshot


def _timeline(case) -> list[tuple[str, str, str]]:
    rows = AuditEvent.objects.filter(subject_type="returns.case", subject_id=case.pk)
    return [(e.kind, e.actor_label, e.reason) for e in rows.order_by("id")]


def test_approve_sends_instructions_and_records_who(reviewed, order, lines, agent_actor) -> None:
    case = open_case(agent_actor, order, lines[:1])
    assert case.status == "under_review"

    approved = actions.approve_case(actor=agent_actor, case=case, note_text="photos fine")

    assert approved.status == "awaiting_return_shipment"
    assert ("status:approved", "agent", "photos fine") in _timeline(case)


def test_reject_needs_a_reason_and_frees_the_units(reviewed, order, lines, agent_actor) -> None:
    case = open_case(agent_actor, order, lines[:1], quantity=2)
    before = snapshot()
    with pytest.raises(ValidationFailed):
        actions.reject_case(actor=agent_actor, case=case, reason="  ")
    assert snapshot() == before

    rejected = actions.reject_case(actor=agent_actor, case=case, reason="worn")

    assert rejected.status == "rejected" and not rejected.holds_quantity
    assert ("status:rejected", "agent", "worn") in _timeline(case)
    assert open_case(agent_actor, order, lines[:1], quantity=2).status == "under_review"


def test_an_illegal_step_is_409_and_nothing_changes(china, order, lines, agent_actor) -> None:
    case = open_case(agent_actor, order, lines[:1])  # auto-approved, awaiting shipment
    before = snapshot()

    with pytest.raises(InvalidTransition) as refused:
        actions.approve_case(actor=agent_actor, case=case)
    with pytest.raises(InvalidTransition):
        actions.reject_case(actor=agent_actor, case=case, reason="late")

    assert refused.value.extra == {"from": "awaiting_return_shipment", "to": "approved"}
    assert snapshot() == before


def test_request_info_keeps_the_status_and_notes_the_message(
    reviewed, order, lines, agent_actor
) -> None:
    case = open_case(agent_actor, order, lines[:1])

    asked = actions.request_info(actor=agent_actor, case=case, message="a photo of the tag?")

    assert asked.status == "under_review" and asked.info_requested_at is not None
    assert ("info_requested", "agent", "a photo of the tag?") in _timeline(case)


def test_cancel_only_before_the_warehouse(china, order, lines, agent_actor, warehouse_actor):
    case = open_case(agent_actor, order, lines[:1])
    from aftercare.returns.inspection import receive_return

    receive_return(actor=warehouse_actor, case=case)
    before = snapshot()

    with pytest.raises(InvalidTransition):
        actions.cancel_case(actor=agent_actor, case=case)
    assert snapshot() == before


def test_warehouse_staff_may_not_open_or_approve(merchant, reviewed, order, lines) -> None:
    finance = actor_of_member(make_member(merchant, Role.FINANCE, "finance"))
    before = snapshot()
    with pytest.raises(Forbidden):
        open_case(finance, order, lines[:1])
    assert snapshot() == before


def test_close_after_rejection(reviewed, order, lines, agent_actor) -> None:
    case = open_case(agent_actor, order, lines[:1])
    actions.reject_case(actor=agent_actor, case=case, reason="outside window")

    closed = actions.close_case(actor=agent_actor, case=case)

    assert closed.status == "closed"
    with pytest.raises(InvalidTransition):
        actions.close_case(actor=agent_actor, case=case)
