"""Reads of conversations, always scoped to one merchant. Another merchant's conversation is
a 404, the same as a missing one."""

from __future__ import annotations

from typing import Any

from django.db.models import Exists, OuterRef, Prefetch, QuerySet
from django.utils import timezone

from aftercare.conversations.models import Conversation, Message
from aftercare.conversations.states import Direction
from aftercare.core.actors import Actor
from aftercare.core.errors import NotFound
from aftercare.merchants.models import Member, Merchant
from aftercare.merchants.queries import scoped


def inbox(
    actor: Actor,
    *,
    status: str = "",
    channel: str = "",
    intent: str = "",
    assignee: str = "",
    queue: str = "",
    customer_id: int | None = None,
) -> QuerySet[Conversation]:
    """The inbox across channels, newest activity first, with the filters of the console.
    `queue`: "my_groups" (a live ticket in one of the actor's skill groups) or "overdue" (a
    live ticket past its nearest SLA deadline)."""
    rows = (
        scoped(Conversation, actor.merchant)
        .select_related("customer", "assignee")
        .order_by("-last_message_at", "-id")
    )
    if status:
        rows = rows.filter(status=status)
    if channel:
        rows = rows.filter(channel=channel)
    if intent:
        rows = rows.filter(intent=intent)
    if customer_id is not None:
        rows = rows.filter(customer_id=customer_id)
    if assignee == "unassigned":
        rows = rows.filter(assignee__isnull=True)
    elif assignee == "me":
        member = member_of(actor)
        rows = rows.filter(assignee=member) if member else rows.none()
    elif assignee.isdigit():
        rows = rows.filter(assignee_id=int(assignee))
    if queue:
        rows = rows.filter(Exists(_live_tickets(actor, queue)))
    return rows


def _live_tickets(actor: Actor, queue: str) -> QuerySet[Any]:
    from aftercare.tickets.models import Ticket
    from aftercare.tickets.states import LIVE

    tickets = Ticket.objects.filter(conversation_id=OuterRef("pk"), status__in=LIVE)
    if queue == "overdue":
        return tickets.filter(next_due_at__lt=timezone.now())
    member = member_of(actor)
    groups = member.agent_state.groups.all() if member and hasattr(member, "agent_state") else []
    return tickets.filter(group__in=groups)


def member_of(actor: Actor) -> Member | None:
    if actor.user is None:
        return None
    return scoped(Member, actor.merchant).filter(user=actor.user).first()


def get_conversation(merchant: Merchant | int, conversation_id: int) -> Conversation:
    found = (
        scoped(Conversation, merchant)
        .select_related("customer", "assignee", "merchant")
        .filter(pk=conversation_id)
        .first()
    )
    if found is None:
        raise NotFound("No such conversation.")
    return found


def conversation_detail(merchant: Merchant | int, conversation_id: int) -> Conversation:
    """A conversation with its messages (and their attachments) and links: three queries."""
    found = (
        scoped(Conversation, merchant)
        .select_related("customer", "assignee")
        .prefetch_related(
            Prefetch(
                "messages",
                queryset=Message.objects.order_by("created_at", "id").prefetch_related(
                    "attachments"
                ),
            ),
            "links",
        )
        .filter(pk=conversation_id)
        .first()
    )
    if found is None:
        raise NotFound("No such conversation.")
    return found


def customer_messages_after(conversation: Conversation, after_id: int) -> list[Message]:
    """What the customer's chat shows: every message but internal notes."""
    return list(
        conversation.messages.exclude(direction=Direction.NOTE)
        .filter(pk__gt=after_id)
        .order_by("id")
    )
