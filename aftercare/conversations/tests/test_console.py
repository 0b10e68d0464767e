"""The desk pages: inbox filters, a conversation with the 360 panel, reply and note, and
sanitised HTML."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from aftercare.conversations import lookup, lookup_rows
from aftercare.conversations.actions import Incoming, receive_message
from aftercare.conversations.models import Conversation, Message
from aftercare.conversations.states import Channel, Direction
from aftercare.conversations.tests.factories import Buyer, buyer, history, open_case
from aftercare.core.testing import PASSWORD
from aftercare.returns.models import Case

pytestmark = pytest.mark.django_db


@pytest.fixture
def desk(agent) -> Client:
    client = Client()
    assert client.login(username=agent.user.username, password=PASSWORD)
    return client


def chat_from(merchant, contact: str, body: str, **extra) -> Message:
    message, _ = receive_message(
        merchant=merchant,
        incoming=Incoming(channel=Channel.WEB_CHAT, contact=contact, body=body, **extra),
    )
    return message


def test_the_inbox_lists_and_filters_conversations(desk, merchant):
    chat_from(merchant, "visitor-a", "where is my parcel")
    receive_message(
        merchant=merchant,
        incoming=Incoming(channel=Channel.SMS, contact="+8613800138111", body="refund please"),
    )

    everything = desk.get("/desk/").content.decode()
    sms_only = desk.get("/desk/?channel=sms").content.decode()
    mine = desk.get("/desk/?assignee=me").content.decode()

    assert "visitor-a" in everything and "+8613800138111" in everything
    assert "visitor-a" not in sms_only and "+8613800138111" in sms_only
    assert "No conversations." in mine


def test_a_conversation_shows_the_360_panel_and_takes_a_reply_and_a_note(desk, merchant, store):
    known = buyer(merchant, store, phone="+8613800138222")
    message, _ = receive_message(
        merchant=merchant,
        incoming=Incoming(
            channel=Channel.SMS,
            contact="+8613800138222",
            body=f"order {known.order.external_id} is late",
        ),
    )
    url = f"/desk/c/{message.conversation_id}/"

    page = desk.get(url).content.decode()
    desk.post(url + "reply/", {"body": "Sorry, checking now"}, HTTP_HX_REQUEST="true")
    desk.post(url + "note/", {"body": "courier says tomorrow"})

    assert 'id="customer-360"' in page
    assert known.order.external_id in page
    assert known.shipment.tracking_number in page
    directions = list(Message.objects.order_by("id").values_list("direction", flat=True))
    assert directions == [Direction.INBOUND, Direction.OUTBOUND, Direction.NOTE]


def test_message_html_is_sanitised_for_display(desk, merchant):
    message = chat_from(
        merchant,
        "visitor-b",
        "hi",
        body_html=(
            '<p onclick="steal()">hi<script>alert(1)</script><a href="javascript:x()">x</a></p>'
        ),
    )

    page = desk.get(f"/desk/c/{message.conversation_id}/").content.decode()

    assert "<script>alert(1)" not in page
    assert "onclick" not in page
    assert "javascript:x()" not in page


def test_another_merchants_conversation_is_a_404(merchant, other_merchant, other_agent):
    message = chat_from(merchant, "visitor-c", "private")
    client = Client()
    assert client.login(username=other_agent.user.username, password=PASSWORD)

    response = client.get(f"/desk/c/{message.conversation_id}/")
    reply = client.post(f"/desk/c/{message.conversation_id}/reply/", {"body": "x"})

    assert response.status_code == 404
    assert reply.status_code == 404
    assert Message.objects.count() == 1


def test_a_customer_lookup_page(desk, merchant, store):
    known = buyer(merchant, store, email="find.me@example.com")

    page = desk.get("/desk/customer/?q=find.me@example.com").content.decode()

    assert known.order.external_id in page


@pytest.mark.parametrize(("language", "word"), [("zh-hans", "收件箱"), ("zh-hant", "收件匣")])
def test_the_inbox_speaks_chinese(desk, language, word):
    desk.cookies["django_language"] = language

    page = desk.get("/desk/", HTTP_ACCEPT_LANGUAGE=language).content.decode()

    assert word in page


def test_the_inbox_filters_by_my_groups_and_overdue_tickets(desk, merchant, agent):
    from datetime import timedelta

    from django.utils import timezone

    from aftercare.tickets.defaults import install_defaults
    from aftercare.tickets.models import AgentState, Ticket

    merchant.chat_assistant = False  # agents answer: every message opens a ticket
    merchant.save(update_fields=["chat_assistant"])
    install_defaults(merchant)
    ours = chat_from(merchant, "visitor-1", "Where is my parcel? It has not moved for days")
    theirs = chat_from(merchant, "visitor-2", "I want a refund, the blender is broken")
    bystander = chat_from(merchant, "visitor-3", "hello")
    Ticket.objects.filter(conversation=bystander.conversation).delete()
    our_ticket = Ticket.objects.get(conversation=ours.conversation)
    their_ticket = Ticket.objects.get(conversation=theirs.conversation)
    assert our_ticket.group_id != their_ticket.group_id
    state = AgentState.objects.create(merchant=merchant, member=agent)
    state.groups.set([our_ticket.group])
    Ticket.objects.filter(pk=their_ticket.pk).update(
        next_due_at=timezone.now() - timedelta(minutes=5)
    )

    def listed(query: str) -> set[int]:
        page = desk.get(f"/desk/?{query}").content.decode()
        return {
            m.conversation_id
            for m in (ours, theirs, bystander)
            if f"/desk/c/{m.conversation_id}/" in page
        }

    assert listed("") == {ours.conversation_id, theirs.conversation_id, bystander.conversation_id}
    assert listed("queue=my_groups") == {ours.conversation_id}
    assert listed("queue=overdue") == {theirs.conversation_id}


def _queries(action) -> tuple[int, object]:
    with CaptureQueriesContext(connection) as captured:
        result = action()
    return len(captured.captured_queries), result


def test_the_360_panel_costs_the_same_few_queries_whatever_the_history(desk, merchant, store):
    # Given a customer who wrote in, with one order and one open case
    known = buyer(merchant, store, phone="+8613800138333", email="busy@example.com")
    message, _ = receive_message(
        merchant=merchant,
        incoming=Incoming(channel=Channel.SMS, contact="+8613800138333", body="hello"),
    )
    first = open_case(merchant, known)
    conversation = Conversation.objects.select_related("customer").get(pk=message.conversation_id)
    url = f"/desk/c/{conversation.pk}/"
    desk.get(url)  # warm-up: per-process caches (translations, content types)

    def costs() -> tuple[list[int], lookup.Customer360]:
        panel, view = _queries(lambda: lookup.customer_360(merchant, conversation.customer))
        found, _ = _queries(lambda: lookup.lookup(merchant, "busy@example.com"))
        page, _ = _queries(lambda: desk.get(url))
        screen_pop, _ = _queries(lambda: desk.get("/desk/customer/?q=busy@example.com"))
        return [panel, found, page, screen_pop], view

    few, small = costs()

    # When the customer gets forty more orders (lines, parcels), conversations with tickets
    # and seven more cases, finished (the conversation page's case cards, with their buttons,
    # list the open ones: those are another section's cost)
    for order in history(merchant, store, known, orders=40)[:6]:
        open_case(
            merchant, Buyer(customer=known.customer, order=order, shipment=order.shipments.get())
        )
    Case.objects.exclude(pk=first.pk).update(status="closed")
    many, large = costs()

    # Then the panel and both pages that show it cost what they cost before
    assert few == many
    # The panel is one statement when the conversation brought its customer, two when the
    # input must be resolved first (it was eight and nine ORM queries)
    assert few[:2] == [1, 2]
    assert len(small.orders) == 1 and len(large.orders) == lookup_rows.RECENT_ORDERS
    assert len(large.recent_cases) == lookup_rows.RECENT_CASES
    assert len(large.conversations) == lookup_rows.RECENT_CONVERSATIONS
    assert len(large.open_tickets) > len(small.open_tickets)
