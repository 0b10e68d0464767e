"""Marketplace messages (Tmall, JD, Douyin, Amazon... buyer-seller chats) behind one Protocol.

A connector lives in `aftercare/integrations/<provider>/` and implements `MessagingChannel`;
its app registers it explicitly (like outbox handlers) from AppConfig.ready():

    from aftercare.conversations.marketplace import register_connector
    register_connector(TmallMessages())

A task calls `pull(merchant, connector)` on the connector's schedule (or its webhook handler
calls `receive(...)` with one message); replies go out through the outbox topic
`conversations.marketplace.send`, whose handler calls the connector's `send` after commit.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Protocol

from aftercare.conversations.actions import Incoming, receive_message, set_delivery_state
from aftercare.conversations.models import Message
from aftercare.conversations.states import Channel, DeliveryState
from aftercare.core.errors import ExternalServiceError
from aftercare.core.outbox_models import OutboxMessage
from aftercare.merchants.models import Merchant


@dataclass(frozen=True)
class MarketplaceMessage:
    thread_id: str
    message_id: str
    buyer_id: str
    body: str
    buyer_name: str = ""
    sent_at: datetime | None = None
    # The order the marketplace says the chat is about, linked like one named in the text.
    order_number: str = ""
    attachments: list[tuple[str, str, bytes]] = field(default_factory=list)


class MessagingChannel(Protocol):
    """What a marketplace connector provides. Errors are ExternalServiceError with `permanent`
    telling whether a retry can help."""

    name: str  # "tmall", "jd", ...: part of thread and message keys, so stable forever

    def fetch_new(
        self, *, merchant: Merchant, since: datetime | None
    ) -> Iterable[MarketplaceMessage]:
        """Messages from buyers since `since` (None: whatever the connector keeps)."""
        ...

    def send(self, *, merchant: Merchant, thread_id: str, body: str, idempotency_key: str) -> str:
        """Post a reply into the thread; return the marketplace's message id. Must honour
        `idempotency_key` (or check the thread) so a retried send does not post twice."""
        ...


_CONNECTORS: dict[str, MessagingChannel] = {}


def register_connector(connector: MessagingChannel) -> None:
    _CONNECTORS[connector.name] = connector


def connector_for(name: str) -> MessagingChannel | None:
    return _CONNECTORS.get(name)


def receive(merchant: Merchant, connector_name: str, message: MarketplaceMessage) -> Message:
    incoming = Incoming(
        channel=Channel.MARKETPLACE,
        contact=f"{connector_name}:{message.buyer_id}",
        contact_name=message.buyer_name,
        body=message.body,
        external_id=f"{connector_name}:{message.message_id}",
        thread_key=f"{connector_name}:{message.thread_id}",
        meta={"marketplace": connector_name, "thread_id": message.thread_id},
        attachments=list(message.attachments),
        named_orders=[message.order_number] if message.order_number else [],
    )
    stored, _ = receive_message(merchant=merchant, incoming=incoming)
    return stored


def pull(merchant: Merchant, connector: MessagingChannel, since: datetime | None) -> int:
    """Store what the connector has (duplicates are skipped by message id); returns how many
    it handed over."""
    count = 0
    for message in connector.fetch_new(merchant=merchant, since=since):
        receive(merchant, connector.name, message)
        count += 1
    return count


def send_marketplace_reply(outbox: OutboxMessage) -> dict[str, Any] | None:
    """Outbox handler: post an agent's reply through the conversation's connector."""
    message = Message.objects.select_related("conversation", "merchant").get(
        pk=outbox.payload["message_id"], merchant_id=outbox.merchant_id
    )
    if message.delivery_state != DeliveryState.QUEUED:
        return {"skipped": message.delivery_state}
    thread = message.conversation.thread_key
    name, _, thread_id = thread.partition(":")
    connector = connector_for(name)
    if connector is None:
        set_delivery_state(
            message_id=message.pk, state=DeliveryState.FAILED, error=f"no connector {name!r}"
        )
        raise ExternalServiceError(
            f"No marketplace connector {name!r} is installed.", permanent=True
        )
    external_id = connector.send(
        merchant=message.merchant,
        thread_id=thread_id,
        body=message.body,
        idempotency_key=f"conversation-message:{message.pk}",
    )
    Message.objects.filter(pk=message.pk, external_id="").update(
        external_id=f"{name}:{external_id}"
    )
    set_delivery_state(message_id=message.pk, state=DeliveryState.SENT)
    return {"external_id": external_id}
