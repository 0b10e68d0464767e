"""The conversations API: inbox filters, detail, reply/note/assign/status, calls."""

from __future__ import annotations

import pytest

from aftercare.conversations.actions import Incoming, receive_message
from aftercare.conversations.models import Conversation, Message
from aftercare.conversations.states import Channel

pytestmark = pytest.mark.django_db


def test_a_call_is_recorded_and_cannot_be_answered_in_writing(api):
    call = api.post(
        "/api/v1/conversations/calls",
        {
            "phone": "138 0013 8000",
            "direction": "inbound",
            "summary": "order late",
            "duration_seconds": 95,
            "call_id": "CALL-1",
        },
    )
    conversation_id = call.json()["conversation_id"]
    reply = api.post(f"/api/v1/conversations/{conversation_id}/reply", {"body": "hi"})

    assert call.status_code == 201, call.content
    assert call.json()["meta"]["duration_seconds"] == 95
    assert reply.status_code == 409
    assert reply.json()["code"] == "cannot_reply"
    assert Message.objects.count() == 1


def test_inbox_detail_and_actions(api, agent):
    message, _ = receive_message(
        merchant=agent.merchant,
        incoming=Incoming(channel=Channel.SMS, contact="+8613800138333", body="退款什么时候到账"),
    )
    cid = message.conversation_id
    base = f"/api/v1/conversations/{cid}"

    listed = api.get("/api/v1/conversations?channel=sms&assignee=unassigned").json()
    empty = api.get("/api/v1/conversations?channel=email").json()
    note = api.post(f"{base}/notes", {"body": "check with finance"})
    assigned = api.post(f"{base}/assign", {"member_id": agent.pk})
    closed = api.post(f"{base}/status", {"status": "closed"})
    again = api.post(f"{base}/status", {"status": "closed"})
    detail = api.get(base).json()

    assert [c["id"] for c in listed["items"]] == [cid]
    assert empty["items"] == []
    assert note.status_code == 201
    assert assigned.json()["assignee_id"] == agent.pk
    assert closed.json()["status"] == "closed"
    assert again.status_code == 409
    assert [m["direction"] for m in detail["messages"]] == ["inbound", "note"]
    assert detail["messages"][0]["analysis"]["intent"]
    assert Conversation.objects.get().status == "closed"


def test_assigning_another_merchants_member_is_a_404(api, other_agent, merchant):
    message, _ = receive_message(
        merchant=merchant,
        incoming=Incoming(channel=Channel.SMS, contact="+8613800138444", body="hi"),
    )

    response = api.post(
        f"/api/v1/conversations/{message.conversation_id}/assign", {"member_id": other_agent.pk}
    )

    assert response.status_code == 404
    assert Conversation.objects.get().assignee is None


def test_an_sms_reply_is_handed_to_the_notifications_provider(api, merchant, store):
    from aftercare.conversations.tests.factories import buyer
    from aftercare.notifications.models import Notification

    buyer(merchant, store, phone="+8613800138555")
    message, _ = receive_message(
        merchant=merchant,
        incoming=Incoming(channel=Channel.SMS, contact="+8613800138555", body="where is it"),
    )

    reply = api.post(
        f"/api/v1/conversations/{message.conversation_id}/reply", {"body": "Tomorrow!"}
    )

    assert reply.status_code == 201, reply.content
    notification = Notification.objects.get()
    assert reply.json()["meta"]["notification_id"] == notification.pk
