"""Tenant isolation cases of the conversations API (loaded by tests/test_isolation.py).

Merchant A gets a mailbox, a web-chat conversation of A's customer about A's order (with a
link, a reply and a note) and an email conversation. B names A's conversation in every write
(404, nothing changed), looks A's customer up by each of its identifiers (404), and B's own
calls and emails that name A's phone, mailbox or order land in B's data only.
"""

from __future__ import annotations

from typing import Any

from aftercare.conversations.actions import Incoming, add_note, receive_message
from aftercare.conversations.models import (
    ChannelAddress,
    Conversation,
    ConversationLink,
    Message,
    MessageAttachment,
)
from aftercare.conversations.states import Channel
from aftercare.core.actors import Actor
from aftercare.merchants.queries import scoped
from tests.test_isolation import (
    Caller,
    Case,
    World,
    _expect_404_and_nothing_changed,
    _key_caller,
    alpha_snapshot,
    url_for,
)


def _mailbox(world: World) -> str:
    return f"support@{world.store.code}.example"


def build(world: World) -> None:
    merchant, tag = world.merchant, world.store.name.split()[0]
    ChannelAddress.objects.create(merchant=merchant, channel=Channel.EMAIL, address=_mailbox(world))
    message, _ = receive_message(
        merchant=merchant,
        incoming=Incoming(
            channel=Channel.WEB_CHAT,
            contact=f"visitor-{tag.lower()}",
            contact_name=f"{tag} visitor",
            body=f"Where is order {world.order.external_id}?",
            customer=world.customer,
        ),
    )
    add_note(actor=Actor.system(merchant), conversation=message.conversation, body=f"{tag} note")
    world.extra["conversation"] = message.conversation


OBJECT_IDS = {"conversation_id": lambda w: w.extra["conversation"].pk}

SNAPSHOT_MODELS = [Conversation, Message, ConversationLink, ChannelAddress, MessageAttachment]


def _lookup_check(path: str, alpha: World, caller: Caller) -> None:
    queries = [
        alpha.customer.email,
        alpha.customer.phone,
        alpha.order.external_id,
        alpha.shipment.tracking_number,
        alpha.case.number,
    ]
    own = _key_caller(alpha.merchant)
    for query in queries:
        assert own.send("GET", f"{path}?q={query.replace('+', '%2B')}", None).status_code == 200
        response = caller.send("GET", f"{path}?q={query.replace('+', '%2B')}", None)
        assert response.status_code == 404, (caller.name, query, response.content)


def _own_data_only(check_new: Any) -> Any:
    """B's write succeeds, lands in B's data, and leaves A's rows exactly as they were."""

    def check(path: str, alpha: World, caller: Caller) -> None:
        before = alpha_snapshot(alpha.merchant)
        body = CASES[("POST", path)].body(alpha)

        response = caller.send("POST", path, body)

        assert response.status_code == 201, (caller.name, path, response.content)
        assert alpha_snapshot(alpha.merchant) == before
        conversation = Conversation.objects.get(pk=response.json()["conversation_id"])
        assert conversation.merchant_id != alpha.merchant.pk
        assert conversation.customer is None or conversation.customer.merchant_id != (
            alpha.merchant.pk
        )
        assert (
            not scoped(ConversationLink, conversation.merchant_id)
            .filter(order=alpha.order)
            .exists()
        )
        check_new(conversation)

    return check


def _alpha_email(w: World) -> dict[str, str]:
    raw = (
        f"From: {w.customer.email}\r\nTo: {_mailbox(w)}\r\nSubject: {w.case.number}\r\n"
        f"Message-ID: <isolation-{w.customer.pk}@example.com>\r\n\r\n"
        f"About order {w.order.external_id} and {w.shipment.tracking_number}\r\n"
    )
    return {"raw": raw}


_404 = _expect_404_and_nothing_changed(url_for)
BASE = "/api/v1/conversations/{conversation_id}"

CASES: dict[tuple[str, str], Case] = {
    ("GET", "/api/v1/customers/lookup"): Case(body=lambda w: None, check=_lookup_check),
    ("POST", f"{BASE}/reply"): Case(body=lambda w: {"body": "B reply"}, check=_404),
    ("POST", f"{BASE}/notes"): Case(body=lambda w: {"body": "B note"}, check=_404),
    ("POST", f"{BASE}/assign"): Case(body=lambda w: {"member_id": None}, check=_404),
    ("POST", f"{BASE}/status"): Case(body=lambda w: {"status": "closed"}, check=_404),
    ("POST", f"{BASE}/read"): Case(body=lambda w: {}, check=_404),
    ("POST", "/api/v1/conversations/calls"): Case(
        body=lambda w: {
            "phone": w.customer.phone,
            "direction": "inbound",
            "summary": f"asked about {w.order.external_id}",
            "duration_seconds": 60,
        },
        check=_own_data_only(lambda c: None),
    ),
    ("POST", "/api/v1/conversations/email/inbound"): Case(
        body=_alpha_email, check=_own_data_only(lambda c: None)
    ),
}
