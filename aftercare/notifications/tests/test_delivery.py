"""Providers against real loopback servers; retries, permanent failures, the failed queue,
resend, signed delivery callbacks, and send_to_customer() for other apps."""

from __future__ import annotations

import json
from datetime import timedelta
from urllib.parse import urlencode

import pytest
import time_machine
from django.test import Client
from django.utils import timezone

from aftercare.core.errors import ExternalServiceError, NotFound
from aftercare.core.inbox import sign
from aftercare.core.outbox_models import OutboxMessage
from aftercare.integrations.http_sms.gateway import HttpSmsGateway
from aftercare.integrations.twilio.messages import TwilioSms, twilio_signature
from aftercare.notifications.consumer import consume_case_events
from aftercare.notifications.delivery import (
    clear_settings_cache,
    resend_notification,
    send_to_customer,
)
from aftercare.notifications.models import Notification
from aftercare.notifications.providers import OutgoingSms
from aftercare.notifications.tests.conftest import run_worker
from aftercare.notifications.tests.servers import http_server
from aftercare.returns.tests.helpers import open_case


def test_twilio_messages_api_form_auth_and_sid() -> None:
    with http_server("twilio") as twilio:
        provider = TwilioSms(
            account_sid="AC123", auth_token="tok", sender="+15005550006", api_base=twilio.url
        )
        sent = provider.send_sms(
            OutgoingSms(
                to="+8613800000000", body="你好", reference="r1", status_callback="https://x/cb"
            )
        )

    request = twilio.requests[0]
    assert request["path"] == "/2010-04-01/Accounts/AC123/Messages.json"
    assert request["headers"]["Content-Type"] == "application/x-www-form-urlencoded"
    assert request["basic"] == "AC123:tok"
    assert request["form"] == {
        "To": "+8613800000000",
        "From": "+15005550006",
        "Body": "你好",
        "StatusCallback": "https://x/cb",
    }
    assert sent.provider == "twilio" and sent.reference.startswith("SM")


def test_twilio_4xx_is_permanent_with_twilios_code_and_5xx_is_retried() -> None:
    with http_server("twilio") as twilio:
        twilio.statuses = [400, 503]
        provider = TwilioSms(account_sid="AC1", auth_token="t", sender="+1", api_base=twilio.url)
        with pytest.raises(ExternalServiceError) as bad:
            provider.send_sms(OutgoingSms(to="+0", body="x", reference="r"))
        with pytest.raises(ExternalServiceError) as down:
            provider.send_sms(OutgoingSms(to="+1", body="x", reference="r"))

    assert bad.value.permanent and "21211" in bad.value.detail and "not valid" in bad.value.detail
    assert not down.value.permanent


def test_http_gateway_body_template_escapes_values() -> None:
    gateway = HttpSmsGateway(url="http://x", body_template='{"n": "$to", "t": "$body"}')

    body = gateway.body_for(OutgoingSms(to="+86", body='say "hi"\n', reference="r"))

    assert json.loads(body) == {"n": "+86", "t": 'say "hi"\n'}


def test_a_5xx_retries_with_backoff_then_delivers_once(
    reviewed, order_lines, agent_actor, notify_settings, smtp, sms
) -> None:
    order, lines = order_lines
    sms.statuses = [503]
    open_case(agent_actor, order, lines[:1])
    consume_case_events()

    run_worker()
    message = OutboxMessage.objects.get(topic="notifications.deliver")
    assert message.status == "pending" and message.attempts == 1
    assert Notification.objects.get(channel="sms").status == "queued"
    with time_machine.travel(message.next_attempt_at + timedelta(seconds=1), tick=False):
        run_worker()

    row = Notification.objects.get(channel="sms")
    assert row.status == "sent" and row.provider_ref == "gw-2"
    assert sms.keys() == [row.dedupe_key, row.dedupe_key]  # the same Idempotency-Key


