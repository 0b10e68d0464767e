"""The tickets API, mounted by aftercare/api.py at /api/v1/tickets.

Reads need "desk.read"; creating and working tickets "desk.write"; reassigning with ownership
and changing other agents' presence "desk.supervise". The actions check again (the bot and
tasks call them too). Another merchant's ticket is a 404, the same as a missing one.
"""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from django.utils import timezone
from ninja import Query, Router, Schema, Status

from aftercare.core.actors import Actor
from aftercare.core.api import PageOut, actor_of, page_of, require
from aftercare.core.audit import timeline_of
from aftercare.core.errors import ValidationFailed
from aftercare.returns.deadlines import stage_clock
from aftercare.tickets import actions, collaboration, presence, queries
from aftercare.tickets.models import Ticket
from aftercare.tickets.schemas import (
    AgentOut,
    CloseIn,
    FollowUpIn,
    FollowUpOut,
    GroupOut,
    MemberIn,
    MergeIn,
    NoteIn,
    NoteOut,
    PresenceIn,
    ReasonIn,
    StatusIn,
    TicketDetailOut,
    TicketIn,
    TicketSummaryOut,
    TransferIn,
    person,
)
from aftercare.tickets.sla import clock_view
from aftercare.tickets.states import TicketStatus

router = Router(tags=["tickets"])


class TicketFiltersIn(Schema):
    mine: bool = False
    unassigned: bool = False
    group_id: int | None = None
    overdue: bool = False
    status: TicketStatus | None = None
    priority: int | None = None
    case_id: int | None = None
    customer_id: int | None = None
    limit: int = 50
    offset: int = 0


def summary(ticket: Ticket) -> dict[str, Any]:
    group = ticket.group
    return {
        "id": ticket.pk,
        "number": ticket.number,
        "subject": ticket.subject,
        "type": ticket.type,
        "source": ticket.source,
        "status": ticket.status,
        "priority": ticket.priority,
        "tier": ticket.tier,
        "group": {"id": group.pk, "code": group.code, "name": group.name} if group else None,
        "assignee": person(ticket.assignee),
        "owner": person(ticket.owner),
        "customer_id": ticket.customer_id,
        "order_id": ticket.order_id,
        "case_id": ticket.case_id,
        "conversation_id": ticket.conversation_id,
        "next_due_at": ticket.next_due_at,
        "escalated_at": ticket.escalated_at,
        "created_at": ticket.created_at,
    }


def detail(actor: Actor, ticket_id: int) -> dict[str, Any]:
    ticket = queries.get_ticket(actor.merchant, ticket_id)
    now = timezone.now()
    case_clock = None
    if ticket.case is not None:
        case_clock = {
            "case_id": ticket.case.pk,
            "number": ticket.case.number,
            "status": ticket.case.status,
            "clock": stage_clock(ticket.case, now),
        }
    return {
        **summary(ticket),
        "description": ticket.description,
        "intent": ticket.intent,
        "urgency_flags": ticket.urgency_flags,
        "priority_reasons": ticket.priority_reasons,
        "external_ref": ticket.external_ref,
        "first_responded_at": ticket.first_responded_at,
        "resolution_code": ticket.resolution_code,
        "resolution_note": ticket.resolution_note,
        "merged_into_id": ticket.merged_into_id,
        "clocks": clock_view(ticket, now),
        "case_clock": case_clock,
        "notes": [note_out(n) for n in ticket.notes.order_by("created_at", "id")],
        "follow_ups": [
            follow_up_out(f) for f in ticket.follow_ups.select_related("assignee").order_by("id")
        ],
        "timeline": [
            {
                "kind": e.kind,
                "actor": e.actor_label,
                "reason": e.reason,
                "data": e.data,
                "at": e.created_at,
            }
            for e in timeline_of(ticket, merchant_id=actor.merchant_id)
        ],
    }


def note_out(note: Any) -> dict[str, Any]:
    return {
        "id": note.pk,
        "author": note.author_label,
        "body": note.body,
        "mentions": note.mentions,
        "created_at": note.created_at,
    }


def follow_up_out(follow_up: Any) -> dict[str, Any]:
    return {
        "id": follow_up.pk,
        "ticket_id": follow_up.ticket_id,
        "assignee": person(follow_up.assignee),
        "text": follow_up.text,
        "due_at": follow_up.due_at,
        "done_at": follow_up.done_at,
    }


