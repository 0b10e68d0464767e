"""Actions on tickets: the only writers (architecture rule 1). Creating, routing, assigning,
transferring, escalating, status changes with their clocks, responses, closing and merging.

Each action locks the ticket row, changes it, writes the timeline row (core.audit) and
announces the change on the realtime feed, all in one transaction; tasks for the new
deadlines are enqueued on commit. Collaboration (notes, follow-ups) is in collaboration.py
and agent presence in presence.py.
"""

from __future__ import annotations

from collections.abc import Iterable
from decimal import Decimal
from typing import Any

from django.db import IntegrityError, transaction
from django.utils import timezone

from aftercare.commerce.models import Customer, Order
from aftercare.core.actors import Actor
from aftercare.core.api import require
from aftercare.core.audit import record_event
from aftercare.core.errors import NotFound, ValidationFailed
from aftercare.core.transitions import transition
from aftercare.merchants.models import Member
from aftercare.merchants.queries import scoped
from aftercare.returns.models import Case
from aftercare.tickets import notify, routing
from aftercare.tickets.errors import AgentAtCapacity, AgentOffline, InvalidMerge, TicketNotLive
from aftercare.tickets.models import SkillGroup, Ticket
from aftercare.tickets.priority import priority_for, raised
from aftercare.tickets.sla import CLOCK_FIELDS, Clocks
from aftercare.tickets.states import (
    LIVE,
    SETTABLE,
    TRANSITIONS,
    ClockKind,
    Presence,
    ResolutionCode,
    TicketSource,
    TicketStatus,
    TicketType,
)

MAX_SUBJECT = 300


def lock(ticket: Ticket | int) -> Ticket:
    pk = ticket if isinstance(ticket, int) else ticket.pk
    return Ticket.objects.select_for_update().get(pk=pk)


def _require_live(ticket: Ticket) -> None:
    if ticket.status not in LIVE and ticket.status != TicketStatus.RESOLVED:
        raise TicketNotLive(f"Ticket {ticket} is {ticket.status}.")


def _member(actor: Actor, member_id: int) -> Member:
    member = scoped(Member, actor.merchant).select_related("user").filter(pk=member_id).first()
    if member is None:
        raise NotFound("No such member.")
    return member


# --- Creating ---------------------------------------------------------------------------------


def _links(
    actor: Actor,
    *,
    customer_id: int | None,
    order_id: int | None,
    case_id: int | None,
    conversation_id: int | None,
) -> dict[str, Any]:
    """Linked objects, each looked up within the actor's merchant (another's is a 404). A
    case brings its order and customer; a conversation its customer."""
    from aftercare.conversations.models import Conversation

    found: dict[str, Any] = {"customer": None, "order": None, "case": None, "conversation": None}
    lookups: list[tuple[str, Any, int | None]] = [
        ("case", Case, case_id),
        ("conversation", Conversation, conversation_id),
        ("order", Order, order_id),
        ("customer", Customer, customer_id),
    ]
    for name, model, pk in lookups:
        if pk is None:
            continue
        obj = scoped(model, actor.merchant).filter(pk=pk).first()
        if obj is None:
            raise NotFound(f"No such {name}.", extra={"field": f"{name}_id"})
        found[name] = obj
    if found["case"] is not None:
        found["order"] = found["order"] or found["case"].order
        found["customer"] = found["customer"] or found["case"].customer
    if found["conversation"] is not None and found["customer"] is None:
        found["customer"] = found["conversation"].customer
    if found["order"] is not None and found["customer"] is None:
        found["customer"] = found["order"].customer
    return found


def create_ticket(
    *,
    actor: Actor,
    subject: str,
    description: str = "",
    type: str = TicketType.GENERAL,
    source: str = TicketSource.MANUAL,
    customer_id: int | None = None,
    order_id: int | None = None,
    case_id: int | None = None,
    conversation_id: int | None = None,
    external_ref: str = "",
    intent: str = "",
    urgency_flags: Iterable[str] = (),
    route: bool = True,
) -> Ticket:
    """Open a ticket, start its clocks and route it. A case that already has a live ticket
    gets that ticket back (one case, one clock)."""
    require(actor, "desk.write")
    subject = subject.strip()
    if not subject or len(subject) > MAX_SUBJECT:
        raise ValidationFailed(
            "A subject of 1 to 300 characters is needed.", errors=[{"loc": ["subject"]}]
        )
    links = _links(
        actor,
        customer_id=customer_id,
        order_id=order_id,
        case_id=case_id,
        conversation_id=conversation_id,
    )
    if links["case"] is not None:
        existing = live_ticket_of_case(links["case"].pk)
        if existing is not None:
            return existing
    try:
        with transaction.atomic():
            return _create(
                actor,
                links,
                subject=subject,
                description=description,
                type=str(type),
                source=str(source),
                external_ref=external_ref,
                intent=intent,
                flags=sorted(set(urgency_flags)),
                route=route,
            )
    except IntegrityError:
        # Another request opened the case's ticket at the same moment: that one is it.
        existing = live_ticket_of_case(links["case"].pk) if links["case"] else None
        if existing is None:
            raise
        return existing


