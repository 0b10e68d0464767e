"""What a conversation's messages do to its ticket (S3, R7): explicit follow-ups that the
conversation actions call inside their own transaction, never subscriptions.

- A customer's message opens a ticket for the conversation when it has none that is live or
  resolved (the assistant's flags set its priority, its intent the skill group), or tells the
  existing one the customer wrote (a waiting ticket reopens, the next-response clock starts).
- An agent's reply stops the ticket's first- and next-response clocks.
"""

from __future__ import annotations

from aftercare.conversations.models import Conversation, Message
from aftercare.core.actors import Actor
from aftercare.tickets.models import Ticket
from aftercare.tickets.states import LIVE, TicketStatus


def _ticket_of(conversation: Conversation, *, or_resolved: bool) -> Ticket | None:
    statuses = {*LIVE, TicketStatus.RESOLVED} if or_resolved else set(LIVE)
    return (
        Ticket.objects.filter(conversation_id=conversation.pk, status__in=statuses)
        .order_by("-pk")
        .first()
    )


def after_customer_message(
    conversation: Conversation, message: Message, *, case_id: int | None = None
) -> None:
    from aftercare.tickets.actions import record_customer_message
    from aftercare.tickets.sources import ticket_for_conversation

    customer = Actor.system(conversation.merchant, label="customer")
    ticket = _ticket_of(conversation, or_resolved=True)
    if ticket is not None:
        record_customer_message(actor=customer, ticket=ticket)
        return
    ticket_for_conversation(
        actor=Actor.system(conversation.merchant, label="desk"),
        conversation=conversation,
        urgency_flags=[str(flag) for flag in message.analysis.get("flags", [])],
        case_id=case_id,
    )


def after_agent_reply(actor: Actor, conversation: Conversation) -> None:
    from aftercare.tickets.actions import record_response

    ticket = _ticket_of(conversation, or_resolved=False)
    if ticket is not None:
        record_response(actor=actor, ticket=ticket)