def _ticket(actor: Actor, ticket_id: int) -> Ticket:
    return queries.get_ticket(actor.merchant, ticket_id)


@router.post("", response={201: TicketDetailOut}, summary="Open a ticket; it is routed at once")
def create_ticket(request: HttpRequest, payload: TicketIn) -> Status[dict[str, Any]]:
    actor = actor_of(request)
    require(actor, "desk.write")
    ticket = actions.create_ticket(actor=actor, **payload.dict())
    return Status(201, detail(actor, ticket.pk))


@router.get("", response=PageOut[TicketSummaryOut], summary="Tickets by SLA urgency, filtered")
def list_tickets(request: HttpRequest, filters: Query[TicketFiltersIn]) -> dict[str, Any]:
    actor = actor_of(request)
    require(actor, "desk.read")
    member_id = queries.member_id_of(actor.merchant, actor.user_id)
    chosen = queries.TicketFilters(
        mine=filters.mine,
        unassigned=filters.unassigned,
        group_id=filters.group_id,
        overdue=filters.overdue,
        status=filters.status,
        priority=filters.priority,
        case_id=filters.case_id,
        customer_id=filters.customer_id,
    )
    rows = queries.tickets_of(actor.merchant, chosen, member_id=member_id)
    page = page_of(rows, limit=filters.limit, offset=filters.offset)
    page["items"] = [summary(t) for t in page["items"]]
    return page


@router.get("/agents", response=list[AgentOut], summary="Agents' presence and load")
def list_agents(request: HttpRequest) -> list[dict[str, Any]]:
    actor = actor_of(request)
    require(actor, "desk.read")
    return [
        {
            "member_id": s.member_id,
            "name": s.member.display_name or s.member.user.get_username(),
            "role": s.member.role,
            "presence": s.presence,
            "capacity": s.capacity,
            "open_count": s.open_count,
            "groups": [g.code for g in s.groups.all()],
        }
        for s in queries.agent_loads(actor.merchant)
    ]


@router.get("/groups", response=list[GroupOut], summary="Skill groups with their queue sizes")
def list_groups(request: HttpRequest) -> list[dict[str, Any]]:
    actor = actor_of(request)
    require(actor, "desk.read")
    return queries.group_queues(actor.merchant)


@router.post("/presence", response=AgentOut, summary="Set presence (own; others: supervise)")
def set_presence(request: HttpRequest, payload: PresenceIn) -> dict[str, Any]:
    actor = actor_of(request)
    require(actor, "desk.write")
    member_id = payload.member_id or queries.member_id_of(actor.merchant, actor.user_id)
    if member_id is None:
        raise ValidationFailed("An API key names the member.", errors=[{"loc": ["member_id"]}])
    state = presence.set_presence(
        actor=actor,
        member_id=member_id,
        presence=str(payload.presence),
        capacity=payload.capacity,
        group_ids=payload.group_ids,
    )
    member = state.member
    return {
        "member_id": member.pk,
        "name": member.display_name,
        "role": member.role,
        "presence": state.presence,
        "capacity": state.capacity,
        "open_count": state.open_count,
        "groups": [g.code for g in state.groups.all()],
    }


@router.post(
    "/follow-ups/{follow_up_id}/done", response=FollowUpOut, summary="Mark a follow-up done"
)
def complete_follow_up(request: HttpRequest, follow_up_id: int) -> dict[str, Any]:
    actor = actor_of(request)
    require(actor, "desk.write")
    return follow_up_out(collaboration.complete_follow_up(actor=actor, follow_up_id=follow_up_id))


@router.get(
    "/{ticket_id}",
    response=TicketDetailOut,
    summary="One ticket: SLA clocks beside the case's stage clock, notes, follow-ups, timeline",
)
def get_ticket(request: HttpRequest, ticket_id: int) -> dict[str, Any]:
    actor = actor_of(request)
    require(actor, "desk.read")
    return detail(actor, ticket_id)


@router.post("/{ticket_id}/assign", response=TicketDetailOut, summary="Assign to a member")
def assign(request: HttpRequest, ticket_id: int, payload: MemberIn) -> dict[str, Any]:
    actor = actor_of(request)
    require(actor, "desk.write")
    ticket = _ticket(actor, ticket_id)
    actions.assign_ticket(
        actor=actor, ticket=ticket, member_id=payload.member_id, reason=payload.reason
    )
    return detail(actor, ticket_id)