def live_ticket_of_case(case_id: int) -> Ticket | None:
    return Ticket.objects.filter(case_id=case_id, status__in=LIVE).first()


def _create(actor: Actor, links: dict[str, Any], *, flags: list[str], **fields: Any) -> Ticket:
    customer: Customer | None = links["customer"]
    order: Order | None = links["order"]
    tier = customer.tier if customer else "normal"
    order_value: Decimal | None = order.total if order else None
    rank = priority_for(order_value=order_value, tier=tier, flags=flags)
    route = fields.pop("route")
    now = timezone.now()
    ticket = Ticket.objects.create(
        merchant=actor.merchant,
        tier=tier,
        priority=rank.priority,
        priority_reasons=rank.reasons,
        urgency_flags=flags,
        created_by_id=_member_id(actor),
        **links,
        **fields,
    )
    ticket.number = f"T-{ticket.pk:06d}"
    clocks = Clocks.of(ticket)
    clocks.start(ticket, ClockKind.FIRST_RESPONSE, now)
    clocks.start(ticket, ClockKind.RESOLUTION, now)
    ticket.group = routing.pick_group(
        actor.merchant_id,
        ticket_type=ticket.type,
        intent=ticket.intent,
        tier=tier,
        flagged=bool(customer and customer.risk_tags),
    )
    ticket.save(update_fields=["number", "group", *CLOCK_FIELDS])
    record_event(
        actor=actor,
        subject=ticket,
        kind="created",
        data={
            "source": ticket.source,
            "priority": ticket.priority,
            "priority_reasons": rank.reasons,
            "group": ticket.group.code if ticket.group else None,
            "case_id": ticket.case_id,
        },
    )
    # One live update per new ticket: its assignment, or its arrival in the queue.
    if not (route and _route_to_agent(actor, ticket)):
        notify.ticket_event(notify.CREATED, ticket)
    return ticket


def _member_id(actor: Actor) -> int | None:
    user_id = actor.user_id
    if user_id is None:
        return None
    return Member.objects.filter(user_id=user_id).values_list("pk", flat=True).first()


# --- Routing and assignment -------------------------------------------------------------------


def _route_to_agent(actor: Actor, ticket: Ticket, *, exclude_member_id: int | None = None) -> bool:
    """Give a locked, unassigned ticket to the least-loaded online agent of its group."""
    if ticket.group is None:
        return False
    state = routing.take_agent(ticket.group, exclude_member_id=exclude_member_id)
    if state is None:
        return False
    _give(actor, ticket, state.member, holds_slot=True, how="routed")
    return True


def _give(actor: Actor, ticket: Ticket, member: Member, *, holds_slot: bool, how: str) -> None:
    ticket.assignee = member
    ticket.holds_slot = holds_slot
    if ticket.owner_id is None:
        ticket.owner = member
    ticket.save(update_fields=["assignee", "holds_slot", "owner", "updated_at"])
    record_event(
        actor=actor,
        subject=ticket,
        kind="assigned",
        data={"member_id": member.pk, "member": str(member), "how": how},
    )
    notify.ticket_event(notify.ASSIGNED, ticket, user_ids=[member.user_id], how=how)


def _unassign(ticket: Ticket) -> int | None:
    """Take the ticket off its assignee (freeing the slot); returns who had it."""
    previous = ticket.assignee_id
    if previous is not None and ticket.holds_slot:
        routing.release_slot(previous)
    ticket.assignee = None
    ticket.holds_slot = False
    return previous


