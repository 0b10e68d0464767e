"""An event whose transaction commits after the consumer moved past its id is still notified,
exactly once (cursors.py)."""

from __future__ import annotations

import threading
from datetime import timedelta
from typing import Any

import pytest
from django.db import connection, transaction
from django.forms.models import model_to_dict
from django.utils import timezone

from aftercare.core.actors import Actor
from aftercare.notifications.consumer import CASE_CURSOR, consume_case_events
from aftercare.notifications.cursors import GAP_PATIENCE
from aftercare.notifications.models import ConsumerCursor, Notification
from aftercare.notifications.webhooks import consume_for_webhooks
from aftercare.policies.tests.factories import delivered_order
from aftercare.returns import events as case_events
from aftercare.returns.models import Case, CaseEvent
from aftercare.returns.tests.helpers import open_case


def _hold_back(event: CaseEvent) -> dict[str, Any]:
    """Take a committed event out, as if its transaction had not committed yet."""
    row = model_to_dict(event)
    row.update(id=event.pk, created_at=event.created_at)
    event.delete()
    return row


def _commit_late(row: dict[str, Any]) -> None:
    fields = {name: value for name, value in row.items() if name not in ("merchant", "case")}
    CaseEvent.objects.create(merchant_id=row["merchant"], case_id=row["case"], **fields)


def _submitted(case: Case) -> list[str]:
    sent = Notification.objects.filter(case=case, event="submitted")
    return sorted(sent.values_list("channel", flat=True))


def _open_new_case(merchant, store, agent_actor) -> Case:  # type: ignore[no-untyped-def]
    order, lines = delivered_order(merchant, store)
    return open_case(agent_actor, order, lines[:1])


def _a_case_in_flight(merchant, store, agent_actor, consume) -> tuple[Case, dict[str, Any]]:  # type: ignore[no-untyped-def]
    """A consumer that has read one case; then a case whose created event is held back (its
    transaction still open) while a later case commits, with larger ids."""
    _open_new_case(merchant, store, agent_actor)
    consume()
    late_case = _open_new_case(merchant, store, agent_actor)
    row = _hold_back(CaseEvent.objects.get(case=late_case, kind=case_events.CREATED))
    _open_new_case(merchant, store, agent_actor)
    return late_case, row


def test_an_event_committed_into_a_passed_gap_is_notified_on_the_next_run(
    reviewed, merchant, store, agent_actor, notify_settings
) -> None:
    late_case, row = _a_case_in_flight(merchant, store, agent_actor, consume_case_events)

    consume_case_events()
    cursor = ConsumerCursor.objects.get(name=CASE_CURSOR)
    assert cursor.last_id > row["id"] and str(row["id"]) in cursor.gaps
    assert _submitted(late_case) == []

    _commit_late(row)
    assert consume_case_events() == 1
    consume_case_events()  # nothing more: the gap is closed

    assert _submitted(late_case) == ["portal", "sms"]
    assert str(row["id"]) not in ConsumerCursor.objects.get(name=CASE_CURSOR).gaps


def test_a_gap_that_never_fills_is_given_up_after_the_patience(
    reviewed, merchant, store, agent_actor, notify_settings
) -> None:
    _, row = _a_case_in_flight(merchant, store, agent_actor, consume_case_events)
    rolled_back = row["id"]  # never put back
    consume_case_events()
    assert str(rolled_back) in ConsumerCursor.objects.get(name=CASE_CURSOR).gaps

    consume_case_events(now=timezone.now() + GAP_PATIENCE - timedelta(seconds=5))
    assert str(rolled_back) in ConsumerCursor.objects.get(name=CASE_CURSOR).gaps
    consume_case_events(now=timezone.now() + GAP_PATIENCE + timedelta(seconds=5))
    assert ConsumerCursor.objects.get(name=CASE_CURSOR).gaps == {}


def test_webhook_consumer_also_fills_gaps(
    reviewed, merchant, store, agent_actor, notify_settings
) -> None:
    from aftercare.notifications.models import WebhookDelivery, WebhookSubscription

    WebhookSubscription.objects.create(
        merchant=merchant, url="https://hooks.acme.test/x", secret="s", event_types=[]
    )
    _, row = _a_case_in_flight(merchant, store, agent_actor, consume_for_webhooks)
    consume_for_webhooks()
    event_id = f"case-event-{row['id']}"
    assert not WebhookDelivery.objects.filter(event_id=event_id).exists()

    _commit_late(row)
    consume_for_webhooks()
    consume_for_webhooks()

    assert WebhookDelivery.objects.filter(event_id=event_id).count() == 1


@pytest.mark.django_db(transaction=True)
def test_on_postgresql_a_transaction_slower_than_the_lag_is_still_notified(
    reviewed, merchant, store, agent_actor, notify_settings
) -> None:
    if connection.vendor != "postgresql":
        pytest.skip("SQLite serialises writers, so its ids commit in order")
    slow_order, slow_lines = delivered_order(merchant, store)
    fast_order, fast_lines = delivered_order(merchant, store)
    consume_case_events()
    wrote, release = threading.Event(), threading.Event()
    slow_case: list[Case] = []

    def slow_writer() -> None:
        try:
            with transaction.atomic():
                slow_case.append(open_case(agent_actor, slow_order, slow_lines[:1]))
                wrote.set()
                release.wait(10)
        finally:
            connection.close()

    thread = threading.Thread(target=slow_writer)
    thread.start()
    assert wrote.wait(10)
    fast_case = open_case(Actor.system(merchant), fast_order, fast_lines[:1])
    consume_case_events(lag=timedelta(0))  # reads the fast case's events, past the slow ids
    assert _submitted(fast_case) == ["portal", "sms"]
    release.set()
    thread.join(10)

    consume_case_events(lag=timedelta(0))
    consume_case_events(lag=timedelta(0))

    assert _submitted(slow_case[0]) == ["portal", "sms"]
    assert _submitted(fast_case) == ["portal", "sms"]