def test_a_4xx_fails_for_good_lands_in_the_queue_and_can_be_resent(
    reviewed, order_lines, agent_actor, supervisor, notify_settings, smtp, sms
) -> None:
    from aftercare.core.testing import actor_of_member

    order, lines = order_lines
    sms.statuses = [400]
    open_case(agent_actor, order, lines[:1])
    consume_case_events()
    run_worker()

    row = Notification.objects.get(channel="sms")
    assert row.status == "failed" and "400" in row.reason
    client = Client()
    client.force_login(supervisor.user)
    page = client.get("/notifications/")
    assert row.recipient in page.content.decode() and "400" in page.content.decode()

    response = client.post(f"/notifications/{row.pk}/resend/")
    assert response.status_code == 302
    run_worker()

    row.refresh_from_db()
    assert row.status == "sent" and len(sms.requests) == 2
    with pytest.raises(Exception, match="Only a failed"):
        resend_notification(actor=actor_of_member(supervisor), notification_id=row.pk)


def test_an_agent_sees_the_queue_but_cannot_resend(
    reviewed, order_lines, agent_actor, agent, notify_settings, smtp, sms
) -> None:
    order, lines = order_lines
    sms.statuses = [400]
    open_case(agent_actor, order, lines[:1])
    consume_case_events()
    run_worker()
    row = Notification.objects.get(channel="sms")
    client = Client()
    client.force_login(agent.user)

    response = client.post(f"/notifications/{row.pk}/resend/")

    assert response.status_code == 403
    row.refresh_from_db()
    assert row.status == "failed"


def test_signed_twilio_status_callback_marks_delivered_and_a_bad_signature_changes_nothing(
    reviewed, order_lines, agent_actor, notify_settings
) -> None:
    order, lines = order_lines
    with http_server("twilio") as twilio:
        notify_settings.sms_provider = "twilio"
        notify_settings.twilio_account_sid, notify_settings.twilio_auth_token = "AC1", "secret-tok"
        notify_settings.twilio_api_base = twilio.url
        notify_settings.save()
        open_case(agent_actor, order, lines[:1])
        consume_case_events()
        run_worker()
    row = Notification.objects.get(channel="sms")
    assert twilio.requests[0]["form"]["StatusCallback"].endswith(
        f"/notifications/callbacks/twilio/{order.merchant_id}/status/"
    )
    path = f"/notifications/callbacks/twilio/{order.merchant_id}/status/"
    params = {"MessageSid": row.provider_ref, "MessageStatus": "delivered", "To": row.recipient}
    good = twilio_signature("secret-tok", "https://care.acme.test" + path, params)
    client = Client()

    forged = client.post(
        path,
        urlencode(params),
        content_type="application/x-www-form-urlencoded",
        HTTP_X_TWILIO_SIGNATURE="bm9wZQ==",
    )
    row.refresh_from_db()
    assert forged.status_code == 403 and row.status == "sent"

    for _ in range(2):  # Twilio retries callbacks; the second is recognised
        ok = client.post(
            path,
            urlencode(params),
            content_type="application/x-www-form-urlencoded",
            HTTP_X_TWILIO_SIGNATURE=good,
        )
        assert ok.status_code == 204
    row.refresh_from_db()
    assert row.status == "delivered" and row.delivered_at is not None


def test_signed_gateway_callback_reports_a_failure_with_the_reason(
    reviewed, order_lines, agent_actor, notify_settings, smtp, sms
) -> None:
    order, lines = order_lines
    notify_settings.callback_secret = "cb-secret"
    notify_settings.save()
    open_case(agent_actor, order, lines[:1])
    consume_case_events()
    run_worker()
    row = Notification.objects.get(channel="sms")
    body = json.dumps(
        {"reference": row.provider_ref, "status": "failed", "reason": "handset off"}
    ).encode()
    path = f"/notifications/callbacks/sms/{order.merchant_id}/status/"

    unsigned = Client().post(path, body, content_type="application/json")
    signed = Client().post(
        path,
        body,
        content_type="application/json",
        HTTP_AFTERCARE_SIGNATURE=sign("cb-secret", body),
    )

    assert unsigned.status_code == 403 and signed.status_code == 204
    row.refresh_from_db()
    assert row.status == "failed" and row.reason == "handset off"


