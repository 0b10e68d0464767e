"""The assistant answers web chat first and hands over to a person with the history (A4, S1).

Driven through the widget's real endpoints (token, send, poll) against the real database,
policy and FAQ; the agent's side is read from the stored conversation, notes and ticket.
"""

from __future__ import annotations

import json

import pytest
from django.core.cache import cache
from django.test import Client

from aftercare.assistant.models import BotSession, BotState
from aftercare.assistant.tests.bot_helpers import case_in, make_shop
from aftercare.conversations import actions, bot_replies
from aftercare.conversations.models import Conversation, Message
from aftercare.conversations.states import AuthorKind, ConversationStatus, Direction
from aftercare.tickets.defaults import install_defaults
from aftercare.tickets.models import Ticket

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _fresh_cache() -> None:
    cache.clear()  # the bot's per-order failure counters live there


@pytest.fixture
def shop(merchant, store):  # type: ignore[no-untyped-def]
    shop = make_shop(merchant, store)
    install_defaults(merchant)
    return shop


def token_for(merchant, customer=None) -> str:  # type: ignore[no-untyped-def]
    from aftercare.conversations.chat import issue_token

    return issue_token(merchant, customer=customer)


def send(token: str, body: str) -> None:
    response = Client().post(
        "/desk/chat/messages/",
        json.dumps({"body": body}),
        content_type="application/json",
        HTTP_X_CHAT_TOKEN=token,
    )
    assert response.status_code == 201, response.content


def seen_by_customer(token: str) -> list[dict]:
    response = Client().get("/desk/chat/messages/?after=0", HTTP_X_CHAT_TOKEN=token)
    assert response.status_code == 200
    return response.json()["messages"]


def bot_said(conversation: Conversation) -> list[str]:
    return list(
        conversation.messages.filter(
            author_kind=AuthorKind.BOT, direction=Direction.OUTBOUND
        ).values_list("body", flat=True)
    )


def test_a_policy_question_is_answered_by_the_assistant_and_opens_no_ticket(shop) -> None:  # type: ignore[no-untyped-def]
    token = token_for(shop.merchant)

    send(token, "How many days do I have to return an item?")

    conversation = Conversation.objects.get()
    said = bot_said(conversation)
    assert said and "7" in said[0]  # the China 7-day policy's window, from the FAQ
    assert [m["body"] for m in seen_by_customer(token)][1:] == said
    assert not Ticket.objects.exists()
    assert conversation.status == ConversationStatus.PENDING
    assert conversation.messages.get(direction=Direction.INBOUND).meta["bot"] is True


def test_asking_for_a_person_hands_over_with_the_transcript_and_opens_a_routed_ticket(shop) -> None:  # type: ignore[no-untyped-def]
    token = token_for(shop.merchant, customer=shop.order.customer)
    case = case_in(shop, "in_transit")

    send(token, "Where is my refund?")
    send(token, "agent")

    conversation = Conversation.objects.get()
    ticket = Ticket.objects.get()
    note = conversation.messages.get(direction=Direction.NOTE)
    assert conversation.status == ConversationStatus.OPEN
    assert ticket.conversation_id == conversation.pk
    assert ticket.intent != "human_agent"  # routed by what the customer needed
    assert ticket.case_id == case.pk  # the case the assistant reported on
    assert conversation.links.filter(case=case).exists()
    assert "Where is my refund?" in note.body and "asked_for_person" in note.body
    assert "colleague" in bot_said(conversation)[-1]
    # From now on a person answers: the assistant stays quiet.
    send(token, "hello? anyone there?")
    assert len(bot_said(conversation)) == 2
    assert Ticket.objects.count() == 1


def test_an_angry_customer_goes_to_a_person_at_once(shop) -> None:  # type: ignore[no-untyped-def]
    token = token_for(shop.merchant)

    send(token, "This is a scam!!! I will report you to 12315 and do a chargeback")

    conversation = Conversation.objects.get()
    session = BotSession.objects.get(conversation_key=bot_replies.bot_key(conversation))
    assert session.state == BotState.HANDED_OVER
    assert Ticket.objects.filter(conversation_id=conversation.pk).exists()
    assert conversation.messages.filter(direction=Direction.NOTE).exists()


def test_an_agent_who_writes_takes_the_conversation_from_the_assistant(shop, agent_actor) -> None:  # type: ignore[no-untyped-def]
    token = token_for(shop.merchant)
    send(token, "hello")
    conversation = Conversation.objects.get()
    greeted = len(bot_said(conversation))

    actions.reply(
        actor=agent_actor, conversation=conversation, body="Hi, Lin here. How can I help?"
    )
    send(token, "How many days do I have to return an item?")

    assert len(bot_said(conversation)) == greeted
    inbound = conversation.messages.filter(direction=Direction.INBOUND).order_by("pk")
    assert "bot" not in inbound.last().meta


def test_with_the_assistant_off_every_message_goes_to_a_person(shop) -> None:  # type: ignore[no-untyped-def]
    shop.merchant.chat_assistant = False
    shop.merchant.save(update_fields=["chat_assistant"])
    token = token_for(shop.merchant)

    send(token, "How many days do I have to return an item?")

    conversation = Conversation.objects.get()
    assert bot_said(conversation) == []
    assert Ticket.objects.filter(conversation_id=conversation.pk).exists()


def test_a_signed_in_customer_gets_the_case_status_and_an_absolute_portal_link(shop) -> None:  # type: ignore[no-untyped-def]
    case = case_in(shop, "refunded")
    token = token_for(shop.merchant, customer=shop.order.customer)

    send(token, "where is my refund?")

    said = "\n".join(bot_said(Conversation.objects.get()))
    assert case.number in said and f"{case.refund_total:.2f}" in said
    assert "http://testserver/portal/acme/order/" in said


def test_when_the_assistant_fails_a_person_gets_the_message(shop, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    def broken(**_: object) -> None:
        raise RuntimeError("model file missing")

    monkeypatch.setattr(bot_replies, "reply_to", broken)
    token = token_for(shop.merchant)

    send(token, "How many days do I have to return an item?")

    conversation = Conversation.objects.get()
    assert bot_said(conversation) == []
    assert conversation.status == ConversationStatus.OPEN
    assert Ticket.objects.filter(conversation_id=conversation.pk).exists()
    assert Message.objects.filter(direction=Direction.NOTE, conversation=conversation).exists()


def test_a_visitor_who_proves_the_order_is_linked_to_the_customer_and_order(shop) -> None:  # type: ignore[no-untyped-def]
    from aftercare.assistant.tests.bot_helpers import PHONE_TYPED

    token = token_for(shop.merchant)

    send(token, "Hi, where is my refund?")
    send(token, shop.order.external_id)
    send(token, PHONE_TYPED)

    conversation = Conversation.objects.get()
    assert conversation.customer_id == shop.order.customer_id
    assert conversation.links.filter(order=shop.order).exists()
