"""Reads of tickets, always scoped to one merchant (another merchant's ticket looks missing).

Queues are sorted by SLA urgency: escalated (breached) tickets first, then by the nearest
running deadline, then priority; paused tickets (no running deadline) last.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.db.models import Count, F, OrderBy, Q, QuerySet
from django.utils import timezone

from aftercare.core.errors import NotFound
from aftercare.merchants.models import Member, Merchant
from aftercare.merchants.queries import scoped
from aftercare.tickets.models import AgentState, SkillGroup, Ticket
from aftercare.tickets.states import LIVE, TicketStatus


def urgency_order() -> list[Any]:
    return [
        F("escalated_at").asc(nulls_last=True),
        F("next_due_at").asc(nulls_last=True),
        "priority",
        "created_at",
        "id",
    ]


@dataclass(frozen=True)
class TicketFilters:
    mine: bool = False
    unassigned: bool = False
    group_id: int | None = None
    overdue: bool = False
    status: str | None = None
    priority: int | None = None
    case_id: int | None = None
    customer_id: int | None = None
    include_closed: bool = False


def tickets_of(
    merchant: Merchant | int,
    filters: TicketFilters = TicketFilters(),
    *,
    member_id: int | None = None,
    now: datetime | None = None,
) -> QuerySet[Ticket]:
    rows = scoped(Ticket, merchant).select_related("group", "assignee", "owner", "case")
    if filters.status:
        rows = rows.filter(status=filters.status)
    elif not filters.include_closed:
        rows = rows.filter(status__in=LIVE)
    if filters.mine:
        rows = rows.filter(Q(assignee_id=member_id) | Q(owner_id=member_id))
    if filters.unassigned:
        rows = rows.filter(assignee__isnull=True)
    if filters.group_id is not None:
        rows = rows.filter(group_id=filters.group_id)
    if filters.overdue:
        rows = rows.filter(next_due_at__lt=now or timezone.now())
    if filters.priority is not None:
        rows = rows.filter(priority=filters.priority)
    if filters.case_id is not None:
        rows = rows.filter(case_id=filters.case_id)
    if filters.customer_id is not None:
        rows = rows.filter(customer_id=filters.customer_id)
    return rows.order_by(*urgency_order())


def get_ticket(merchant: Merchant | int, ticket_id: int) -> Ticket:
    ticket = (
        scoped(Ticket, merchant)
        .select_related("group", "assignee", "owner", "case", "customer", "order", "merchant")
        .filter(pk=ticket_id)
        .first()
    )
    if ticket is None:
        raise NotFound("No such ticket.")
    return ticket


def member_id_of(merchant: Merchant | int, user_id: int | None) -> int | None:
    if user_id is None:
        return None
    return scoped(Member, merchant).filter(user_id=user_id).values_list("pk", flat=True).first()


def agent_loads(merchant: Merchant | int) -> list[AgentState]:
    """Every desk member's presence and load for the supervisor view. Two queries."""
    return list(
        scoped(AgentState, merchant)
        .select_related("member", "member__user")
        .prefetch_related("groups")
        .order_by("member__display_name", "id")
    )


def group_queues(merchant: Merchant | int, now: datetime | None = None) -> list[dict[str, Any]]:
    """Per group: live tickets, unassigned, overdue and breached (escalated). One query."""
    now = now or timezone.now()
    live = Q(tickets__status__in=LIVE)
    groups = (
        scoped(SkillGroup, merchant)
        .annotate(
            live=Count("tickets", filter=live),
            unassigned=Count("tickets", filter=live & Q(tickets__assignee__isnull=True)),
            overdue=Count("tickets", filter=live & Q(tickets__next_due_at__lt=now)),
            breached=Count("tickets", filter=live & Q(tickets__escalated_at__isnull=False)),
        )
        .order_by("name")
    )
    return [
        {
            "id": g.pk,
            "code": g.code,
            "name": g.name,
            "live": g.live,
            "unassigned": g.unassigned,
            "overdue": g.overdue,
            "breached": g.breached,
        }
        for g in groups
    ]


def breached_tickets(merchant: Merchant | int, limit: int = 50) -> list[Ticket]:
    return list(
        scoped(Ticket, merchant)
        .filter(status__in=LIVE, escalated_at__isnull=False)
        .select_related("group", "assignee")
        .order_by(OrderBy(F("next_due_at"), nulls_last=True), "id")[:limit]
    )


def open_statuses() -> list[str]:
    return [str(s) for s in LIVE] + [str(TicketStatus.RESOLVED)]
