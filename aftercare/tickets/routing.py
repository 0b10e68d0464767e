"""Routing (S4): which skill group takes a ticket, and which agent in it.

The group comes from the merchant's rules (first match by position; flagged customers to
supervisors, VIPs to their team). The agent is the least-loaded *online* member of the group
with room, the one assigned longest ago first on ties (round-robin).

Capacity is never exceeded, even with many tickets at once and several app servers: an
agent's load is taken with one compare-and-set UPDATE ("open_count + 1 where open_count <
capacity and presence = online"); a routing call that loses the race tries the next agent.
A database CHECK constraint backs the rule.
"""

from __future__ import annotations

from django.db.models import F
from django.utils import timezone

from aftercare.tickets.models import AgentState, RoutingRule, SkillGroup, Ticket
from aftercare.tickets.states import Presence

# How many candidates a routing call tries before leaving the ticket in the group's queue.
CANDIDATES = 25
# Roles that take desk work through routing; others (warehouse, finance) only help.
DESK_ROLES = frozenset({"agent", "supervisor", "admin"})


def pick_group(
    merchant_id: int, *, ticket_type: str, intent: str, tier: str, flagged: bool
) -> SkillGroup | None:
    """The first rule whose every condition holds, else the default group. One query."""
    rules = RoutingRule.objects.filter(merchant_id=merchant_id).select_related("group")
    for rule in rules:
        if rule.ticket_type and rule.ticket_type != ticket_type:
            continue
        if rule.intent and rule.intent != intent:
            continue
        if rule.tier and rule.tier != tier:
            continue
        if rule.flagged and not flagged:
            continue
        return rule.group
    return SkillGroup.objects.filter(merchant_id=merchant_id, is_default=True).first()


def claim_slot(state_id: int, *, require_online: bool = True) -> bool:
    """Take one unit of the agent's capacity; False when full (or not online)."""
    rows = AgentState.objects.filter(pk=state_id, open_count__lt=F("capacity"))
    if require_online:
        rows = rows.filter(presence=Presence.ONLINE)
    else:
        rows = rows.exclude(presence=Presence.OFFLINE)
    updated = rows.update(open_count=F("open_count") + 1, last_assigned_at=timezone.now())
    return updated == 1


def release_slot(member_id: int) -> None:
    AgentState.objects.filter(member_id=member_id, open_count__gt=0).update(
        open_count=F("open_count") - 1
    )


def state_of(member_id: int, merchant_id: int) -> AgentState:
    state, _ = AgentState.objects.get_or_create(
        member_id=member_id, defaults={"merchant_id": merchant_id}
    )
    return state


def candidates(group: SkillGroup) -> list[AgentState]:
    return list(
        AgentState.objects.filter(
            groups=group, presence=Presence.ONLINE, open_count__lt=F("capacity")
        )
        .select_related("member")
        .order_by("open_count", F("last_assigned_at").asc(nulls_first=True), "id")[:CANDIDATES]
    )


def take_agent(group: SkillGroup, *, exclude_member_id: int | None = None) -> AgentState | None:
    """Claim a slot of the least-loaded online agent of the group; None when all are full."""
    for state in candidates(group):
        if state.member_id == exclude_member_id:
            continue
        if claim_slot(state.pk):
            return state
    return None


def queued_tickets(state: AgentState, limit: int) -> list[Ticket]:
    """The most urgent unassigned live tickets of the agent's groups."""
    from aftercare.tickets.queries import urgency_order
    from aftercare.tickets.states import LIVE

    return list(
        Ticket.objects.filter(
            merchant_id=state.merchant_id,
            assignee__isnull=True,
            status__in=LIVE,
            group__in=state.groups.all(),
        ).order_by(*urgency_order())[:limit]
    )
