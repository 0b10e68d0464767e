"""POST /api/v1/assistant/bot: an integration's channel drives the bot through the API."""

from __future__ import annotations

from django.core.cache import cache

from aftercare.assistant.models import BotSession
from aftercare.assistant.tests.bot_helpers import PHONE_TYPED, case_in, make_shop
from aftercare.core.testing import ApiCaller, api_caller
from aftercare.merchants.models import Merchant, Store

URL = "/api/v1/assistant/bot"


def test_a_conversation_through_the_api(merchant: Merchant, store: Store, api: ApiCaller) -> None:
    cache.clear()
    shop = make_shop(merchant, store)
    case = case_in(shop, "refund_processing")

    first = api.post(URL, {"conversation_key": "ivr:42", "text": "where is my refund?"})
    second = api.post(
        URL, {"conversation_key": "ivr:42", "text": f"{shop.order.external_id} {PHONE_TYPED}"}
    )

    assert first.status_code == 200, first.content
    assert first.json()["state"] == "awaiting_order" and first.json()["handover"] is False
    body = second.json()
    assert body["replies"][1].startswith(f"Your refund of {case.refund_total:.2f} CNY")
    assert body["links"] == [{"label": "See your request", "url": "/portal/acme/order/"}]
    assert body["summary"]["case_ids"] == [case.pk]
    assert body["summary"]["transcript"][0]["text"] == "where is my refund?"


def test_the_channel_may_say_the_language_and_the_customer(
    merchant: Merchant, store: Store, api: ApiCaller
) -> None:
    shop = make_shop(merchant, store)
    body = {
        "conversation_key": "app:7",
        "text": "return",
        "language": "zh-Hant",
        "customer_id": shop.order.customer_id,
    }

    response = api.post(URL, body)

    assert response.json()["language"] == "zh-Hant"
    assert BotSession.objects.get().customer_id == shop.order.customer_id


def test_bad_bodies_are_refused_and_change_nothing(merchant: Merchant, api: ApiCaller) -> None:
    bodies = [
        {"conversation_key": "", "text": "hi"},
        {"conversation_key": "k", "text": ""},
        {"conversation_key": "k", "text": "x" * 4001},
        {"conversation_key": "k", "text": "hi", "language": "klingon"},
        {"text": "hi"},
    ]
    for body in bodies:
        response = api.post(URL, body)
        assert response.status_code == 422, (body, response.content)
        assert response["Content-Type"] == "application/problem+json"

    assert not BotSession.objects.exists()


def test_a_key_without_assistant_use_is_refused(merchant: Merchant) -> None:
    caller = api_caller(merchant, ["cases.read"])

    response = caller.post(URL, {"conversation_key": "k", "text": "hi"})

    assert response.status_code == 403
    assert not BotSession.objects.exists()
