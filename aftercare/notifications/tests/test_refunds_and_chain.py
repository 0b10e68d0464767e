"""The refunds app's own event says "refunded" with the amount paid, once; the periodic run
schedules itself as one chain."""

from __future__ import annotations

from aftercare.core.actors import Actor
from aftercare.notifications import tasks
from aftercare.notifications.consumer import CASE_CURSOR, consume_case_events, consume_refund_events
from aftercare.notifications.models import ConsumerCursor, Notification
from aftercare.notifications.tests.conftest import run_worker
from aftercare.refunds import execution
from aftercare.refunds.tests.helpers import case_at_refund_point


def test_a_paid_refund_is_announced_once_with_its_amount(
    reviewed, order_lines, agent_actor, notify_settings, smtp, sms
) -> None:
    order, lines = order_lines
    case = case_at_refund_point(Actor.system(order.merchant), order, lines[:1])
    finance = Actor.system(order.merchant, label="finance")
    execution.mark_case_paid(actor=finance, case=case, reference="PAY-1")
    case.refresh_from_db()
    assert case.status == "refunded"

    consume_case_events()
    consume_refund_events()
    consume_refund_events()
    run_worker()

    refunded = Notification.objects.filter(case=case, event="refunded", channel="sms")
    assert refunded.count() == 1
    assert str(case.refund_total) in refunded.get().body
    assert refunded.get().status == "sent"


def test_only_one_periodic_chain_runs(db) -> None:
    assert tasks.ensure_scheduled() is True
    assert tasks.ensure_scheduled() is False  # alive: nobody starts a second chain
    slot = ConsumerCursor.objects.get(name=CASE_CURSOR).next_run_at
    assert slot is not None

    assert tasks._schedule_next(expected=slot) is True  # the holder moves on
    assert tasks._schedule_next(expected=slot) is False  # a late duplicate of it stops


def test_the_worker_sweep_starts_the_chain(db) -> None:
    from aftercare.core.sweeper import sweep_once

    sweep_once()

    assert ConsumerCursor.objects.get(name=CASE_CURSOR).next_run_at is not None


def test_refund_events_reach_webhook_subscribers(reviewed, order_lines, notify_settings) -> None:
    import json

    from aftercare.notifications import webhooks
    from aftercare.notifications.tests.servers import http_server

    order, lines = order_lines
    system = Actor.system(order.merchant)
    with http_server() as hook:
        webhooks.create_subscription(actor=system, url=hook.url, event_types=["refund.succeeded"])
        case = case_at_refund_point(system, order, lines[:1])
        execution.mark_case_paid(actor=system, case=case, reference="PAY-2")
        webhooks.consume_refunds_for_webhooks()
        webhooks.consume_refunds_for_webhooks()
        run_worker()

    bodies = [json.loads(r["body"]) for r in hook.requests]
    assert [b["type"] for b in bodies] == ["refund.succeeded"]
    assert bodies[0]["data"]["case_id"] == case.pk and bodies[0]["data"]["amount"]
