"""Creating, routing, assigning, status changes with clocks, closing and merging tickets."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest
import time_machine

from aftercare.commerce.tests.factories import CustomerFactory, OrderFactory
from aftercare.core.actors import Actor
from aftercare.core.errors import InvalidTransition, NotFound, ValidationFailed
from aftercare.core.models import AuditEvent
from aftercare.core.testing import actor_of_member
from aftercare.merchants.models import Merchant, Role
from aftercare.tickets import actions
from aftercare.tickets.errors import AgentAtCapacity, AgentOffline, InvalidMerge
from aftercare.tickets.models import AgentState, BusinessCalendar, SlaRecord, Ticket
from aftercare.tickets.states import Presence, Priority, TicketStatus
from aftercare.tickets.tests.conftest import MakeAgent, make_case

T0 = datetime(2026, 11, 23, 2, 0, tzinfo=UTC)  # Monday 10:00 in Shanghai


def test_a_vip_ticket_goes_to_the_vip_team_with_a_two_hour_clock(
    desk: Merchant, make_agent: MakeAgent, system_actor: Actor
) -> None:
    vip_agent = make_agent(("vip",))
    make_agent(("general",))
    customer = CustomerFactory(merchant=desk, tier="vip")
    with time_machine.travel(T0, tick=False):
        ticket = actions.create_ticket(
            actor=system_actor, subject="Where is my sofa?", customer_id=customer.pk
        )

    assert ticket.group is not None and ticket.group.code == "vip"
    assert ticket.assignee == vip_agent and ticket.owner == vip_agent
    assert ticket.first_response_due_at == T0 + timedelta(hours=2)
    assert ticket.priority == Priority.HIGH
    assert AgentState.objects.get(member=vip_agent).open_count == 1


def test_priority_from_order_value_and_safety_flag(desk: Merchant, system_actor: Actor) -> None:
    order = OrderFactory(merchant=desk, total=Decimal("6000.00"))

    ticket = actions.create_ticket(
        actor=system_actor, subject="Kettle smoked", order_id=order.pk, urgency_flags=["safety"]
    )

    assert ticket.priority == Priority.URGENT
    assert ticket.customer == order.customer
    assert "flag:safety" in ticket.priority_reasons


def test_flagged_customers_go_to_supervisors(
    desk: Merchant, make_agent: MakeAgent, system_actor: Actor
) -> None:
    boss = make_agent(("supervisors",), role=Role.SUPERVISOR)
    make_agent(("general",))
    customer = CustomerFactory(merchant=desk, risk_tags=["fraud_suspect"])

    ticket = actions.create_ticket(actor=system_actor, subject="Refund!", customer_id=customer.pk)

    assert ticket.assignee == boss


def test_business_hours_put_a_friday_evening_deadline_on_monday(
    desk: Merchant, system_actor: Actor
) -> None:
    BusinessCalendar.objects.filter(merchant=desk).update(
        timezone="Asia/Shanghai", weekly_hours=[["09:00", "18:00"]] * 5 + [None, None]
    )
    friday_evening = datetime(2026, 11, 27, 12, 0, tzinfo=UTC)  # 20:00 Shanghai
    with time_machine.travel(friday_evening, tick=False):
        ticket = actions.create_ticket(actor=system_actor, subject="Late parcel")

    # normal tier: 8 business hours -> Monday 09:00 to 17:00 Shanghai
    assert ticket.first_response_due_at == datetime(2026, 11, 30, 9, 0, tzinfo=UTC)


def test_waiting_on_customer_pauses_and_resumes_with_the_time_left(
    desk: Merchant, make_agent: MakeAgent
) -> None:
    agent = make_agent()
    actor = actor_of_member(agent)
    with time_machine.travel(T0, tick=False):
        ticket = actions.create_ticket(actor=actor, subject="Colour?")
    with time_machine.travel(T0 + timedelta(hours=3), tick=False):
        ticket = actions.set_status(actor=actor, ticket=ticket, status="waiting_customer")
    assert ticket.first_response_due_at is None
    assert ticket.paused_remaining["first_response"] == 5 * 3600
    with time_machine.travel(T0 + timedelta(days=2), tick=False):
        ticket = actions.set_status(actor=actor, ticket=ticket, status="open")

    assert ticket.first_response_due_at == T0 + timedelta(days=2, hours=5)
    assert ticket.paused_remaining == {}


def test_response_records_a_hit_and_starts_next_response_on_the_customer_reply(
    desk: Merchant, make_agent: MakeAgent
) -> None:
    actor = actor_of_member(make_agent())
    with time_machine.travel(T0, tick=False):
        ticket = actions.create_ticket(actor=actor, subject="Hello")
    with time_machine.travel(T0 + timedelta(hours=1), tick=False):
        ticket = actions.record_response(actor=actor, ticket=ticket)
    with time_machine.travel(T0 + timedelta(hours=2), tick=False):
        ticket = actions.record_customer_message(actor=actor, ticket=ticket)

    record = SlaRecord.objects.get(ticket=ticket, kind="first_response")
    assert record.hit is True
    assert ticket.status == TicketStatus.OPEN
    assert ticket.next_response_due_at == T0 + timedelta(hours=10)


def test_never_assigned_to_an_offline_agent_or_beyond_capacity(
    desk: Merchant, make_agent: MakeAgent, system_actor: Actor
) -> None:
    full = make_agent(capacity=1)
    offline = make_agent(presence=Presence.OFFLINE)
    first = actions.create_ticket(actor=system_actor, subject="One")
    second = actions.create_ticket(actor=system_actor, subject="Two")
    assert first.assignee == full
    assert second.assignee is None  # waits in the general queue

    with pytest.raises(AgentAtCapacity):
        actions.assign_ticket(actor=system_actor, ticket=second, member_id=full.pk)
    with pytest.raises(AgentOffline):
        actions.assign_ticket(actor=system_actor, ticket=second, member_id=offline.pk)
    assert Ticket.objects.get(pk=second.pk).assignee is None


def test_least_loaded_then_round_robin(
    desk: Merchant, make_agent: MakeAgent, system_actor: Actor
) -> None:
    a, b = make_agent(), make_agent()
    got = [actions.create_ticket(actor=system_actor, subject=f"T{i}").assignee for i in range(4)]
    assert sorted(m.pk for m in got if m) == sorted([a.pk, a.pk, b.pk, b.pk])
    assert got[0] != got[1]


def test_offline_agent_hands_tickets_back_to_the_group(
    desk: Merchant, make_agent: MakeAgent, system_actor: Actor
) -> None:
    from aftercare.tickets.presence import set_presence

    leaving = make_agent()
    ticket = actions.create_ticket(actor=system_actor, subject="Help")
    assert ticket.assignee == leaving
    staying = make_agent()

    set_presence(actor=actor_of_member(leaving), member_id=leaving.pk, presence="offline")

    ticket.refresh_from_db()
    assert ticket.assignee == staying and ticket.owner == staying
    assert AgentState.objects.get(member=leaving).open_count == 0


def test_coming_online_takes_waiting_tickets(
    desk: Merchant, make_agent: MakeAgent, system_actor: Actor
) -> None:
    from aftercare.tickets.presence import set_presence

    late = make_agent(presence=Presence.OFFLINE)
    ticket = actions.create_ticket(actor=system_actor, subject="Anyone?")
    assert ticket.assignee is None

    set_presence(actor=actor_of_member(late), member_id=late.pk, presence="online")

    ticket.refresh_from_db()
    assert ticket.assignee == late


def test_helper_keeps_the_first_owner(desk: Merchant, make_agent: MakeAgent) -> None:
    from aftercare.core.testing import make_member

    agent = make_agent()
    warehouse = make_member(desk, Role.WAREHOUSE, "wh")
    actor = actor_of_member(agent)
    ticket = actions.create_ticket(actor=actor, subject="Parcel came back damaged")

    ticket = actions.transfer_ticket(actor=actor, ticket=ticket, member_id=warehouse.pk)

    assert ticket.assignee == warehouse and ticket.owner == agent
    assert AgentState.objects.get(member=agent).open_count == 0


def test_close_needs_a_code_and_frees_the_slot(desk: Merchant, make_agent: MakeAgent) -> None:
    agent = make_agent(capacity=1)
    actor = actor_of_member(agent)
    ticket = actions.create_ticket(actor=actor, subject="Done soon")
    queued = actions.create_ticket(actor=actor, subject="Waiting")
    assert queued.assignee is None
    with pytest.raises(ValidationFailed):
        actions.close_ticket(actor=actor, ticket=ticket, resolution_code="whatever")

    closed = actions.close_ticket(actor=actor, ticket=ticket, resolution_code="solved")

    assert closed.status == TicketStatus.CLOSED and closed.resolution_code == "solved"
    assert SlaRecord.objects.filter(ticket=ticket, kind="resolution", hit=True).exists()
    queued.refresh_from_db()
    assert queued.assignee == agent  # the freed slot took the waiting ticket
    with pytest.raises(InvalidTransition):
        actions.close_ticket(actor=actor, ticket=closed, resolution_code="solved")


def test_merge_duplicate(desk: Merchant, make_agent: MakeAgent) -> None:
    actor = actor_of_member(make_agent())
    kept = actions.create_ticket(actor=actor, subject="Broken lamp")
    dup = actions.create_ticket(actor=actor, subject="Broken lamp (again)")

    merged = actions.merge_tickets(actor=actor, ticket=dup, into_id=kept.pk)

    assert merged.status == TicketStatus.MERGED and merged.merged_into_id == kept.pk
    assert AuditEvent.objects.filter(subject_id=kept.pk, kind="merged_in").exists()
    with pytest.raises(InvalidMerge):
        actions.merge_tickets(actor=actor, ticket=kept, into_id=kept.pk)


def test_one_case_one_ticket(desk: Merchant, system_actor: Actor) -> None:
    case = make_case(desk)
    first = actions.create_ticket(actor=system_actor, subject="Case", case_id=case.pk)
    again = actions.create_ticket(actor=system_actor, subject="Case 2", case_id=case.pk)

    assert again.pk == first.pk
    assert first.order_id == case.order_id and first.customer_id == case.customer_id


def test_another_merchants_links_are_not_found(
    desk: Merchant, other_merchant: Merchant, system_actor: Actor
) -> None:
    foreign = CustomerFactory(merchant=other_merchant)
    before = Ticket.objects.count()
    with pytest.raises(NotFound):
        actions.create_ticket(actor=system_actor, subject="x", customer_id=foreign.pk)
    with pytest.raises(ValidationFailed):
        actions.create_ticket(actor=system_actor, subject="  ")
    assert Ticket.objects.count() == before
