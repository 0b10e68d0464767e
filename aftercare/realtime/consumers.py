"""Channels consumers: authenticate, join the merchant's group, relay what is broadcast."""

from __future__ import annotations

from typing import Any

from channels.db import database_sync_to_async
from channels.generic.websocket import AsyncJsonWebsocketConsumer


def merchant_group(merchant_id: int) -> str:
    return f"merchant.{merchant_id}"


class MerchantFeedConsumer(AsyncJsonWebsocketConsumer):
    """Live updates for the agent console: one group per merchant."""

    group: str | None = None

    async def connect(self) -> None:
        user = self.scope.get("user")
        if user is None or not user.is_authenticated:
            await self.close(code=4401)
            return
        merchant_id = await database_sync_to_async(_merchant_id_of)(user)
        if merchant_id is None:
            await self.close(code=4403)
            return
        self.group = merchant_group(merchant_id)
        await self.channel_layer.group_add(self.group, self.channel_name)
        await self.accept()

    async def disconnect(self, code: int) -> None:
        if self.group:
            await self.channel_layer.group_discard(self.group, self.channel_name)

    async def feed_event(self, message: dict[str, Any]) -> None:
        await self.send_json(message["payload"])


def _merchant_id_of(user: Any) -> int | None:
    from aftercare.merchants.queries import membership_for_user

    membership = membership_for_user(user)
    return membership.merchant_id if membership else None
