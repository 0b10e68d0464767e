"""An agent corrects a message's intent and reason from the conversation page (A2)."""

from __future__ import annotations

import pytest
from django.test import Client

from aftercare.assistant.models import AssistantCorrection
from aftercare.conversations.actions import Incoming, receive_message
from aftercare.conversations.models import Message
from aftercare.conversations.states import Channel
from aftercare.core.testing import PASSWORD, make_member
from aftercare.merchants.models import Member, Merchant, Role

pytestmark = pytest.mark.django_db


def _sms(merchant: Merchant, body: str) -> Message:
    message, _ = receive_message(
        merchant=merchant,
        incoming=Incoming(channel=Channel.SMS, contact="+8613800138111", body=body),
    )
    return message


def _signed_in(member: Member) -> Client:
    client = Client()
    assert client.login(username=member.user.username, password=PASSWORD)
    return client


def test_a_correction_is_stored_as_a_training_example(agent: Member, merchant: Merchant) -> None:
    message = _sms(merchant, "the kettle arrived without its lid")

    response = _signed_in(agent).post(
        f"/assistant/messages/{message.pk}/correct/",
        {"intent": "return_request", "reason": "missing_parts"},
        HTTP_HX_REQUEST="true",
    )

    assert response.status_code == 200
    assert "learns it at its next training" in response.content.decode()
    stored = AssistantCorrection.objects.get()
    assert (stored.text, stored.intent, stored.reason) == (
        "the kettle arrived without its lid",
        "return_request",
        "missing_parts",
    )


def test_an_unknown_label_is_refused_and_nothing_is_stored(
    agent: Member, merchant: Merchant
) -> None:
    message = _sms(merchant, "where is my refund")

    response = _signed_in(agent).post(
        f"/assistant/messages/{message.pk}/correct/", {"intent": "make_coffee"}
    )

    assert response.status_code == 422
    assert not AssistantCorrection.objects.exists()


def test_another_merchants_message_is_404(other_agent: Member, merchant: Merchant) -> None:
    message = _sms(merchant, "where is my refund")

    response = _signed_in(other_agent).post(
        f"/assistant/messages/{message.pk}/correct/", {"intent": "refund_status"}
    )

    assert response.status_code == 404
    assert not AssistantCorrection.objects.exists()


def test_warehouse_may_not_correct(merchant: Merchant) -> None:
    message = _sms(merchant, "where is my refund")
    warehouse = make_member(merchant, Role.WAREHOUSE, "wh")

    response = _signed_in(warehouse).post(
        f"/assistant/messages/{message.pk}/correct/", {"intent": "refund_status"}
    )

    assert response.status_code == 403
    assert not AssistantCorrection.objects.exists()


def test_the_conversation_page_offers_the_correction(agent: Member, merchant: Merchant) -> None:
    message = _sms(merchant, "where is my refund")

    page = _signed_in(agent).get(f"/desk/c/{message.conversation_id}/").content.decode()

    assert f"/assistant/messages/{message.pk}/correct/" in page
    assert 'value="missing_parts"' in page
