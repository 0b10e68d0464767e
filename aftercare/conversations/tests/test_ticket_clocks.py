"""A conversation's messages drive its ticket: the customer's first message opens one, later
ones tell it the customer wrote, and an agent's reply stops the response clocks (S3, R7)."""

from __future__ import annotations

import pytest

from aftercare.conversations.actions import Incoming, receive_message, reply
from aftercare.conversations.states import Channel
from aftercare.core.testing import actor_of_member
from aftercare.tickets.defaults import enrol_agents, install_defaults
from aftercare.tickets.models import Ticket

pytestmark = pytest.mark.django_db
PHONE = "+8613800138222"


@pytest.fixture
def staffed(merchant, agent):  # type: ignore[no-untyped-def]
    install_defaults(merchant)
    enrol_agents(merchant)
    return agent


def _sms(merchant, body: str, external_id: str = ""):  # type: ignore[no-untyped-def]
    incoming = Incoming(channel=Channel.SMS, contact=PHONE, body=body, external_id=external_id)
    return receive_message(merchant=merchant, incoming=incoming)[0]


def test_the_first_message_opens_one_routed_ticket(merchant, staffed) -> None:
    first = _sms(merchant, "my kettle leaks, I want a refund", external_id="SM1")
    _sms(merchant, "hello?", external_id="SM2")
    _sms(merchant, "my kettle leaks, I want a refund", external_id="SM1")  # delivered again

    ticket = Ticket.objects.get()
    assert ticket.conversation_id == first.conversation_id
    assert ticket.source == "conversation"
    assert ticket.assignee_id == staffed.pk
    assert ticket.first_response_due_at is not None


def test_an_agents_reply_stops_the_first_response_clock(merchant, staffed) -> None:
    message = _sms(merchant, "where is my parcel?")
    ticket = Ticket.objects.get()
    assert ticket.first_responded_at is None

    reply(actor=actor_of_member(staffed), conversation=message.conversation, body="On its way!")

    ticket.refresh_from_db()
    assert ticket.first_responded_at is not None
    assert ticket.first_response_due_at is None
