"""Agent presence and capacity (S4): online agents take new tickets, away agents keep theirs
but get no new ones, and an agent who goes offline hands every open ticket back to routing.
"""

from __future__ import annotations

from django.db import transaction
from django.utils import timezone

from aftercare.core.actors import Actor
from aftercare.core.api import require
from aftercare.core.audit import record_event
from aftercare.core.errors import ValidationFailed
from aftercare.tickets import actions, notify, routing
from aftercare.tickets.models import AgentState, Ticket
from aftercare.tickets.states import LIVE, Presence

MAX_CAPACITY = 200


def set_presence(
    *,
    actor: Actor,
    member_id: int,
    presence: str,
    capacity: int | None = None,
    group_ids: list[int] | None = None,
) -> AgentState:
    """An agent sets their own presence; changing someone else's, their capacity or their
    groups needs desk.supervise."""
    require(actor, "desk.write")
    member = actions._member(actor, member_id)
    if member.user_id != actor.user_id or capacity is not None or group_ids is not None:
        require(actor, "desk.supervise")
    if presence not in Presence.values:
        raise ValidationFailed(f"Unknown presence {presence!r}.", errors=[{"loc": ["presence"]}])
    if capacity is not None and not 0 <= capacity <= MAX_CAPACITY:
        raise ValidationFailed("Capacity is 0 to 200.", errors=[{"loc": ["capacity"]}])
    with transaction.atomic():
        routing.state_of(member.pk, actor.merchant_id)
        state = AgentState.objects.select_for_update().get(member_id=member.pk)
        before = state.presence
        state.presence = presence
        state.presence_changed_at = timezone.now()
        if capacity is not None:
            state.capacity = max(capacity, 0)
        if group_ids is not None:
            _set_groups(actor, state, group_ids)
        state.save()
        record_event(
            actor=actor,
            subject=member,
            kind="presence",
            data={"from": before, "to": presence, "capacity": state.capacity},
        )
        notify.presence_event(actor.merchant_id, member_id=member.pk, presence=presence)
    # After the commit no routing can claim the agent's slots any more; the tickets then move
    # one by one, each locked before the agent's row like everywhere else (no deadlock).
    if presence == Presence.OFFLINE:
        hand_back(actor=actor, member_id=member.pk)
    if presence == Presence.ONLINE:
        actions.refill(actor=actor, member_id=member.pk)
    state.refresh_from_db()
    return state


def _set_groups(actor: Actor, state: AgentState, group_ids: list[int]) -> None:
    from aftercare.merchants.queries import scoped
    from aftercare.tickets.models import SkillGroup

    groups = list(scoped(SkillGroup, actor.merchant).filter(pk__in=group_ids))
    if len(groups) != len(set(group_ids)):
        raise ValidationFailed("Unknown group.", errors=[{"loc": ["group_ids"]}])
    state.groups.set(groups)


def hand_back(*, actor: Actor, member_id: int) -> int:
    """Re-route every open ticket the member holds a slot for; returns how many moved."""
    held = Ticket.objects.filter(
        merchant_id=actor.merchant_id, assignee_id=member_id, holds_slot=True, status__in=LIVE
    ).values_list("pk", flat=True)
    moved = 0
    for ticket_id in list(held):
        with transaction.atomic():
            locked = actions.lock(ticket_id)
            if locked.assignee_id != member_id or not locked.holds_slot:
                continue
            actions._unassign(locked)
            if locked.owner_id == member_id:
                locked.owner = None  # the work moves, and so does its ownership
            locked.save(update_fields=["assignee", "holds_slot", "owner", "updated_at"])
            record_event(actor=actor, subject=locked, kind="unassigned", reason="agent offline")
            actions._route_to_agent(actor, locked, exclude_member_id=member_id)
            moved += 1
    return moved
