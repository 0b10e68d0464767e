"""App push and voice go out as signed webhooks; the return deadline reminder goes once;
one consumer run drains case events, webhooks and reminders."""

from __future__ import annotations

import json
from datetime import timedelta

import time_machine
from django.utils import timezone

from aftercare.core.inbox import verify_signature
from aftercare.notifications import tasks
from aftercare.notifications.consumer import consume_case_events, queue_deadline_reminders
from aftercare.notifications.models import ContactPreference, Notification
from aftercare.notifications.tests.conftest import run_worker
from aftercare.notifications.tests.servers import http_server
from aftercare.returns import actions
from aftercare.returns.tests.helpers import open_case


def test_push_and_voice_are_signed_webhooks_with_the_rendered_text(
    reviewed, order_lines, agent_actor, notify_settings
) -> None:
    order, lines = order_lines
    ContactPreference.objects.create(
        merchant=order.merchant, customer=order.customer, preferred_channel="voice"
    )
    with http_server() as app, http_server() as phone:
        notify_settings.enabled_channels = ["sms", "email", "portal", "push", "voice"]
        notify_settings.push_url, notify_settings.push_secret = app.url + "/push", "push-secret"
        notify_settings.voice_url, notify_settings.voice_secret = phone.url + "/call", "voice-s"
        notify_settings.save()
        open_case(agent_actor, order, lines[:1])
        consume_case_events()
        run_worker()

    push = app.requests[0]
    verify_signature("push-secret", push["body"], push["headers"]["Aftercare-Signature"])
    pushed = json.loads(push["body"])
    assert (
        pushed["event"] == "submitted"
        and pushed["customer_external_id"] == order.customer.external_id
    )
    call = json.loads(phone.requests[0]["body"])
    assert call["to"] == order.customer.phone and call["say"].startswith(
        "Hello, this is Acme Home."
    )
    channels = set(Notification.objects.values_list("channel", flat=True))
    assert channels == {"portal", "push", "voice"}


def test_the_deadline_reminder_goes_once_a_day_before(
    reviewed, order_lines, agent_actor, notify_settings, smtp, sms
) -> None:
    order, lines = order_lines
    case = open_case(agent_actor, order, lines[:1])
    case = actions.approve_case(actor=agent_actor, case=case)
    assert case.status == "awaiting_return_shipment" and case.customer_ship_due_at
    due = case.customer_ship_due_at

    with time_machine.travel(due - timedelta(days=2), tick=False):
        assert queue_deadline_reminders() == 0
    with time_machine.travel(due - timedelta(hours=20), tick=False):
        assert queue_deadline_reminders() == 2  # portal + sms
        assert queue_deadline_reminders() == 0

    reminder = Notification.objects.get(event="deadline_approaching", channel="sms")
    assert "please send the items" in reminder.body


def test_one_run_drains_everything(reviewed, order_lines, agent_actor, notify_settings) -> None:
    order, lines = order_lines
    open_case(agent_actor, order, lines[:1])

    assert tasks.run_consumers_once(now=timezone.now()) == 1
    assert Notification.objects.filter(event="submitted").count() == 2


def test_a_consumer_batch_enqueues_one_delivery_task_that_delivers_it(
    reviewed,
    order_lines,
    agent_actor,
    notify_settings,
    smtp,
    sms,
    django_capture_on_commit_callbacks,
) -> None:
    import pytest
    from django.conf import settings

    if "django_tasks_db" not in settings.TASKS["default"]["BACKEND"]:
        pytest.skip("reads the database task queue; REDIS_URL puts tasks in RQ")
    from django_tasks_db.models import DBTaskResult

    order, lines = order_lines
    open_case(agent_actor, order, lines[:1])
    with django_capture_on_commit_callbacks(execute=True):
        consume_case_events()

    queued = [r for r in DBTaskResult.objects.all() if r.task_path.endswith("deliver_batch")]
    assert len(queued) == 1
    outcomes = tasks.deliver_batch.func(*queued[0].args_kwargs["args"])

    assert outcomes == {"succeeded": 1} and len(sms.requests) == 1
