"""Fixtures: a real SMTP server, an HTTP SMS sink, a merchant whose notices go through them,
and `run_worker()`, which does what the task worker does for our outbox topics."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any

import pytest
import time_machine
from django.utils import timezone

from aftercare.commerce.models import Order, OrderLine
from aftercare.core.outbox import deliver_outbox_message
from aftercare.core.outbox_models import OutboxMessage, OutboxStatus
from aftercare.merchants.models import Merchant, Store
from aftercare.notifications.delivery import clear_settings_cache
from aftercare.notifications.models import NotificationSettings
from aftercare.notifications.tests.servers import HttpSink, SmtpSink, http_server, smtp_server
from aftercare.policies.tests.factories import delivered_order
from aftercare.returns.tests.helpers import install_policy

TOPICS = ("notifications.deliver", "notifications.webhook")


@pytest.fixture(autouse=True)
def _fresh_settings_cache() -> Iterator[None]:
    # Ids are reused after a test's rollback; a cached row must not leak into the next test.
    clear_settings_cache()
    yield
    clear_settings_cache()


@pytest.fixture(autouse=True)
def _no_consumer_lag(monkeypatch: pytest.MonkeyPatch) -> None:
    # Tests consume the events they just wrote; the PostgreSQL lag has its own test.
    from datetime import timedelta

    from aftercare.notifications import consumer

    monkeypatch.setattr(consumer, "POSTGRES_LAG", timedelta(0))


@pytest.fixture
def smtp(settings: Any) -> Iterator[SmtpSink]:
    with smtp_server() as (sink, port):
        settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
        settings.EMAIL_HOST = "127.0.0.1"
        settings.EMAIL_PORT = port
        yield sink


@pytest.fixture
def sms() -> Iterator[HttpSink]:
    with http_server("sms") as sink:
        yield sink


# 10:00 in Shanghai (the test merchant's zone), a Wednesday: outside quiet hours, so a test
# that does not set its own clock never finds its SMS held until morning because the suite
# happened to run in the evening. Tests about quiet hours travel to their own times.
DAYTIME = datetime(2026, 11, 18, 2, 0, tzinfo=UTC)


@pytest.fixture(autouse=True)
def _daytime() -> Iterator[None]:
    with time_machine.travel(DAYTIME, tick=True):
        yield


@pytest.fixture
def notify_settings(merchant: Merchant, sms: HttpSink) -> NotificationSettings:
    return NotificationSettings.objects.create(
        merchant=merchant,
        enabled_channels=["sms", "email", "portal"],
        sms_provider="http",
        http_sms_url=sms.url + "/send",
        http_sms_auth_header="Bearer gw-token",
        sms_from="ACME",
        email_from="care@acme.test",
        public_base_url="https://care.acme.test",
    )


@pytest.fixture
def reviewed(merchant: Merchant) -> Any:
    return install_policy(merchant, "custom")


@pytest.fixture
def order_lines(merchant: Merchant, store: Store) -> tuple[Order, list[OrderLine]]:
    return delivered_order(merchant, store)


def run_worker(max_rounds: int = 20) -> int:
    """Deliver every due message of our topics, as the worker would; returns deliveries."""
    done = 0
    for _ in range(max_rounds):
        due = list(
            OutboxMessage.objects.filter(
                topic__in=TOPICS, status=OutboxStatus.PENDING, next_attempt_at__lte=timezone.now()
            ).values_list("pk", flat=True)
        )
        if not due:
            break
        for pk in due:
            deliver_outbox_message(pk, worker_id="test-worker")
            done += 1
    return done
