"""broadcast_on_commit and the merchant feed: after commit only, to the right merchant only."""

from __future__ import annotations

import asyncio
import json
from typing import Any

import pytest
from asgiref.sync import async_to_sync
from asgiref.testing import ApplicationCommunicator
from channels.db import database_sync_to_async
from channels.layers import get_channel_layer
from django.conf import settings as django_settings
from django.db import transaction
from django.test import Client

from aftercare.realtime.broadcast import broadcast_on_commit
from aftercare.realtime.consumers import merchant_group

IN_MEMORY = {"default": {"BACKEND": "channels.layers.InMemoryChannelLayer"}}


@pytest.fixture
def layer(settings: Any) -> Any:
    settings.CHANNEL_LAYERS = IN_MEMORY  # channels resets its layers when this changes
    return get_channel_layer()


def _member_channel(layer: Any, merchant_id: int) -> str:
    channel = async_to_sync(layer.new_channel)()
    async_to_sync(layer.group_add)(merchant_group(merchant_id), channel)
    return channel


def _receive(layer: Any, channel: str, timeout: float = 0.5) -> dict | None:
    async def receive() -> dict | None:
        try:
            return await asyncio.wait_for(layer.receive(channel), timeout)
        except TimeoutError:
            return None

    return async_to_sync(receive)()


@pytest.mark.django_db(transaction=True)
def test_a_committed_change_reaches_the_merchants_group(layer, merchant) -> None:
    channel = _member_channel(layer, merchant.pk)

    with transaction.atomic():
        broadcast_on_commit(merchant_id=merchant.pk, kind="case.updated", data={"id": 5})
        assert _receive(layer, channel, timeout=0.05) is None  # not before the commit

    message = _receive(layer, channel)
    assert message == {
        "type": "feed.event",
        "payload": {"kind": "case.updated", "data": {"id": 5}},
    }


@pytest.mark.django_db(transaction=True)
def test_a_rolled_back_change_is_never_announced(layer, merchant) -> None:
    channel = _member_channel(layer, merchant.pk)

    with pytest.raises(RuntimeError), transaction.atomic():
        broadcast_on_commit(merchant_id=merchant.pk, kind="case.updated", data={})
        raise RuntimeError

    assert _receive(layer, channel, timeout=0.1) is None


# --- The WebSocket consumer, through the real ASGI application --------------------------------


def _session_headers(user: Any | None) -> list[tuple[bytes, bytes]]:
    headers = [(b"origin", b"http://localhost"), (b"host", b"localhost")]
    if user is not None:
        client = Client()
        client.force_login(user)
        cookie = client.cookies[django_settings.SESSION_COOKIE_NAME].value
        headers.append((b"cookie", f"{django_settings.SESSION_COOKIE_NAME}={cookie}".encode()))
    return headers


class Socket(ApplicationCommunicator):
    """A WebSocket client for an ASGI app.

    channels.testing.WebsocketCommunicator does the same, but importing channels.testing
    needs daphne, which Aftercare does not otherwise use (it serves with uvicorn).
    """

    def __init__(self, headers: list[tuple[bytes, bytes]]) -> None:
        from aftercare.asgi import application

        scope = {
            "type": "websocket",
            "path": "/ws/feed/",
            "raw_path": b"/ws/feed/",
            "query_string": b"",
            "headers": headers,
            "subprotocols": [],
            "client": ["127.0.0.1", 50000],
            "server": ["localhost", 80],
        }
        super().__init__(application, scope)

    async def connect(self) -> tuple[bool, int | None]:
        await self.send_input({"type": "websocket.connect"})
        answer = await self.receive_output(timeout=2)
        if answer["type"] == "websocket.accept":
            return True, None
        return False, answer.get("code")

    async def receive_json(self) -> Any:
        message = await self.receive_output(timeout=2)
        assert message["type"] == "websocket.send", message
        return json.loads(message["text"])

    async def disconnect(self) -> None:
        await self.send_input({"type": "websocket.disconnect", "code": 1000})
        await self.wait(timeout=1)


def _broadcast(merchant_id: int, kind: str) -> None:
    with transaction.atomic():
        broadcast_on_commit(merchant_id=merchant_id, kind=kind, data={"merchant": merchant_id})


@pytest.mark.django_db(transaction=True)
def test_anonymous_websocket_is_refused(layer) -> None:
    headers = _session_headers(None)

    async def scenario() -> tuple[bool, Any]:
        communicator = Socket(headers)
        connected, code = await communicator.connect()
        await communicator.disconnect()
        return connected, code

    connected, code = async_to_sync(scenario)()
    assert connected is False and code == 4401


@pytest.mark.django_db(transaction=True)
def test_user_without_membership_is_refused(layer, django_user_model) -> None:
    user = django_user_model.objects.create_user("outsider", password="x" * 12)

    headers = _session_headers(user)

    async def scenario() -> tuple[bool, Any]:
        communicator = Socket(headers)
        connected, code = await communicator.connect()
        await communicator.disconnect()
        return connected, code

    assert async_to_sync(scenario)() == (False, 4403)


@pytest.mark.django_db(transaction=True)
def test_member_receives_its_own_merchants_broadcasts_only(layer, agent, other_agent) -> None:
    headers = _session_headers(agent.user)

    async def scenario() -> list[dict]:
        communicator = Socket(headers)
        connected, _ = await communicator.connect()
        assert connected
        await database_sync_to_async(_broadcast)(other_agent.merchant_id, "rival.case")
        await database_sync_to_async(_broadcast)(agent.merchant_id, "own.case")
        received = [await communicator.receive_json()]
        assert await communicator.receive_nothing(timeout=0.1)
        await communicator.disconnect()
        return received

    received = async_to_sync(scenario)()
    assert received == [{"kind": "own.case", "data": {"merchant": agent.merchant_id}}]