def route_ticket(*, actor: Actor, ticket: Ticket) -> Ticket:
    """Assign an unassigned ticket from its group's agents (used when capacity frees up)."""
    require(actor, "desk.write")
    with transaction.atomic():
        locked = lock(ticket)
        if locked.assignee_id is None and locked.status in LIVE:
            _route_to_agent(actor, locked)
    return locked


def assign_ticket(
    *, actor: Actor, ticket: Ticket, member_id: int, as_owner: bool = False, reason: str = ""
) -> Ticket:
    """Give the ticket to a member. Desk members must not be offline and must have room;
    warehouse and finance members help without a desk load. The first owner stays the owner
    unless a supervisor reassigns (`as_owner`)."""
    require(actor, "desk.supervise" if as_owner else "desk.write")
    member = _member(actor, member_id)
    with transaction.atomic():
        locked = lock(ticket)
        _require_live(locked)
        if locked.assignee_id == member.pk:
            if as_owner and locked.owner_id != member.pk:
                locked.owner = member
                locked.save(update_fields=["owner", "updated_at"])
            return locked
        holds = _claim_for(member, actor.merchant_id)
        previous = _unassign(locked)
        if as_owner:
            locked.owner = member
        _give(actor, locked, member, holds_slot=holds, how="reassigned" if as_owner else "manual")
        if reason:
            record_event(actor=actor, subject=locked, kind="assign_reason", reason=reason)
    if previous is not None:
        transaction.on_commit(lambda: refill(actor=actor, member_id=previous))
    return locked


def _claim_for(member: Member, merchant_id: int) -> bool:
    if member.role not in routing.DESK_ROLES:
        return False
    state = routing.state_of(member.pk, merchant_id)
    if state.presence == Presence.OFFLINE:
        raise AgentOffline(f"{member} is offline.", extra={"member_id": member.pk})
    if not routing.claim_slot(state.pk, require_online=False):
        raise AgentAtCapacity(
            f"{member} already has {state.capacity} open tickets.",
            extra={"member_id": member.pk, "capacity": state.capacity},
        )
    return True


def transfer_ticket(
    *, actor: Actor, ticket: Ticket, group_id: int | None = None, member_id: int | None = None
) -> Ticket:
    """To a member (they help; the owner stays) or to another group's queue."""
    require(actor, "desk.write")
    if (group_id is None) == (member_id is None):
        raise ValidationFailed("Name a group or a member to transfer to.")
    if member_id is not None:
        return assign_ticket(actor=actor, ticket=ticket, member_id=member_id)
    assert group_id is not None
    group = scoped(SkillGroup, actor.merchant).filter(pk=group_id).first()
    if group is None:
        raise NotFound("No such group.", extra={"field": "group_id"})
    with transaction.atomic():
        locked = lock(ticket)
        _require_live(locked)
        previous = _unassign(locked)
        locked.group = group
        locked.save(update_fields=["group", "assignee", "holds_slot", "updated_at"])
        record_event(actor=actor, subject=locked, kind="transferred", data={"group": group.code})
        notify.ticket_event(notify.CHANGED, locked)
        _route_to_agent(actor, locked, exclude_member_id=previous)
    if previous is not None:
        transaction.on_commit(lambda: refill(actor=actor, member_id=previous))
    return locked


def refill(*, actor: Actor, member_id: int) -> int:
    """Give a member with free capacity the most urgent waiting tickets of their groups."""
    from aftercare.tickets.models import AgentState

    state = AgentState.objects.filter(member_id=member_id).select_related("member").first()
    if state is None or state.presence != Presence.ONLINE:
        return 0
    given = 0
    for queued in routing.queued_tickets(state, max(0, state.capacity - state.open_count)):
        with transaction.atomic():
            locked = lock(queued)
            if locked.assignee_id is not None or locked.status not in LIVE:
                continue
            if not routing.claim_slot(state.pk):
                break
            _give(actor, locked, state.member, holds_slot=True, how="routed")
            given += 1
    return given


# --- Escalation -------------------------------------------------------------------------------


def escalate_ticket(*, actor: Actor, ticket: Ticket, reason: str = "", breach: str = "") -> Ticket:
    """Raise the ticket (priority up, to the top of every queue) and tell the supervisor of its
    group. Called by an agent, or by the SLA task on a breach."""
    require(actor, "desk.write")
    with transaction.atomic():
        locked = lock(ticket)
        _require_live(locked)
        _escalate(actor, locked, reason=reason, breach=breach)
    return locked


