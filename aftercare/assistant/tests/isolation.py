"""Tenant isolation case of the bot endpoint (loaded by tests/test_isolation.py; the other
assistant routes keep theirs in tests/test_isolation.py).

Merchant A has a bot conversation under the key B will use, identified with A's order. B
drives the bot with that key, A's order number, the phone on it and A's customer id: B's bot
must find nothing, tell nothing about A, and leave A's conversation as it was.
"""

from __future__ import annotations

import json
from typing import Any

from aftercare.assistant.bot import reply_to
from aftercare.assistant.models import BotSession
from tests.test_isolation import ALPHA_MARKERS, Caller, Case, World, alpha_snapshot

SHARED_KEY = "chat:isolation"


def build(world: World) -> None:
    if not world.store.name.startswith("ALPHA"):
        return
    reply_to(merchant=world.merchant, conversation_key=SHARED_KEY, text="where is my refund?")
    turn = reply_to(
        merchant=world.merchant,
        conversation_key=SHARED_KEY,
        text=f"{world.order.external_id} {world.customer.phone}",
    )
    assert turn.summary["order_id"] == world.order.pk, turn  # A's own bot finds A's order
    world.extra["bot_key"] = SHARED_KEY


def _body(w: World) -> dict[str, Any]:
    return {
        "conversation_key": SHARED_KEY,
        "text": f"where is my refund? order {w.order.external_id} phone {w.customer.phone}",
        "customer_id": w.customer.pk,
    }


def _check_bot(path: str, alpha: World, caller: Caller) -> None:
    before = alpha_snapshot(alpha.merchant)

    response = caller.send("POST", path, _body(alpha))

    assert response.status_code == 200, (caller.name, path, response.content)
    body = response.json()
    summary = body["summary"]
    assert summary["order_id"] is None and summary["customer_id"] is None
    assert summary["case_ids"] == []
    # B's own words come back in B's transcript; everything else must be free of A.
    summary["transcript"] = [t for t in summary["transcript"] if t["role"] != "customer"]
    leaked = ALPHA_MARKERS.search(json.dumps(body, ensure_ascii=False))
    assert leaked is None, f"{caller.name} of B sees {leaked.group()!r}"
    assert alpha_snapshot(alpha.merchant) == before


CASES = {("POST", "/api/v1/assistant/bot"): Case(body=_body, check=_check_bot)}
SNAPSHOT_MODELS = [BotSession]
