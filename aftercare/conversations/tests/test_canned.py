"""Canned replies (S6): per language, variables filled from the conversation, refused when they
name anything else, offered beside the reply box and over the API."""

from __future__ import annotations

import pytest
from django.contrib.admin.sites import site
from django.test import Client

from aftercare.conversations import canned
from aftercare.conversations.actions import Incoming, receive_message
from aftercare.conversations.admin import CannedReplyForm
from aftercare.conversations.canned_defaults import DEFAULTS, install_default_canned
from aftercare.conversations.models import CannedReply, Conversation
from aftercare.conversations.states import Channel
from aftercare.conversations.tests.factories import buyer, open_case
from aftercare.core.errors import ValidationFailed
from aftercare.core.testing import PASSWORD

pytestmark = pytest.mark.django_db


@pytest.fixture
def talk(merchant, store):  # type: ignore[no-untyped-def]
    """A customer with an order, a parcel and an open case, writing in English in web chat
    (to an agent: the assistant is off)."""
    merchant.chat_assistant = False
    merchant.save(update_fields=["chat_assistant"])
    who = buyer(merchant, store, name="Lin Mei")
    case = open_case(merchant, who)
    message, _ = receive_message(
        merchant=merchant,
        incoming=Incoming(
            channel=Channel.WEB_CHAT,
            contact="visitor-lin",
            body=f"Hello, any news on {case.number}? Thanks a lot",
            customer=who.customer,
        ),
    )
    install_default_canned(merchant)
    return who, case, message.conversation


def test_defaults_install_once_in_three_languages_and_keep_a_merchants_edit(merchant) -> None:  # type: ignore[no-untyped-def]
    added = install_default_canned(merchant)
    CannedReply.objects.filter(merchant=merchant, key="closing", language="en").update(body="Bye!")

    again = install_default_canned(merchant)

    assert added == len(DEFAULTS) * 3 and again == 0
    assert CannedReply.objects.get(merchant=merchant, key="closing", language="en").body == "Bye!"
    for _intent, texts in DEFAULTS.values():
        for _title, body in texts.values():
            canned.validate_body(body)


def test_variables_are_filled_from_the_conversation(talk, agent) -> None:  # type: ignore[no-untyped-def]
    who, case, conversation = talk

    offered = {s.key: s for s in canned.suggestions(conversation, agent=agent)}

    assert {s.language for s in offered.values()} == {"en"}
    assert offered["case-status"].text.startswith(f"Your request {case.number} is now: ")
    assert "Lin Mei" in offered["greeting"].text and "agent" in offered["greeting"].text
    tracking = offered["tracking"].text
    assert who.order.external_id in tracking and who.shipment.tracking_number in tracking


def test_a_chinese_conversation_gets_chinese_replies_and_unknown_values_stay_visible(
    merchant, agent
) -> None:  # type: ignore[no-untyped-def]
    install_default_canned(merchant)
    message, _ = receive_message(
        merchant=merchant,
        incoming=Incoming(
            channel=Channel.WEB_CHAT, contact="v-2", body="你好，我的退款什么时候到账？"
        ),
    )

    offered = {s.key: s for s in canned.suggestions(message.conversation, agent=agent)}

    assert offered["refund-timing"].language == "zh-Hans"
    assert "[case_number]" in offered["refund-timing"].text  # nothing to fill it from
    assert "{" not in offered["refund-timing"].text


def test_a_body_naming_anything_else_is_refused_in_the_admin(merchant) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(ValidationFailed):
        canned.validate_body("Hi {customer.__class__} {settings}")
    form = CannedReplyForm(
        data={
            "merchant": merchant.pk,
            "key": "bad",
            "language": "en",
            "title": "Bad",
            "body": "Your key is {secret_key}",
        }
    )

    assert not form.is_valid() and "secret_key" in str(form.errors["body"])
    assert CannedReply in site._registry


def test_fill_substitutes_only_known_names() -> None:
    text = canned.fill("{customer_name} {x} {{customer_name}}", {"customer_name": "Li"})

    assert text == "Li {x} {Li}"


def test_the_reply_box_offers_them_and_the_api_returns_them(talk, agent, api) -> None:  # type: ignore[no-untyped-def]
    _who, case, conversation = talk
    client = Client()
    assert client.login(username=agent.user.username, password=PASSWORD)

    page = client.get(f"/desk/c/{conversation.pk}/").content.decode()
    listed = api.get(f"/api/v1/conversations/{conversation.pk}/canned-replies")

    assert 'id="canned-reply"' in page and case.number in page
    assert listed.status_code == 200
    body = {row["key"]: row["text"] for row in listed.json()}
    assert case.number in body["case-status"]


def test_another_merchants_conversation_is_a_404(talk, other_api) -> None:  # type: ignore[no-untyped-def]
    conversation: Conversation = talk[2]

    response = other_api.get(f"/api/v1/conversations/{conversation.pk}/canned-replies")

    assert response.status_code == 404
