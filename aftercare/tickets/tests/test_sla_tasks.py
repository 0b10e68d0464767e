"""The delayed SLA tasks: enqueued at the deadlines, re-checked when they run."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import time_machine
from django_tasks.backends.dummy import DummyBackend

from aftercare.core.actors import Actor
from aftercare.core.models import AuditEvent
from aftercare.merchants.models import Merchant, Role
from aftercare.tickets import actions
from aftercare.tickets.models import SkillGroup, SlaRecord, Ticket
from aftercare.tickets.states import Priority
from aftercare.tickets.tasks import sla_deadline
from aftercare.tickets.tests.conftest import MakeAgent

T0 = datetime(2026, 11, 23, 2, 0, tzinfo=UTC)


def _make(desk: Merchant, make_agent: MakeAgent, actor: Actor) -> Ticket:
    make_agent()
    with time_machine.travel(T0, tick=False):
        return actions.create_ticket(actor=actor, subject="Clock me")


def test_a_reminder_task_at_each_deadline_then_the_breach_check_at_it(
    desk: Merchant,
    make_agent: MakeAgent,
    system_actor: Actor,
    dummy_tasks: DummyBackend,
    django_capture_on_commit_callbacks: Any,
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        ticket = _make(desk, make_agent, system_actor)

    due = T0 + timedelta(hours=8)
    runs = sorted((r.args[1], r.args[3], r.task.run_after) for r in dummy_tasks.results)
    assert ticket.first_response_due_at == due
    assert ("first_response", "remind", due - timedelta(minutes=30)) in runs
    assert {kind for kind, _, _ in runs} == {"first_response", "resolution"}
    dummy_tasks.clear()

    with (
        django_capture_on_commit_callbacks(execute=True),
        time_machine.travel(due - timedelta(minutes=30), tick=False),
    ):
        assert sla_deadline.call(ticket.pk, "first_response", due.isoformat(), "remind") == (
            "reminded"
        )

    assert [(r.args[3], r.task.run_after) for r in dummy_tasks.results] == [("breach", due)]


def test_breach_escalates_once_and_raises_the_ticket(
    desk: Merchant, make_agent: MakeAgent, system_actor: Actor
) -> None:
    from aftercare.core.testing import make_member

    boss = make_member(desk, Role.SUPERVISOR, "boss")
    SkillGroup.objects.filter(merchant=desk, code="general").update(supervisor=boss)
    ticket = _make(desk, make_agent, system_actor)
    due = ticket.first_response_due_at
    assert due is not None

    with time_machine.travel(due + timedelta(seconds=1), tick=False):
        first = sla_deadline.call(ticket.pk, "first_response", due.isoformat(), "breach")
        second = sla_deadline.call(ticket.pk, "first_response", due.isoformat(), "breach")

    ticket.refresh_from_db()
    assert (first, second) == ("escalated", "done")
    assert ticket.escalated_at is not None and ticket.priority == Priority.HIGH
    assert SlaRecord.objects.filter(ticket=ticket, kind="first_response", hit=False).count() == 1
    event = AuditEvent.objects.get(subject_id=ticket.pk, kind="escalated")
    assert event.data["to"] == [boss.user_id]


def test_a_moved_deadline_makes_the_old_task_stale(
    desk: Merchant, make_agent: MakeAgent, system_actor: Actor
) -> None:
    ticket = _make(desk, make_agent, system_actor)
    old_due = ticket.first_response_due_at
    assert old_due is not None
    with time_machine.travel(T0 + timedelta(hours=1), tick=False):
        actions.set_status(actor=system_actor, ticket=ticket, status="waiting_customer")
    with time_machine.travel(T0 + timedelta(hours=3), tick=False):
        actions.set_status(actor=system_actor, ticket=ticket, status="open")

    with time_machine.travel(old_due + timedelta(seconds=1), tick=False):
        outcome = sla_deadline.call(ticket.pk, "first_response", old_due.isoformat(), "breach")

    ticket.refresh_from_db()
    assert outcome == "stale"
    assert ticket.escalated_at is None
    assert ticket.first_response_due_at == old_due + timedelta(hours=2)


def test_answered_in_time_nothing_happens(
    desk: Merchant, make_agent: MakeAgent, system_actor: Actor
) -> None:
    ticket = _make(desk, make_agent, system_actor)
    due = ticket.first_response_due_at
    assert due is not None
    with time_machine.travel(T0 + timedelta(hours=1), tick=False):
        actions.record_response(actor=system_actor, ticket=ticket)

    with time_machine.travel(due, tick=False):
        assert sla_deadline.call(ticket.pk, "first_response", due.isoformat(), "breach") == "stale"
        assert sla_deadline.call(ticket.pk, "first_response", due.isoformat(), "remind") == "stale"


def test_reminder_once_to_the_assignee(
    desk: Merchant, make_agent: MakeAgent, system_actor: Actor
) -> None:
    ticket = _make(desk, make_agent, system_actor)
    due = ticket.first_response_due_at
    assert due is not None

    with time_machine.travel(due - timedelta(minutes=30), tick=False):
        first = sla_deadline.call(ticket.pk, "first_response", due.isoformat(), "remind")
        second = sla_deadline.call(ticket.pk, "first_response", due.isoformat(), "remind")

    assert (first, second) == ("reminded", "done")
    assert AuditEvent.objects.filter(subject_id=ticket.pk, kind="sla_reminder").count() == 1


def test_breached_tickets_rise_to_the_top_of_the_queue(
    desk: Merchant, make_agent: MakeAgent, system_actor: Actor
) -> None:
    from aftercare.tickets.queries import tickets_of

    make_agent(capacity=10)
    with time_machine.travel(T0, tick=False):
        early = actions.create_ticket(actor=system_actor, subject="Early")
    with time_machine.travel(T0 + timedelta(hours=1), tick=False):
        late = actions.create_ticket(actor=system_actor, subject="Late")
    late_due = late.resolution_due_at
    assert [t.pk for t in tickets_of(desk)] == [early.pk, late.pk]

    with time_machine.travel(late_due + timedelta(seconds=1), tick=False):
        sla_deadline.call(late.pk, "resolution", late_due.isoformat(), "breach")

    assert tickets_of(desk).first().pk == late.pk  # type: ignore[union-attr]


def test_follow_up_reminds_its_assignee_at_the_due_time_unless_done(
    desk: Merchant,
    make_agent: MakeAgent,
    system_actor: Actor,
    dummy_tasks: DummyBackend,
    django_capture_on_commit_callbacks: Any,
) -> None:
    from aftercare.tickets.collaboration import add_follow_up, complete_follow_up
    from aftercare.tickets.tasks import follow_up_due

    helper = make_agent()
    ticket = _make(desk, make_agent, system_actor)
    due = T0 + timedelta(hours=3)
    with (
        django_capture_on_commit_callbacks(execute=True),
        time_machine.travel(T0, tick=False),
    ):
        first = add_follow_up(
            actor=system_actor, ticket=ticket, member_id=helper.pk, text="Call back", due_at=due
        )
        second = add_follow_up(
            actor=system_actor, ticket=ticket, member_id=helper.pk, text="Refund", due_at=due
        )
    assert [(r.args[0], r.task.run_after) for r in dummy_tasks.results][-2:] == [
        (first.pk, due),
        (second.pk, due),
    ]
    complete_follow_up(actor=system_actor, follow_up_id=second.pk)

    with time_machine.travel(due, tick=False):
        assert follow_up_due.call(first.pk, due.isoformat()) == "reminded"
        assert follow_up_due.call(second.pk, due.isoformat()) == "done"
    event = AuditEvent.objects.get(subject_id=ticket.pk, kind="follow_up_due")
    assert event.data == {"follow_up_id": first.pk, "member_id": helper.pk}
