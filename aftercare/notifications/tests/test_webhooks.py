"""Outgoing webhooks: signed JSON per subscribed event, retries, a log of every attempt,
automatic disabling after repeated permanent failures, and the "send test" button."""

from __future__ import annotations

import json
from datetime import timedelta

import time_machine
from django.test import Client

from aftercare.core.actors import Actor
from aftercare.core.inbox import verify_signature
from aftercare.core.outbox_models import OutboxMessage
from aftercare.notifications import webhooks
from aftercare.notifications.models import WebhookAttempt, WebhookDelivery, WebhookSubscription
from aftercare.notifications.tests.conftest import run_worker
from aftercare.notifications.tests.servers import http_server
from aftercare.returns import actions
from aftercare.returns.tests.helpers import open_case


def test_subscribed_events_arrive_signed_and_others_do_not(
    reviewed, order_lines, agent_actor, merchant
) -> None:
    order, lines = order_lines
    with http_server() as hook:
        sub = webhooks.create_subscription(
            actor=Actor.system(merchant), url=hook.url + "/in", event_types=["case.approved"]
        )
        case = open_case(agent_actor, order, lines[:1])
        actions.approve_case(actor=agent_actor, case=case)
        webhooks.consume_for_webhooks()
        webhooks.consume_for_webhooks()  # a second run finds nothing new
        run_worker()

    assert len(hook.requests) == 1
    request = hook.requests[0]
    verify_signature(sub.secret, request["body"], request["headers"]["Aftercare-Signature"])
    payload = json.loads(request["body"])
    assert payload["type"] == "case.approved" and payload["data"]["case_id"] == case.pk
    assert request["headers"]["Aftercare-Event"] == "case.approved"


def test_a_failing_endpoint_is_retried_and_every_attempt_is_logged(
    reviewed, order_lines, agent_actor, merchant
) -> None:
    order, lines = order_lines
    with http_server() as hook:
        hook.statuses = [500]
        webhooks.create_subscription(
            actor=Actor.system(merchant), url=hook.url, event_types=["case.created"]
        )
        open_case(agent_actor, order, lines[:1])
        webhooks.consume_for_webhooks()
        run_worker()
        message = OutboxMessage.objects.get(topic="notifications.webhook")
        with time_machine.travel(message.next_attempt_at + timedelta(seconds=1), tick=False):
            run_worker()

    delivery = WebhookDelivery.objects.get()
    attempts = list(
        WebhookAttempt.objects.filter(delivery=delivery).values_list("outcome", "status_code")
    )
    assert attempts == [("failed", 500), ("succeeded", 200)]
    assert delivery.status == "succeeded" and len(hook.requests) == 2


def test_repeated_permanent_failures_disable_the_subscription(merchant) -> None:
    with http_server() as hook:
        hook.statuses = [410] * 10
        sub = webhooks.create_subscription(
            actor=Actor.system(merchant), url=hook.url, event_types=[]
        )
        for n in range(webhooks.DISABLE_AFTER + 1):
            webhooks.queue_delivery(sub, "case.created", f"e{n}", {"id": f"e{n}"})
        run_worker()

    sub.refresh_from_db()
    assert not sub.active and "410" in sub.disabled_reason
    assert len(hook.requests) == webhooks.DISABLE_AFTER  # the last one was skipped
    assert WebhookDelivery.objects.filter(status="skipped").count() == 1


def test_send_test_button_posts_once_and_logs_it(merchant, supervisor) -> None:
    with http_server() as hook:
        sub = webhooks.create_subscription(
            actor=Actor.system(merchant), url=hook.url, event_types=[]
        )
        client = Client()
        client.force_login(supervisor.user)
        page = client.post(f"/notifications/webhooks/{sub.pk}/test/")

    assert page.status_code == 200 and "HTTP 200" in page.content.decode()
    assert json.loads(hook.requests[0]["body"])["type"] == "webhook.test"
    assert WebhookAttempt.objects.get().outcome == "succeeded"


def test_a_failed_test_send_does_not_count_against_the_subscription(merchant) -> None:
    with http_server() as hook:
        hook.statuses = [404] * 10
        sub = webhooks.create_subscription(
            actor=Actor.system(merchant), url=hook.url, event_types=[]
        )
        for _ in range(webhooks.DISABLE_AFTER + 1):
            result = webhooks.send_test(actor=Actor.system(merchant), subscription_id=sub.pk)

    sub.refresh_from_db()
    assert result.outcome == "failed" and result.status_code == 404
    assert sub.active and sub.consecutive_failures == 0


def test_unknown_event_types_are_refused(merchant) -> None:
    import pytest

    from aftercare.core.errors import ValidationFailed

    with pytest.raises(ValidationFailed):
        webhooks.create_subscription(
            actor=Actor.system(merchant), url="https://x.example", event_types=["case.exploded"]
        )
    assert not WebhookSubscription.objects.exists()
