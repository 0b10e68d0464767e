"""receive_message: analysis once, the customer by address, links from the text, threads."""

from __future__ import annotations

import pytest

from aftercare.commerce.models import Customer
from aftercare.conversations.actions import Incoming, receive_message
from aftercare.conversations.errors import EmptyMessage
from aftercare.conversations.models import Conversation, ConversationLink, Message
from aftercare.conversations.states import Channel, ConversationStatus, LinkKind
from aftercare.conversations.tests.factories import buyer

pytestmark = pytest.mark.django_db


def test_an_sms_from_a_known_phone_finds_the_customer_and_links_the_order(merchant, store):
    known = buyer(merchant, store, phone="+8613800138000")
    text = f"我的订单号 {known.order.external_id} 还没到，快递 {known.shipment.tracking_number}"

    message, created = receive_message(
        merchant=merchant,
        incoming=Incoming(
            channel=Channel.SMS, contact="138 0013 8000", body=text, external_id="s1"
        ),
    )

    assert created
    conversation = message.conversation
    assert conversation.customer == known.customer
    assert conversation.contact == "+8613800138000"
    kinds = set(conversation.links.values_list("kind", flat=True))
    assert kinds == {LinkKind.ORDER, LinkKind.SHIPMENT}
    assert message.analysis["language"] == "zh-Hans"
    assert message.analysis["intent"]
    assert known.order.external_id in message.analysis["entities"]["order_numbers"]
    assert conversation.intent == message.analysis["intent"]


def test_the_same_channel_message_id_is_stored_once(merchant, store):
    incoming = Incoming(channel=Channel.SMS, contact="+8613800138001", body="hi", external_id="x")

    first, created_first = receive_message(merchant=merchant, incoming=incoming)
    second, created_second = receive_message(merchant=merchant, incoming=incoming)

    assert (created_first, created_second) == (True, False)
    assert first.pk == second.pk
    assert Message.objects.count() == 1


def test_a_stranger_naming_an_order_is_linked_to_its_owner_not_made_new(merchant, store):
    known = buyer(merchant, store)

    message, _ = receive_message(
        merchant=merchant,
        incoming=Incoming(
            channel=Channel.EMAIL,
            contact="new-address@elsewhere.example",
            body=f"Order #{known.order.external_id[2:]} order {known.order.external_id} broke",
        ),
    )

    assert message.conversation.customer == known.customer
    assert Customer.objects.filter(merchant=merchant).count() == 1


def test_a_stranger_matching_nothing_becomes_a_new_customer_once(merchant):
    for n in range(2):
        receive_message(
            merchant=merchant,
            incoming=Incoming(channel=Channel.SMS, contact="+8613911112222", body=f"hello {n}"),
        )

    customer = Customer.objects.get(merchant=merchant)
    assert customer.phone == "+8613911112222"
    # One open SMS thread per number.
    assert Conversation.objects.filter(merchant=merchant).count() == 1
    assert Message.objects.count() == 2


def test_a_new_message_reopens_a_pending_conversation(merchant):
    message, _ = receive_message(
        merchant=merchant,
        incoming=Incoming(channel=Channel.SMS, contact="+8613911113333", body="one"),
    )
    Conversation.objects.filter(pk=message.conversation_id).update(
        status=ConversationStatus.PENDING
    )

    receive_message(
        merchant=merchant,
        incoming=Incoming(channel=Channel.SMS, contact="+8613911113333", body="two"),
    )

    assert Conversation.objects.get().status == ConversationStatus.OPEN


def test_an_empty_message_is_refused_and_stores_nothing(merchant):
    with pytest.raises(EmptyMessage):
        receive_message(
            merchant=merchant, incoming=Incoming(channel=Channel.SMS, contact="+86139", body=" ")
        )

    assert not Conversation.objects.exists()
    assert not Customer.objects.exists()


def test_another_merchants_order_number_links_nothing(merchant, other_merchant, store):
    from aftercare.core.testing import StoreFactory

    theirs = buyer(other_merchant, StoreFactory(merchant=other_merchant))

    message, _ = receive_message(
        merchant=merchant,
        incoming=Incoming(
            channel=Channel.SMS,
            contact="+8613911114444",
            body=f"order {theirs.order.external_id} {theirs.shipment.tracking_number}",
        ),
    )

    assert not ConversationLink.objects.exists()
    assert message.conversation.customer.merchant == merchant


@pytest.mark.django_db(transaction=True)
def test_two_deliveries_of_one_message_at_once_store_it_once(merchant):
    import threading

    from django.db import connection

    incoming = Incoming(channel=Channel.SMS, contact="+8613911115555", body="hi", external_id="r")
    results: list[bool] = []
    start = threading.Barrier(2)

    def deliver() -> None:
        try:
            start.wait()
            results.append(receive_message(merchant=merchant, incoming=incoming)[1])
        finally:
            connection.close()

    workers = [threading.Thread(target=deliver) for _ in range(2)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join()

    assert sorted(results) == [False, True]
    assert Message.objects.count() == 1
