"""Tickets from where work comes in: a conversation, a case, a phone call, a logistics
anomaly. Thin wrappers over actions.create_ticket that fill the type, intent, urgency and links
the way each source knows them, so every app opens tickets the same way.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from aftercare.core.actors import Actor
from aftercare.tickets.actions import create_ticket
from aftercare.tickets.models import Ticket
from aftercare.tickets.states import TicketSource, TicketType

# Case reasons (policy reason codes) by the team that handles them.
TYPE_OF_REASON = {
    "quality_defect": TicketType.QUALITY,
    "missing_parts": TicketType.QUALITY,
    "not_as_described": TicketType.QUALITY,
    "damaged_in_transit": TicketType.LOGISTICS,
    "late_delivery": TicketType.LOGISTICS,
    "wrong_item": TicketType.LOGISTICS,
}
# The assistant's intents by ticket type.
TYPE_OF_INTENT = {
    "order_status": TicketType.LOGISTICS,
    "change_order": TicketType.LOGISTICS,
    "repair_request": TicketType.QUALITY,
    "return_request": TicketType.REFUND,
    "exchange_request": TicketType.REFUND,
    "refund_request": TicketType.REFUND,
    "case_status": TicketType.REFUND,
    "complaint": TicketType.COMPLAINT,
}


def ticket_for_case(*, actor: Actor, case: Any, subject: str = "") -> Ticket:
    """The case's ticket (its live one if it has one: one case, one clock)."""
    return create_ticket(
        actor=actor,
        subject=subject or f"{case.number or 'Case'}: {case.get_reason_display()}",
        type=TYPE_OF_REASON.get(case.reason, TicketType.REFUND),
        source=TicketSource.CASE,
        case_id=case.pk,
    )


def ticket_for_conversation(
    *,
    actor: Actor,
    conversation: Any,
    urgency_flags: Iterable[str] = (),
    case_id: int | None = None,
) -> Ticket:
    """A conversation that needs follow-up work beyond a reply; the assistant's intent and
    urgency flags set its type, group and priority."""
    intent = conversation.intent or ""
    return create_ticket(
        actor=actor,
        subject=conversation.subject or f"{conversation.get_channel_display()} conversation",
        type=TYPE_OF_INTENT.get(intent, TicketType.GENERAL),
        source=TicketSource.CONVERSATION,
        conversation_id=conversation.pk,
        case_id=case_id,
        intent=intent,
        urgency_flags=urgency_flags,
    )


def ticket_for_call(
    *,
    actor: Actor,
    call_ref: str,
    subject: str,
    customer_id: int | None = None,
    order_id: int | None = None,
    intent: str = "",
) -> Ticket:
    """After-call follow-up work, owned by the agent who took the call when they are the actor."""
    return create_ticket(
        actor=actor,
        subject=subject,
        type=TYPE_OF_INTENT.get(intent, TicketType.GENERAL),
        source=TicketSource.CALL,
        external_ref=call_ref,
        customer_id=customer_id,
        order_id=order_id,
        intent=intent,
    )


def ticket_for_anomaly(*, actor: Actor, anomaly_ref: str, subject: str, order_id: int) -> Ticket:
    """A parcel stuck, lost or returned to sender: work for the logistics team."""
    return create_ticket(
        actor=actor,
        subject=subject,
        type=TicketType.LOGISTICS,
        source=TicketSource.ANOMALY,
        external_ref=anomaly_ref,
        order_id=order_id,
    )