def _escalate(actor: Actor, ticket: Ticket, *, reason: str, breach: str) -> None:
    ticket.escalated_at = ticket.escalated_at or timezone.now()
    ticket.priority = raised(ticket.priority)
    ticket.save(update_fields=["escalated_at", "priority", "breached", "updated_at"])
    supervisors = supervisor_user_ids(ticket)
    record_event(
        actor=actor,
        subject=ticket,
        kind="escalated",
        reason=reason,
        data={"breach": breach, "priority": ticket.priority, "to": supervisors},
    )
    notify.ticket_event(notify.ESCALATED, ticket, user_ids=supervisors, breach=breach)


def supervisor_user_ids(ticket: Ticket) -> list[int]:
    """The group's supervisor; without one, every supervisor of the merchant."""
    group = ticket.group
    if group is not None and group.supervisor_id is not None:
        return list(Member.objects.filter(pk=group.supervisor_id).values_list("user_id", flat=True))
    return list(
        Member.objects.filter(merchant_id=ticket.merchant_id, role="supervisor").values_list(
            "user_id", flat=True
        )
    )


# --- Status, responses and the clocks --------------------------------------------------------


def _move(actor: Actor, locked: Ticket, to: str, *, reason: str = "", **changes: Any) -> Ticket:
    fields = {name: getattr(locked, name) for name in CLOCK_FIELDS}
    fields.update(holds_slot=locked.holds_slot, assignee=locked.assignee, **changes)
    moved = transition(locked, to=to, table=TRANSITIONS, actor=actor, reason=reason, changes=fields)
    notify.ticket_event(notify.CHANGED, moved)
    return moved


def _check_move(ticket: Ticket, to: str) -> None:
    from aftercare.core.errors import InvalidTransition

    if to not in TRANSITIONS.get(TicketStatus(ticket.status), frozenset()):
        raise InvalidTransition(
            f"Cannot go from {ticket.status!r} to {to!r}.",
            extra={"from": ticket.status, "to": to},
        )


def set_status(*, actor: Actor, ticket: Ticket, status: str, reason: str = "") -> Ticket:
    """Open, wait on the customer (clocks pause) or resolve (clocks stop, hit/miss recorded)."""
    require(actor, "desk.write")
    if status not in SETTABLE:
        raise ValidationFailed(
            f"Status {status!r} cannot be set here.", errors=[{"loc": ["status"]}]
        )
    with transaction.atomic():
        locked = lock(ticket)
        _check_move(locked, status)
        now = timezone.now()
        clocks = Clocks.of(locked)
        was = locked.status
        if was == TicketStatus.WAITING_CUSTOMER:
            clocks.resume(locked, now)
        if status == TicketStatus.WAITING_CUSTOMER:
            clocks.pause(locked, now)
        elif status == TicketStatus.RESOLVED:
            _stop_all(clocks, locked, now)
            _unassign_keep_person(locked)
        elif was == TicketStatus.RESOLVED:
            clocks.start(locked, ClockKind.RESOLUTION, now)
            _reclaim(actor, locked)
        return _move(actor, locked, status, reason=reason)


def _stop_all(clocks: Clocks, ticket: Ticket, now: Any, *, record: bool = True) -> None:
    for kind in ClockKind.values:
        clocks.stop(ticket, kind, now, record=record)


def _unassign_keep_person(ticket: Ticket) -> None:
    # A resolved ticket is no longer open work: its slot is free, the assignee stays on it.
    if ticket.holds_slot and ticket.assignee_id is not None:
        routing.release_slot(ticket.assignee_id)
    ticket.holds_slot = False


def _reclaim(actor: Actor, ticket: Ticket) -> None:
    """A reopened ticket takes a slot of its assignee again, or goes back to the queue."""
    member = ticket.assignee
    if member is None or member.role not in routing.DESK_ROLES:
        return
    state = routing.state_of(member.pk, ticket.merchant_id)
    if routing.claim_slot(state.pk, require_online=False):
        ticket.holds_slot = True
        return
    ticket.assignee = None
    if ticket.group is not None:
        state_found = routing.take_agent(ticket.group)
        if state_found is not None:
            ticket.assignee, ticket.holds_slot = state_found.member, True