def test_send_to_customer_queues_once_and_delivers_by_sms(
    merchant, order_lines, notify_settings, smtp, sms, other_merchant
) -> None:
    order, _ = order_lines
    first = send_to_customer(
        merchant_id=merchant.pk,
        customer_id=order.customer_id,
        channel="sms",
        body="Your parcel is on its way back to you.",
        dedupe_key="reply:1",
    )
    again = send_to_customer(
        merchant_id=merchant.pk,
        customer_id=order.customer_id,
        channel="sms",
        body="Your parcel is on its way back to you.",
        dedupe_key="reply:1",
    )
    run_worker()

    assert first.pk == again.pk
    assert [json.loads(r["body"])["text"] for r in sms.requests] == [
        "Your parcel is on its way back to you."
    ]
    with pytest.raises(NotFound):
        send_to_customer(
            merchant_id=other_merchant.pk,
            customer_id=order.customer_id,
            channel="sms",
            body="x",
            dedupe_key="reply:2",
        )


def test_a_worker_killed_mid_send_retries_with_the_same_reference(
    reviewed, order_lines, agent_actor, notify_settings, smtp, sms
) -> None:
    """The row was marked sending and the claim never finished: after the lease the next
    worker sends again, with the same Idempotency-Key, and records it once."""
    from aftercare.core.outbox import CLAIM_LEASE

    order, lines = order_lines
    open_case(agent_actor, order, lines[:1])
    consume_case_events()
    message = OutboxMessage.objects.get(topic="notifications.deliver")
    # What a killed worker leaves: claimed, attempt counted, row marked sending.
    OutboxMessage.objects.filter(pk=message.pk).update(
        status="claimed", claimed_by="dead", claimed_at=timezone.now(), attempts=1
    )
    Notification.objects.filter(channel="sms").update(status="sending")

    with time_machine.travel(timezone.now() + CLAIM_LEASE + timedelta(seconds=1), tick=False):
        from aftercare.core.outbox import deliver_outbox_message

        assert deliver_outbox_message(message.pk, worker_id="new") == "succeeded"

    row = Notification.objects.get(channel="sms")
    assert row.status == "sent" and sms.keys() == [row.dedupe_key]


def test_a_message_can_be_resent_more_than_once(
    reviewed, order_lines, agent_actor, supervisor, notify_settings, smtp, sms
) -> None:
    from aftercare.core.testing import actor_of_member

    order, lines = order_lines
    sms.statuses = [400, 400]
    open_case(agent_actor, order, lines[:1])
    consume_case_events()
    run_worker()
    actor = actor_of_member(supervisor)
    row = Notification.objects.get(channel="sms")

    resend_notification(actor=actor, notification_id=row.pk)
    run_worker()
    row.refresh_from_db()
    assert row.status == "failed"
    resend_notification(actor=actor, notification_id=row.pk)
    run_worker()

    row.refresh_from_db()
    assert row.status == "sent" and len(sms.requests) == 3


def test_a_batch_of_messages_costs_a_few_queries_plus_one_per_message(
    reviewed, merchant, store, agent_actor, notify_settings, smtp, sms
) -> None:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from aftercare.core.outbox import deliver_due
    from aftercare.notifications.messages import DELIVER_TOPIC
    from aftercare.policies.tests.factories import delivered_order

    counts = {}
    for cases in (2, 6):
        for _ in range(cases):
            order, lines = delivered_order(merchant, store)
            open_case(agent_actor, order, lines[:1])
        consume_case_events()
        clear_settings_cache()  # read once per batch in both rounds
        with CaptureQueriesContext(connection) as queries:
            outcomes = deliver_due(topic=DELIVER_TOPIC, worker_id="w", limit=50)
        assert list(outcomes.values()) == ["succeeded"] * cases
        counts[cases] = len(queries)

    assert counts[6] - counts[2] == 4  # the notification's own status update, nothing else
    assert len(smtp.message_ids()) + len(sms.keys()) == 8
