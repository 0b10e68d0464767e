"""Every case status change notifies exactly once per channel, in the customer's language,
through a real SMTP server and a real HTTP SMS gateway; retries and restarts send nothing twice."""

from __future__ import annotations

import json

from aftercare.core.actors import Actor
from aftercare.notifications.consumer import CASE_CURSOR, consume_case_events
from aftercare.notifications.models import ConsumerCursor, ContactPreference, Notification
from aftercare.notifications.tests.conftest import run_worker
from aftercare.returns import actions, inspection
from aftercare.returns.tests.helpers import open_case


def _walk_case(agent_actor, warehouse, order, lines):  # type: ignore[no-untyped-def]
    case = open_case(agent_actor, order, lines[:1])
    case = actions.approve_case(actor=agent_actor, case=case)
    case = inspection.mark_shipped(
        actor=agent_actor, case=case, tracking_number="SF1", carrier="SF"
    )
    case = inspection.receive_return(actor=warehouse, case=case)
    return case


def test_each_step_sends_one_sms_and_one_portal_notice_in_the_customers_language(
    reviewed, order_lines, agent_actor, notify_settings, smtp, sms
) -> None:
    order, lines = order_lines
    order.customer.language = "zh-Hans"
    order.customer.save()
    case = _walk_case(agent_actor, Actor.system(order.merchant), order, lines)

    consume_case_events()
    run_worker()

    events = ["submitted", "approved", "parcel_received"]
    sent = Notification.objects.filter(case=case, channel="sms").order_by("id")
    assert [n.event for n in sent] == events
    assert {n.status for n in sent} == {"sent"}
    assert Notification.objects.filter(case=case, channel="portal").count() == 3
    bodies = [json.loads(r["body"])["text"] for r in sms.requests]
    assert len(bodies) == 3 and all(b.startswith("【Acme Home】") for b in bodies)
    assert "已由仓库签收" in bodies[2] and "48小时" in bodies[2]
    assert sms.requests[0]["headers"]["Authorization"] == "Bearer gw-token"
    assert smtp.messages == []  # SMS is the first direct channel; one direct channel per step


def test_email_preference_sends_html_and_text_through_smtp(
    reviewed, order_lines, agent_actor, notify_settings, smtp, sms
) -> None:
    order, lines = order_lines
    ContactPreference.objects.create(
        merchant=order.merchant, customer=order.customer, preferred_channel="email"
    )
    open_case(agent_actor, order, lines[:1])

    consume_case_events()
    run_worker()

    assert sms.requests == []
    assert len(smtp.messages) == 1
    mail = smtp.messages[0]
    assert mail["To"] == order.customer.email and mail["From"] == "care@acme.test"
    parts = {
        p.get_content_type(): p.get_payload(decode=True).decode()
        for p in mail.walk()
        if not p.is_multipart()
    }
    assert "We have received your after-sales request" in parts["text/plain"]
    assert "<p>" in parts["text/html"]
    assert mail["Message-ID"].startswith("<case-event.")


def test_consuming_again_and_a_cursor_reset_send_nothing_twice(
    reviewed, order_lines, agent_actor, notify_settings, smtp, sms
) -> None:
    order, lines = order_lines
    case = open_case(agent_actor, order, lines[:1])
    consume_case_events()
    run_worker()

    ConsumerCursor.objects.filter(name=CASE_CURSOR).update(
        last_id=0
    )  # a consumer that lost its place
    consume_case_events()
    consume_case_events()
    run_worker()

    assert Notification.objects.filter(case=case).count() == 2  # sms + portal
    assert len(sms.requests) == 1


def test_a_retried_transition_is_refused_and_notifies_once(
    reviewed, order_lines, agent_actor, notify_settings, smtp, sms
) -> None:
    import pytest

    from aftercare.core.errors import InvalidTransition

    order, lines = order_lines
    case = open_case(agent_actor, order, lines[:1])
    actions.approve_case(actor=agent_actor, case=case)
    with pytest.raises(InvalidTransition):
        actions.approve_case(actor=agent_actor, case=case)
    consume_case_events()
    run_worker()

    assert list(
        Notification.objects.filter(case=case, channel="sms").values_list("event", flat=True)
    ) == ["submitted", "approved"]


def test_on_postgresql_the_newest_events_wait_for_the_next_run(
    reviewed, order_lines, agent_actor, notify_settings, monkeypatch
) -> None:
    """An id can commit after a larger one on PostgreSQL; the consumer leaves a lag."""
    from datetime import timedelta

    from django.utils import timezone

    from aftercare.notifications import consumer

    monkeypatch.setattr(consumer, "POSTGRES_LAG", timedelta(seconds=2))
    order, lines = order_lines
    open_case(agent_actor, order, lines[:1])
    lag = consumer.default_lag()

    assert consume_case_events() == (0 if lag else 1)
    assert consume_case_events(now=timezone.now() + timedelta(seconds=3)) == (1 if lag else 0)
