"""Live updates of tickets on the merchant's consoles (realtime feed, after commit).

The feed is one group per merchant; messages meant for particular people (an assignment, a
mention, a reminder, an escalation) name their user ids and the console shows a toast only
to them. Everyone's queue refreshes on any ticket event.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from aftercare.realtime.broadcast import broadcast_on_commit
from aftercare.tickets.models import Ticket

ASSIGNED = "ticket.assigned"
CHANGED = "ticket.changed"
CREATED = "ticket.created"
MENTIONED = "ticket.mentioned"
REMINDER = "ticket.sla_reminder"
ESCALATED = "ticket.escalated"
FOLLOW_UP = "ticket.follow_up"
PRESENCE = "agent.presence"


def ticket_event(
    kind: str, ticket: Ticket, *, user_ids: Iterable[int | None] = (), **extra: Any
) -> None:
    data = {
        "ticket_id": ticket.pk,
        "number": ticket.number,
        "subject": ticket.subject,
        "status": ticket.status,
        "priority": ticket.priority,
        "next_due_at": ticket.next_due_at.isoformat() if ticket.next_due_at else None,
        "user_ids": sorted({uid for uid in user_ids if uid is not None}),
        **extra,
    }
    broadcast_on_commit(merchant_id=ticket.merchant_id, kind=kind, data=data)


def presence_event(merchant_id: int, *, member_id: int, presence: str) -> None:
    broadcast_on_commit(
        merchant_id=merchant_id,
        kind=PRESENCE,
        data={"member_id": member_id, "presence": presence, "user_ids": []},
    )