def record_response(*, actor: Actor, ticket: Ticket) -> Ticket:
    """The customer was answered (a reply in the conversation, a call): the first-response and
    next-response clocks stop and a new ticket becomes open."""
    require(actor, "desk.write")
    with transaction.atomic():
        locked = lock(ticket)
        _require_live(locked)
        now = timezone.now()
        clocks = Clocks.of(locked)
        if locked.first_responded_at is None:
            locked.first_responded_at = now
        clocks.stop(locked, ClockKind.FIRST_RESPONSE, now)
        clocks.stop(locked, ClockKind.NEXT_RESPONSE, now)
        if locked.status == TicketStatus.NEW:
            return _move(actor, locked, TicketStatus.OPEN, reason="responded")
        locked.save(update_fields=[*CLOCK_FIELDS, "updated_at"])
        record_event(actor=actor, subject=locked, kind="responded")
        notify.ticket_event(notify.CHANGED, locked)
    return locked


def record_customer_message(*, actor: Actor, ticket: Ticket) -> Ticket:
    """The customer wrote again: a waiting ticket reopens (clocks resume) and, once answered
    before, the next-response clock starts."""
    with transaction.atomic():
        locked = lock(ticket)
        if locked.status in (TicketStatus.CLOSED, TicketStatus.MERGED):
            return locked
        now = timezone.now()
        clocks = Clocks.of(locked)
        if locked.status == TicketStatus.WAITING_CUSTOMER:
            clocks.resume(locked, now)
        if locked.first_responded_at is not None and locked.next_response_due_at is None:
            clocks.start(locked, ClockKind.NEXT_RESPONSE, now)
        if locked.status in (TicketStatus.WAITING_CUSTOMER, TicketStatus.RESOLVED):
            if locked.status == TicketStatus.RESOLVED:
                clocks.start(locked, ClockKind.RESOLUTION, now)
                _reclaim(actor, locked)
            return _move(actor, locked, TicketStatus.OPEN, reason="customer wrote")
        locked.save(update_fields=[*CLOCK_FIELDS, "updated_at"])
        record_event(actor=actor, subject=locked, kind="customer_message")
        notify.ticket_event(notify.CHANGED, locked)
    return locked


def close_ticket(*, actor: Actor, ticket: Ticket, resolution_code: str, note: str = "") -> Ticket:
    require(actor, "desk.write")
    if resolution_code not in ResolutionCode.values:
        raise ValidationFailed(
            "Choose a resolution code.",
            errors=[{"loc": ["resolution_code"], "allowed": ResolutionCode.values}],
        )
    with transaction.atomic():
        locked = lock(ticket)
        _check_move(locked, TicketStatus.CLOSED)
        now = timezone.now()
        _stop_all(Clocks.of(locked), locked, now)
        locked.paused_remaining = {}
        freed = locked.assignee_id if locked.holds_slot else None
        _unassign_keep_person(locked)
        closed = _move(
            actor,
            locked,
            TicketStatus.CLOSED,
            reason=note,
            resolution_code=resolution_code,
            resolution_note=note,
            closed_at=now,
        )
    if freed is not None:
        refill(actor=actor, member_id=freed)
    return closed


def merge_tickets(*, actor: Actor, ticket: Ticket, into_id: int) -> Ticket:
    """Close a duplicate into the ticket that stays; its clocks stop without an outcome (the
    kept ticket's clocks are the ones that count)."""
    require(actor, "desk.write")
    target = scoped(Ticket, actor.merchant).filter(pk=into_id).first()
    if target is None:
        raise NotFound("No such ticket to merge into.", extra={"field": "into_id"})
    if target.pk == ticket.pk:
        raise InvalidMerge("A ticket cannot be merged into itself.")
    with transaction.atomic():
        first, second = sorted([ticket.pk, target.pk])
        locks = {first: lock(first), second: lock(second)}
        dup, kept = locks[ticket.pk], locks[target.pk]
        if kept.status not in LIVE:
            raise InvalidMerge(f"{kept} is {kept.status}; merge into a live ticket.")
        _check_move(dup, TicketStatus.MERGED)
        _stop_all(Clocks.of(dup), dup, timezone.now(), record=False)
        dup.paused_remaining = {}
        freed = dup.assignee_id if dup.holds_slot else None
        _unassign_keep_person(dup)
        dup.follow_ups.filter(done_at__isnull=True).update(ticket=kept)
        record_event(actor=actor, subject=kept, kind="merged_in", data={"from": dup.number})
        merged = _move(actor, dup, TicketStatus.MERGED, merged_into=kept)
    if freed is not None:
        refill(actor=actor, member_id=freed)
    return merged
