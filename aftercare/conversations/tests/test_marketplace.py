"""Marketplace messages through the MessagingChannel Protocol: threads, links, replies."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

import pytest

from aftercare.conversations import actions, marketplace
from aftercare.conversations.marketplace import MarketplaceMessage
from aftercare.conversations.models import Conversation, Message
from aftercare.conversations.states import DeliveryState
from aftercare.conversations.tests.factories import buyer
from aftercare.core.outbox import deliver_outbox_message
from aftercare.core.outbox_models import OutboxMessage
from aftercare.merchants.models import Merchant

pytestmark = pytest.mark.django_db(transaction=True)


class FakeMall:
    """A connector as a marketplace integration would write one, with its own memory."""

    name = "fakemall"

    def __init__(self, inbox: list[MarketplaceMessage]) -> None:
        self.inbox = inbox
        self.sent: dict[str, str] = {}

    def fetch_new(
        self, *, merchant: Merchant, since: datetime | None
    ) -> Iterable[MarketplaceMessage]:
        return list(self.inbox)

    def send(self, *, merchant: Merchant, thread_id: str, body: str, idempotency_key: str) -> str:
        self.sent.setdefault(idempotency_key, f"{thread_id}:{body}")
        return f"out-{len(self.sent)}"


def test_a_marketplace_thread_is_one_conversation_linked_to_its_order(merchant, store):
    known = buyer(merchant, store)
    mall = FakeMall(
        [
            MarketplaceMessage(
                "T1", "M1", "buyer-9", "size too small", order_number=known.order.external_id
            ),
            MarketplaceMessage("T1", "M2", "buyer-9", "can I exchange?"),
        ]
    )

    handed = marketplace.pull(merchant, mall, since=None)
    marketplace.pull(merchant, mall, since=None)  # a second pull stores nothing new

    assert handed == 2
    conversation = Conversation.objects.get()
    assert conversation.messages.count() == 2
    assert conversation.customer == known.customer
    assert conversation.links.filter(order=known.order).exists()


def test_a_reply_goes_out_through_the_connector_once(merchant, agent_actor):
    mall = FakeMall([MarketplaceMessage("T7", "M7", "buyer-7", "hello?")])
    marketplace.register_connector(mall)
    marketplace.pull(merchant, mall, since=None)

    reply = actions.reply(actor=agent_actor, conversation=Conversation.objects.get(), body="Hi!")
    outbox = OutboxMessage.objects.get(topic="conversations.marketplace.send")
    deliver_outbox_message(outbox.pk, worker_id="t")
    deliver_outbox_message(outbox.pk, worker_id="t")

    assert mall.sent == {f"conversation-message:{reply.pk}": "T7:Hi!"}
    stored = Message.objects.get(pk=reply.pk)
    assert stored.delivery_state == DeliveryState.SENT
    assert stored.external_id == "fakemall:out-1"
