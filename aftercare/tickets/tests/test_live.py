"""Live updates: ticket events reach the merchant's feed after commit, naming who they are for."""

from __future__ import annotations

import asyncio
from typing import Any

from asgiref.sync import async_to_sync
from channels.layers import get_channel_layer

from aftercare.core.actors import Actor
from aftercare.merchants.models import Merchant
from aftercare.realtime.consumers import merchant_group
from aftercare.tickets import actions, collaboration
from aftercare.tickets.tests.conftest import MakeAgent


def _listen(merchant: Merchant) -> tuple[Any, str]:
    layer = get_channel_layer()
    assert layer is not None
    channel = async_to_sync(layer.new_channel)()
    async_to_sync(layer.group_add)(merchant_group(merchant.pk), channel)
    return layer, channel


async def _drain(layer: Any, channel: str) -> list[dict[str, Any]]:
    # Read in one event loop until the feed is quiet (channels-redis ties reads to a loop).
    payloads = []
    while True:
        try:
            message = await asyncio.wait_for(layer.receive(channel), 1.0)
        except TimeoutError:
            return payloads
        payloads.append(message["payload"])


def test_assignment_and_mention_are_announced_to_the_right_person(
    desk: Merchant,
    make_agent: MakeAgent,
    system_actor: Actor,
    django_capture_on_commit_callbacks: Any,
) -> None:
    agent = make_agent(name="wang.fang")
    layer, channel = _listen(desk)

    with django_capture_on_commit_callbacks(execute=True):
        ticket = actions.create_ticket(actor=system_actor, subject="Broken vase")
    with django_capture_on_commit_callbacks(execute=True):
        collaboration.add_note(actor=system_actor, ticket=ticket, body="@wang.fang photos?")
    received = {m["kind"]: m for m in async_to_sync(_drain)(layer, channel)}

    assigned, mentioned = received["ticket.assigned"], received["ticket.mentioned"]
    assert assigned["kind"] == "ticket.assigned"
    assert assigned["data"]["user_ids"] == [agent.user_id]
    assert assigned["data"]["number"] == ticket.number
    assert mentioned["kind"] == "ticket.mentioned"
    assert mentioned["data"]["user_ids"] == [agent.user_id]
    async_to_sync(layer.group_discard)(merchant_group(desk.pk), channel)


def test_a_rolled_back_ticket_is_never_announced(
    desk: Merchant, system_actor: Actor, django_capture_on_commit_callbacks: Any
) -> None:
    from django.db import transaction

    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        try:
            with transaction.atomic():
                actions.create_ticket(actor=system_actor, subject="Never mind")
                raise RuntimeError("rolled back")
        except RuntimeError:
            pass

    assert callbacks == []
