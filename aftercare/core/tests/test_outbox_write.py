"""write_outbox: the message exists only if the business transaction commits, once per key."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core.exceptions import ImproperlyConfigured
from django.db import transaction
from django.utils import timezone

from aftercare.core.errors import Conflict
from aftercare.core.outbox import write_outbox
from aftercare.core.outbox_models import OutboxMessage, OutboxStatus
from aftercare.core.tasks import deliver_outbox
from aftercare.core.testing import MerchantFactory
from aftercare.core.tests.conftest import TEST_TOPIC


def _enqueued(backend) -> list[tuple[str, tuple]]:
    return [(r.task.name, tuple(r.args)) for r in backend.results]


@pytest.mark.django_db(transaction=True)
def test_committed_write_creates_a_pending_row_and_enqueues_delivery_after_commit(
    dummy_tasks, recording_handler
) -> None:
    merchant = MerchantFactory()

    with transaction.atomic():
        message = write_outbox(
            merchant=merchant, topic=TEST_TOPIC, dedupe_key="case:1:sms", payload={"to": "+86"}
        )
        assert dummy_tasks.results == []  # nothing leaves before the commit

    assert message.status == OutboxStatus.PENDING
    assert message.attempts == 0
    assert _enqueued(dummy_tasks) == [(deliver_outbox.name, (message.pk,))]


@pytest.mark.django_db(transaction=True)
def test_rolled_back_write_leaves_no_row_and_enqueues_nothing(
    dummy_tasks, recording_handler
) -> None:
    merchant = MerchantFactory()

    with pytest.raises(RuntimeError), transaction.atomic():
        write_outbox(merchant=merchant, topic=TEST_TOPIC, dedupe_key="case:2:sms", payload={})
        raise RuntimeError("the business change failed")

    assert not OutboxMessage.objects.exists()
    assert dummy_tasks.results == []


@pytest.mark.django_db(transaction=True)
def test_same_dedupe_key_returns_the_existing_message_and_enqueues_once(
    dummy_tasks, recording_handler
) -> None:
    merchant = MerchantFactory()
    first = write_outbox(merchant=merchant, topic=TEST_TOPIC, dedupe_key="k", payload={"n": 1})

    with transaction.atomic():
        again = write_outbox(merchant=merchant, topic=TEST_TOPIC, dedupe_key="k", payload={"n": 2})

    assert again.pk == first.pk
    assert again.payload == {"n": 1}
    assert OutboxMessage.objects.count() == 1
    assert len(dummy_tasks.results) == 1


def test_dedupe_key_of_another_merchant_is_a_conflict_not_a_leak(
    db, dummy_tasks, recording_handler
) -> None:
    write_outbox(merchant=MerchantFactory(), topic=TEST_TOPIC, dedupe_key="k", payload={})

    with pytest.raises(Conflict):
        write_outbox(merchant=MerchantFactory(), topic=TEST_TOPIC, dedupe_key="k", payload={})


@pytest.mark.django_db(transaction=True)
def test_run_after_delays_both_the_row_and_the_task(dummy_tasks, recording_handler) -> None:
    later = timezone.now() + timedelta(hours=24)

    message = write_outbox(
        merchant=MerchantFactory(),
        topic=TEST_TOPIC,
        dedupe_key="survey",
        payload={},
        run_after=later,
    )

    assert message.next_attempt_at == later
    assert [r.task.run_after for r in dummy_tasks.results] == [later]


def test_unregistered_topic_is_refused_at_write_time(db, dummy_tasks) -> None:
    with pytest.raises(ImproperlyConfigured, match=r"no\.such\.topic"):
        write_outbox(merchant=MerchantFactory(), topic="no.such.topic", dedupe_key="x", payload={})
