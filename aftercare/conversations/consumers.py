"""The web-chat widget's WebSocket: ws/chat/?token=<chat token>.

It joins the visitor's own group (chat.visitor_group), so it only ever hears about the
visitor's own conversation: the agent's replies, typing and read state. The visitor sends
messages over HTTP (views_public.chat_messages), which works the same with or without the
socket; over the socket it only says that it is typing.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import parse_qs

from channels.db import database_sync_to_async
from channels.generic.websocket import AsyncJsonWebsocketConsumer

from aftercare.conversations import chat, events
from aftercare.conversations.errors import InvalidChatToken


class ChatConsumer(AsyncJsonWebsocketConsumer):
    group: str | None = None
    session: chat.ChatSession | None = None

    async def connect(self) -> None:
        query = parse_qs(self.scope.get("query_string", b"").decode())
        token = (query.get("token") or [""])[0]
        try:
            self.session = await database_sync_to_async(chat.read_token)(token)
        except InvalidChatToken:
            await self.close(code=4401)
            return
        self.group = self.session.group
        await self.channel_layer.group_add(self.group, self.channel_name)
        await self.accept()

    async def disconnect(self, code: int) -> None:
        if self.group:
            await self.channel_layer.group_discard(self.group, self.channel_name)

    async def receive_json(self, content: Any, **kwargs: Any) -> None:
        if isinstance(content, dict) and content.get("type") == "typing" and self.session:
            await database_sync_to_async(_customer_typing)(self.session)

    async def chat_event(self, message: dict[str, Any]) -> None:
        await self.send_json(message["payload"])


def _customer_typing(session: chat.ChatSession) -> None:
    conversation = chat.current_conversation(session)
    if conversation is not None:
        events.typing(conversation, side="customer")