@router.post(
    "/{ticket_id}/reassign",
    response=TicketDetailOut,
    summary="Supervisor: give the ticket and its ownership to another member",
)
def reassign(request: HttpRequest, ticket_id: int, payload: MemberIn) -> dict[str, Any]:
    actor = actor_of(request)
    require(actor, "desk.supervise")
    ticket = _ticket(actor, ticket_id)
    actions.assign_ticket(
        actor=actor,
        ticket=ticket,
        member_id=payload.member_id,
        as_owner=True,
        reason=payload.reason,
    )
    return detail(actor, ticket_id)


@router.post("/{ticket_id}/transfer", response=TicketDetailOut, summary="To a group or member")
def transfer(request: HttpRequest, ticket_id: int, payload: TransferIn) -> dict[str, Any]:
    actor = actor_of(request)
    require(actor, "desk.write")
    ticket = _ticket(actor, ticket_id)
    actions.transfer_ticket(
        actor=actor, ticket=ticket, group_id=payload.group_id, member_id=payload.member_id
    )
    return detail(actor, ticket_id)


@router.post("/{ticket_id}/escalate", response=TicketDetailOut, summary="Escalate to supervisor")
def escalate(request: HttpRequest, ticket_id: int, payload: ReasonIn) -> dict[str, Any]:
    actor = actor_of(request)
    require(actor, "desk.write")
    actions.escalate_ticket(actor=actor, ticket=_ticket(actor, ticket_id), reason=payload.reason)
    return detail(actor, ticket_id)


@router.post("/{ticket_id}/status", response=TicketDetailOut, summary="Open, wait, resolve")
def set_status(request: HttpRequest, ticket_id: int, payload: StatusIn) -> dict[str, Any]:
    actor = actor_of(request)
    require(actor, "desk.write")
    actions.set_status(
        actor=actor,
        ticket=_ticket(actor, ticket_id),
        status=str(payload.status),
        reason=payload.reason,
    )
    return detail(actor, ticket_id)


@router.post(
    "/{ticket_id}/respond",
    response=TicketDetailOut,
    summary="Record that the customer was answered (stops the response clocks)",
)
def respond(request: HttpRequest, ticket_id: int) -> dict[str, Any]:
    actor = actor_of(request)
    require(actor, "desk.write")
    actions.record_response(actor=actor, ticket=_ticket(actor, ticket_id))
    return detail(actor, ticket_id)


@router.post("/{ticket_id}/close", response=TicketDetailOut, summary="Close with a resolution")
def close(request: HttpRequest, ticket_id: int, payload: CloseIn) -> dict[str, Any]:
    actor = actor_of(request)
    require(actor, "desk.write")
    actions.close_ticket(
        actor=actor,
        ticket=_ticket(actor, ticket_id),
        resolution_code=str(payload.resolution_code),
        note=payload.note,
    )
    return detail(actor, ticket_id)


@router.post("/{ticket_id}/merge", response=TicketDetailOut, summary="Merge a duplicate")
def merge(request: HttpRequest, ticket_id: int, payload: MergeIn) -> dict[str, Any]:
    actor = actor_of(request)
    require(actor, "desk.write")
    actions.merge_tickets(actor=actor, ticket=_ticket(actor, ticket_id), into_id=payload.into_id)
    return detail(actor, ticket_id)


@router.post("/{ticket_id}/notes", response={201: NoteOut}, summary="Internal note with @mentions")
def add_note(request: HttpRequest, ticket_id: int, payload: NoteIn) -> Status[dict[str, Any]]:
    actor = actor_of(request)
    require(actor, "desk.write")
    note = collaboration.add_note(actor=actor, ticket=_ticket(actor, ticket_id), body=payload.body)
    return Status(201, note_out(note))


@router.post(
    "/{ticket_id}/follow-ups",
    response={201: FollowUpOut},
    summary="A follow-up task with a due time",
)
def add_follow_up(
    request: HttpRequest, ticket_id: int, payload: FollowUpIn
) -> Status[dict[str, Any]]:
    actor = actor_of(request)
    require(actor, "desk.write")
    follow_up = collaboration.add_follow_up(
        actor=actor,
        ticket=_ticket(actor, ticket_id),
        member_id=payload.member_id,
        text=payload.text,
        due_at=payload.due_at,
    )
    return Status(201, follow_up_out(follow_up))
