"""Language, preferred channel with fallback, opt-outs and quiet hours (time-machine)."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

import time_machine

from aftercare.notifications.consumer import consume_case_events
from aftercare.notifications.models import ContactPreference, Notification
from aftercare.notifications.tests.conftest import run_worker
from aftercare.returns.tests.helpers import open_case

SHANGHAI = ZoneInfo("Asia/Shanghai")


def _prefer(order, **fields) -> ContactPreference:  # type: ignore[no-untyped-def]
    return ContactPreference.objects.create(
        merchant=order.merchant, customer=order.customer, **fields
    )


def test_an_opted_out_channel_falls_back_to_the_next(
    reviewed, order_lines, agent_actor, notify_settings, smtp, sms
) -> None:
    order, lines = order_lines
    _prefer(order, opted_out=["sms"])
    open_case(agent_actor, order, lines[:1])

    consume_case_events()
    run_worker()

    assert sms.requests == [] and len(smtp.messages) == 1


def test_opting_out_after_queueing_still_stops_the_message(
    reviewed, order_lines, agent_actor, notify_settings, smtp, sms
) -> None:
    order, lines = order_lines
    open_case(agent_actor, order, lines[:1])
    consume_case_events()
    _prefer(order, opted_out=["sms"])

    run_worker()

    assert sms.requests == []
    sms_row = Notification.objects.get(channel="sms")
    assert sms_row.status == "skipped" and "opted out" in sms_row.reason


def test_opted_out_of_everything_leaves_only_the_portal_notice(
    reviewed, order_lines, agent_actor, notify_settings, smtp, sms
) -> None:
    order, lines = order_lines
    _prefer(order, opted_out=["sms", "email", "voice"])
    open_case(agent_actor, order, lines[:1])

    consume_case_events()
    run_worker()

    assert list(Notification.objects.values_list("channel", flat=True)) == ["portal"]
    assert sms.requests == [] and smtp.messages == []


def test_no_phone_means_email(
    reviewed, order_lines, agent_actor, notify_settings, smtp, sms
) -> None:
    order, lines = order_lines
    order.customer.phone = ""
    order.customer.save()
    open_case(agent_actor, order, lines[:1])

    consume_case_events()
    run_worker()

    assert len(smtp.messages) == 1 and sms.requests == []


def test_an_sms_due_at_night_waits_for_the_morning_in_the_customers_zone(
    reviewed, order_lines, agent_actor, notify_settings, smtp, sms
) -> None:
    order, lines = order_lines
    _prefer(order, timezone="Asia/Shanghai")
    with time_machine.travel(datetime(2026, 11, 23, 23, 30, tzinfo=SHANGHAI), tick=False):
        open_case(agent_actor, order, lines[:1])
        consume_case_events()
        run_worker()
        assert sms.requests == []  # 23:30 in Shanghai: quiet
        row = Notification.objects.get(channel="sms")
        assert row.due_at == datetime(2026, 11, 24, 8, 0, tzinfo=SHANGHAI)
        assert Notification.objects.get(channel="portal").status == "delivered"
    with time_machine.travel(datetime(2026, 11, 24, 7, 59, tzinfo=SHANGHAI), tick=False):
        run_worker()
        assert sms.requests == []
    with time_machine.travel(datetime(2026, 11, 24, 8, 0, 1, tzinfo=SHANGHAI), tick=False):
        run_worker()
        assert len(sms.requests) == 1


def test_the_same_hour_is_daytime_in_another_zone(
    reviewed, order_lines, agent_actor, notify_settings, smtp, sms
) -> None:
    order, lines = order_lines
    _prefer(order, timezone="Europe/London")  # 23:30 Shanghai is 15:30 in London
    with time_machine.travel(datetime(2026, 11, 23, 23, 30, tzinfo=SHANGHAI), tick=False):
        open_case(agent_actor, order, lines[:1])
        consume_case_events()
        run_worker()

    assert len(sms.requests) == 1


def test_email_is_not_held_in_quiet_hours(
    reviewed, order_lines, agent_actor, notify_settings, smtp, sms
) -> None:
    order, lines = order_lines
    _prefer(order, preferred_channel="email")
    with time_machine.travel(datetime(2026, 11, 23, 23, 30, tzinfo=SHANGHAI), tick=False):
        open_case(agent_actor, order, lines[:1])
        consume_case_events()
        run_worker()

    assert len(smtp.messages) == 1


def test_language_follows_the_customer(
    reviewed, order_lines, agent_actor, notify_settings, smtp, sms
) -> None:
    order, lines = order_lines
    order.customer.language = "zh-Hant"
    order.customer.save()
    open_case(agent_actor, order, lines[:1])

    consume_case_events()

    row = Notification.objects.get(channel="sms")
    assert row.language == "zh-Hant" and "您的售後申請" in row.body
