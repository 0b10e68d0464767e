"""The web-chat socket: a visitor hears their own conversation's replies and nobody else's."""

from __future__ import annotations

import json
from typing import Any

import pytest
from asgiref.sync import async_to_sync
from asgiref.testing import ApplicationCommunicator
from channels.layers import get_channel_layer
from django.test import Client

from aftercare.conversations import actions
from aftercare.conversations.chat import issue_token
from aftercare.conversations.consumers import ChatConsumer
from aftercare.conversations.models import Conversation

IN_MEMORY = {"default": {"BACKEND": "channels.layers.InMemoryChannelLayer"}}
pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture(autouse=True)
def layer(settings: Any) -> Any:
    settings.CHANNEL_LAYERS = IN_MEMORY
    return get_channel_layer()


class Socket(ApplicationCommunicator):
    """A WebSocket client for the chat consumer (channels.testing needs daphne, unused here)."""

    def __init__(self, token: str) -> None:
        query = f"token={token}".encode()
        scope = {
            "type": "websocket",
            "path": "/ws/chat/",
            "query_string": query,
            "headers": [],
            "subprotocols": [],
        }
        super().__init__(ChatConsumer.as_asgi(), scope)

    async def connect(self) -> tuple[bool, Any]:
        await self.send_input({"type": "websocket.connect"})
        answer = await self.receive_output(timeout=2)
        if answer["type"] == "websocket.close":
            return False, answer.get("code")
        return True, None

    async def receive_json_from(self, timeout: float = 1) -> Any:
        answer = await self.receive_output(timeout=timeout)
        return json.loads(answer["text"])

    async def disconnect(self) -> None:
        await self.send_input({"type": "websocket.disconnect", "code": 1000})
        await self.wait(timeout=1)


def _send(token: str, body: str) -> None:
    response = Client().post(
        "/desk/chat/messages/",
        json.dumps({"body": body}),
        content_type="application/json",
        HTTP_X_CHAT_TOKEN=token,
    )
    assert response.status_code == 201


def test_the_visitor_hears_the_agents_reply_and_typing_but_not_notes(merchant, agent_actor):
    token, other = issue_token(merchant), issue_token(merchant)
    _send(token, "hello")
    _send(other, "another visitor")
    mine = Conversation.objects.get(messages__body="hello")
    theirs = Conversation.objects.get(messages__body="another visitor")

    async def scenario() -> list[dict]:
        me = Socket(token)
        connected, _ = await me.connect()
        assert connected
        from channels.db import database_sync_to_async

        await database_sync_to_async(actions.add_note)(
            actor=agent_actor, conversation=mine, body="internal"
        )
        await database_sync_to_async(actions.reply)(
            actor=agent_actor, conversation=theirs, body="for the other visitor"
        )
        await database_sync_to_async(actions.reply)(
            actor=agent_actor, conversation=mine, body="hi there"
        )
        received = [await me.receive_json_from(timeout=2)]
        assert await me.receive_nothing(timeout=0.3)
        await me.disconnect()
        return received

    events = async_to_sync(scenario)()

    assert [e["kind"] for e in events] == ["message"]
    assert events[0]["data"]["body"] == "hi there"


def test_a_forged_token_is_closed():
    async def scenario() -> tuple[bool, Any]:
        socket = Socket("forged")
        return await socket.connect()

    connected, code = async_to_sync(scenario)()

    assert not connected
    assert code == 4401
