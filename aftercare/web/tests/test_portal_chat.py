"""The web-chat widget in the customer portal: a verified customer's pages carry a chat token
bound to that customer, so their conversation is linked to them; the standalone page for
merchant sites keeps working."""

from __future__ import annotations

import json
import re

import pytest
from django.core.cache import cache
from django.test import Client

from aftercare.commerce.models import Order
from aftercare.conversations import chat
from aftercare.conversations.models import Conversation
from aftercare.core.actors import Actor
from aftercare.merchants.models import Merchant, Store
from aftercare.policies.tests.factories import delivered_order
from aftercare.returns.tests.helpers import install_policy, open_case

pytestmark = pytest.mark.django_db

PHONE = "+8613812345678"
WIDGET = re.compile(r'<script src="[^"]*chat-widget\.js"([^>]*)>')


@pytest.fixture(autouse=True)
def _fresh_cache() -> None:
    cache.clear()  # the portal's attempt counters live in the cache


@pytest.fixture
def order(merchant: Merchant, store: Store) -> Order:
    install_policy(merchant, "custom")
    order, _ = delivered_order(merchant, store)
    order.customer.phone = PHONE
    order.customer.save(update_fields=["phone"])
    return order


def _signed_in(order: Order) -> Client:
    client = Client()
    found = client.post("/portal/acme/", {"order_number": order.external_id, "contact": PHONE})
    assert found.status_code == 302
    return client


def _widget(page: str) -> dict[str, str]:
    match = WIDGET.search(page)
    assert match, "the page has no chat widget"
    return dict(re.findall(r'data-([a-z]+)="([^"]*)"', match.group(1)))


def test_the_order_and_case_pages_carry_a_token_bound_to_the_customer(order: Order) -> None:
    case = open_case(Actor.system(order.merchant), order, list(order.lines.all())[:1])
    client = _signed_in(order)

    on_order = _widget(client.get("/portal/acme/order/").content.decode())
    on_case = _widget(client.get(f"/portal/acme/cases/{case.pk}/").content.decode())

    assert on_order["portal"] == "1" and on_order["merchant"] == "acme"
    for attributes in (on_order, on_case):
        session = chat.read_token(attributes["token"])
        assert session.customer == order.customer and session.merchant == order.merchant


def test_a_message_from_the_portal_widget_is_linked_to_the_customer(order: Order) -> None:
    token = _widget(_signed_in(order).get("/portal/acme/order/").content.decode())["token"]

    sent = Client().post(
        "/desk/chat/messages/",
        json.dumps({"body": "Where is my refund?"}),
        content_type="application/json",
        HTTP_X_CHAT_TOKEN=token,
    )

    assert sent.status_code == 201
    conversation = Conversation.objects.get()
    assert conversation.customer_id == order.customer_id


def test_a_visitor_who_has_not_found_an_order_gets_no_customer_chat(order: Order) -> None:
    page = Client().get("/portal/acme/").content.decode()

    assert WIDGET.search(page) is None


def test_the_widget_speaks_the_customers_language(order: Order) -> None:
    client = _signed_in(order)

    hans = _widget(client.get("/portal/acme/order/", HTTP_ACCEPT_LANGUAGE="zh-CN").content.decode())
    hant = _widget(client.get("/portal/acme/order/", HTTP_ACCEPT_LANGUAGE="zh-TW").content.decode())

    assert hans["title"] == "在线客服" and hant["title"] == "線上客服"
    assert hans["close"] == "关闭聊天"


def test_the_standalone_chat_page_still_embeds_an_anonymous_widget(merchant: Merchant) -> None:
    attributes = _widget(Client().get("/desk/chat/demo/acme/").content.decode())

    assert attributes["merchant"] == "acme" and attributes["open"] == "1"
    assert "token" not in attributes and "portal" not in attributes
    assert attributes["title"] == "Chat with us"
