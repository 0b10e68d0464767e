"""SMS webhooks: signed generic JSON and Twilio's format; anything unsigned stores nothing."""

from __future__ import annotations

import json
from urllib.parse import urlencode

import pytest
from django.test import Client

from aftercare.conversations.models import Conversation, Message
from aftercare.conversations.tests.factories import (
    SMS_NUMBER,
    SMS_SECRET,
    TWILIO_NUMBER,
    TWILIO_TOKEN,
    addresses,
)
from aftercare.core.inbox import sign
from aftercare.core.outbox_models import InboxEvent
from aftercare.integrations.twilio.inbound import expected_signature

pytestmark = pytest.mark.django_db

GENERIC = "/desk/hooks/sms/"
TWILIO = "/desk/hooks/twilio/sms/"


def generic_body(**extra: str) -> bytes:
    data = {"id": "sms-1", "from": "13800138000", "to": SMS_NUMBER, "body": "包裹到哪了？"}
    data.update(extra)
    return json.dumps(data).encode()


def post_generic(body: bytes, signature: str | None) -> object:
    headers = {"HTTP_AFTERCARE_SIGNATURE": signature} if signature else {}
    return Client().post(GENERIC, body, content_type="application/json", **headers)


def test_a_signed_sms_becomes_a_message_once(merchant):
    addresses(merchant)
    body = generic_body()

    first = post_generic(body, sign(SMS_SECRET, body))
    again = post_generic(body, sign(SMS_SECRET, body))

    assert first.status_code == 200, first.content
    assert again.json()["duplicate"] is True
    message = Message.objects.get()
    assert message.conversation.contact == "+8613800138000"
    assert message.conversation.our_address == SMS_NUMBER
    assert message.analysis["language"] == "zh-Hans"
    assert InboxEvent.objects.count() == 1


@pytest.mark.parametrize(
    "signature",
    [None, "t=1,v1=00", "garbage", sign("wrong-secret", generic_body())],
)
def test_unsigned_or_badly_signed_sms_is_refused_and_stores_nothing(merchant, signature):
    addresses(merchant)

    response = post_generic(generic_body(), signature)

    assert response.status_code == 401
    assert response["Content-Type"] == "application/problem+json"
    assert not InboxEvent.objects.exists()
    assert not Message.objects.exists()


def test_a_signature_for_another_body_is_refused(merchant):
    addresses(merchant)

    response = post_generic(generic_body(body="changed"), sign(SMS_SECRET, generic_body()))

    assert response.status_code == 401
    assert not InboxEvent.objects.exists()


def twilio_params(**extra: str) -> dict[str, str]:
    params = {
        "MessageSid": "SM123",
        "From": "+8613800138009",
        "To": TWILIO_NUMBER,
        "Body": "Where is order #5521983?",
        "NumMedia": "0",
    }
    params.update(extra)
    return params


def post_twilio(params: dict[str, str], signature: str | None) -> object:
    headers = {"HTTP_X_TWILIO_SIGNATURE": signature} if signature else {}
    return Client().post(
        TWILIO, urlencode(params), content_type="application/x-www-form-urlencoded", **headers
    )


def test_a_twilio_sms_with_a_valid_signature_is_stored(merchant):
    addresses(merchant)
    params = twilio_params()
    url = "http://testserver" + TWILIO
    signature = expected_signature(TWILIO_TOKEN, url, {k: [v] for k, v in params.items()})

    response = post_twilio(params, signature)

    assert response.status_code == 200, response.content
    assert response["Content-Type"].startswith("text/xml")
    message = Message.objects.get()
    assert message.external_id == "sms.twilio:SM123"
    assert message.body == "Where is order #5521983?"


def test_twilios_documented_signature_example():
    # The example in Twilio's request-validation documentation.
    params = {
        "CallSid": ["CA1234567890ABCDE"],
        "Caller": ["+14158675309"],
        "Digits": ["1234"],
        "From": ["+14158675309"],
        "To": ["+18005551212"],
    }
    url = "https://mycompany.com/myapp.php?foo=1&bar=2"

    assert expected_signature("12345", url, params) == "RSOYDt4T1cUTdK1PDd93/VVr8B8="


@pytest.mark.parametrize("signature", [None, "bm90IGl0", "RSOYDt4T1cUTdK1PDd93/VVr8B8="])
def test_a_twilio_sms_without_a_valid_signature_stores_nothing(merchant, signature):
    addresses(merchant)

    response = post_twilio(twilio_params(), signature)

    assert response.status_code == 401
    assert not InboxEvent.objects.exists()
    assert not Conversation.objects.exists()
