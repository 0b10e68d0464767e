"""The web-chat widget's endpoints: a visitor sees only their own conversation."""

from __future__ import annotations

import json

import pytest
from django.test import Client

from aftercare.conversations import actions
from aftercare.conversations.models import Conversation, Message
from aftercare.conversations.states import Channel, DeliveryState

pytestmark = pytest.mark.django_db


def new_token(merchant) -> str:
    response = Client().post(f"/desk/chat/session/{merchant.slug}/")
    assert response.status_code == 201
    return response.json()["token"]


def send(token: str, body: str) -> object:
    return Client().post(
        "/desk/chat/messages/",
        json.dumps({"body": body}),
        content_type="application/json",
        HTTP_X_CHAT_TOKEN=token,
    )


def poll(token: str, after: int = 0) -> dict:
    response = Client().get(f"/desk/chat/messages/?after={after}", HTTP_X_CHAT_TOKEN=token)
    assert response.status_code == 200, response.content
    return response.json()


@pytest.fixture
def assistant_off(merchant):
    """Agents answer web chat themselves (the merchant turned the assistant off)."""
    merchant.chat_assistant = False
    merchant.save(update_fields=["chat_assistant"])
    return merchant


def test_a_visitor_chats_and_sees_the_agents_reply_but_not_notes(assistant_off, agent_actor):
    merchant = assistant_off
    token = new_token(merchant)

    sent = send(token, "Hello, is the kettle in stock?")
    conversation = Conversation.objects.get()
    actions.add_note(actor=agent_actor, conversation=conversation, body="VIP, be nice")
    actions.reply(actor=agent_actor, conversation=conversation, body="Yes, it is!")
    seen = poll(token)

    assert sent.status_code == 201
    assert conversation.channel == Channel.WEB_CHAT
    assert [m["body"] for m in seen["messages"]] == [
        "Hello, is the kettle in stock?",
        "Yes, it is!",
    ]
    assert poll(token, after=seen["messages"][-1]["id"])["messages"] == []


def test_two_visitors_never_see_each_others_messages(merchant):
    first, second = new_token(merchant), new_token(merchant)
    send(first, "first visitor's secret")

    assert poll(second)["messages"] == []
    send(second, "second visitor")
    seen = poll(second)["messages"]
    mine = Conversation.objects.get(messages__body="second visitor")
    assert seen[0]["body"] == "second visitor"
    assert len(seen) > 1  # the assistant answered: in the second visitor's thread only
    assert {m["id"] for m in seen} == set(
        mine.messages.exclude(direction="note").values_list("id", flat=True)
    )
    assert "first visitor's secret" not in str(seen)
    assert Conversation.objects.count() == 2


@pytest.mark.parametrize("token", ["", "forged", "eyJtIjoxLCJ2IjoieCJ9:bad:sig"])
def test_a_missing_or_forged_token_is_refused(merchant, token):
    response = send(token, "hello")

    assert response.status_code == 401
    assert response["Content-Type"] == "application/problem+json"
    assert not Message.objects.exists()


def test_reading_marks_the_agents_replies_read(assistant_off, agent_actor):
    merchant = assistant_off
    token = new_token(merchant)
    send(token, "hi")
    reply = actions.reply(actor=agent_actor, conversation=Conversation.objects.get(), body="hello!")

    response = Client().post("/desk/chat/read/", HTTP_X_CHAT_TOKEN=token)

    assert response.status_code == 204
    reply.refresh_from_db()
    assert reply.delivery_state == DeliveryState.READ
    assert Conversation.objects.get().customer_read_at is not None


def test_an_empty_chat_message_is_refused(merchant):
    response = send(new_token(merchant), "   ")

    assert response.status_code == 422
    assert not Message.objects.exists()
