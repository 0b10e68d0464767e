"""broadcast_on_commit: push a live update to a merchant's consoles after the commit."""

from __future__ import annotations

from typing import Any

from asgiref.sync import async_to_sync
from channels.layers import get_channel_layer
from django.db import transaction

from aftercare.realtime.consumers import merchant_group


def broadcast_on_commit(*, merchant_id: int, kind: str, data: dict[str, Any]) -> None:
    """Send {kind, data} to every console of the merchant once the transaction commits.

    A rolled-back change is never announced, and no network call happens inside the
    transaction (architecture rule 5).
    """

    def send() -> None:
        layer = get_channel_layer()
        if layer is None:
            return
        async_to_sync(layer.group_send)(
            merchant_group(merchant_id),
            {"type": "feed.event", "payload": {"kind": kind, "data": data}},
        )

    transaction.on_commit(send)
