"""Live events of conversations, sent after commit (architecture rule 5).

Two audiences: the merchant's consoles (the realtime feed group) and the one customer whose
web chat shows the conversation (its own group, see consumers.py). Notes never reach the
customer's group.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from asgiref.sync import async_to_sync
from channels.layers import get_channel_layer
from django.db import transaction

from aftercare.conversations.chat import visitor_group
from aftercare.conversations.models import Conversation, Message
from aftercare.conversations.states import Channel, Direction
from aftercare.realtime.broadcast import broadcast_on_commit


def message_payload(message: Message) -> dict[str, Any]:
    return {
        "id": message.pk,
        "conversation_id": message.conversation_id,
        "direction": message.direction,
        "author_kind": message.author_kind,
        "author_name": message.author_name,
        "body": message.body,
        "delivery_state": message.delivery_state,
        "created_at": message.created_at.isoformat(),
    }


def _to_chat_on_commit(conversation: Conversation, payload: dict[str, Any]) -> None:
    if conversation.channel != Channel.WEB_CHAT:
        return
    group = visitor_group(conversation.merchant_id, conversation.contact)

    def send() -> None:
        layer = get_channel_layer()
        if layer is not None:
            async_to_sync(layer.group_send)(group, {"type": "chat.event", "payload": payload})

    transaction.on_commit(send)


def message_added(conversation: Conversation, message: Message) -> None:
    data = message_payload(message)
    data["channel"] = conversation.channel
    broadcast_on_commit(
        merchant_id=conversation.merchant_id, kind="conversation.message", data=data
    )
    if message.direction != Direction.NOTE:
        _to_chat_on_commit(conversation, {"kind": "message", "data": message_payload(message)})


def conversation_changed(conversation: Conversation) -> None:
    broadcast_on_commit(
        merchant_id=conversation.merchant_id,
        kind="conversation.changed",
        data={
            "conversation_id": conversation.pk,
            "status": conversation.status,
            "assignee_id": conversation.assignee_id,
        },
    )


def read(conversation: Conversation, *, side: str, at: datetime) -> None:
    payload = {"conversation_id": conversation.pk, "side": side, "at": at.isoformat()}
    broadcast_on_commit(
        merchant_id=conversation.merchant_id, kind="conversation.read", data=payload
    )
    _to_chat_on_commit(conversation, {"kind": "read", "data": payload})


def typing(conversation: Conversation, *, side: str) -> None:
    payload = {"conversation_id": conversation.pk, "side": side}
    broadcast_on_commit(
        merchant_id=conversation.merchant_id, kind="conversation.typing", data=payload
    )
    if side == "agent":
        _to_chat_on_commit(conversation, {"kind": "typing", "data": payload})
