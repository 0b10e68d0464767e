"""Tickets opened from a case, a conversation, a call and a logistics anomaly."""

from __future__ import annotations

from aftercare.commerce.tests.factories import OrderFactory
from aftercare.conversations.models import Conversation
from aftercare.core.actors import Actor
from aftercare.merchants.models import Merchant
from aftercare.tickets import sources
from aftercare.tickets.states import Priority, TicketSource
from aftercare.tickets.tests.conftest import make_case


def test_a_case_ticket_is_linked_and_reused(desk: Merchant, system_actor: Actor) -> None:
    case = make_case(desk)

    first = sources.ticket_for_case(actor=system_actor, case=case)
    again = sources.ticket_for_case(actor=system_actor, case=case)

    assert first.pk == again.pk and first.source == TicketSource.CASE
    assert first.group is not None and first.group.code == "refunds"  # reason: size


def test_an_angry_complaint_conversation(desk: Merchant, system_actor: Actor) -> None:
    conversation = Conversation.objects.create(
        merchant=desk, channel="email", intent="complaint", subject="Going to 12315"
    )

    ticket = sources.ticket_for_conversation(
        actor=system_actor, conversation=conversation, urgency_flags=["threat_authority", "anger"]
    )

    assert ticket.conversation_id == conversation.pk
    assert ticket.group is not None and ticket.group.code == "supervisors"
    assert ticket.priority == Priority.URGENT


def test_anomaly_and_call(desk: Merchant, system_actor: Actor) -> None:
    order = OrderFactory(merchant=desk)

    anomaly = sources.ticket_for_anomaly(
        actor=system_actor, anomaly_ref="AN-1", subject="Parcel stuck 5 days", order_id=order.pk
    )
    call = sources.ticket_for_call(
        actor=system_actor, call_ref="CALL-9", subject="Call back", customer_id=order.customer_id
    )

    assert anomaly.group is not None and anomaly.group.code == "logistics"
    assert anomaly.customer_id == order.customer_id and anomaly.external_ref == "AN-1"
    assert call.source == TicketSource.CALL and call.group is not None
