"""enqueue_on_commit: a task leaves only when its transaction commits (architecture rule 5)."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta

import pytest
from django.db import transaction
from django.utils import timezone
from django_tasks import TaskResult, task_backends
from django_tasks.signals import task_enqueued

from aftercare.core.tasks import enqueue_on_commit
from aftercare.core.tests.tasks_for_tests import noop


@pytest.fixture
def enqueued() -> Iterator[list[TaskResult]]:
    """Results of every enqueue on whichever backend is configured (database or RQ)."""
    seen: list[TaskResult] = []

    def receive(sender: object, task_result: TaskResult, **kwargs: object) -> None:
        seen.append(task_result)

    task_enqueued.connect(receive)
    yield seen
    task_enqueued.disconnect(receive)


@pytest.mark.django_db(transaction=True)
def test_enqueued_only_after_commit_on_the_configured_backend(enqueued) -> None:
    with transaction.atomic():
        enqueue_on_commit(noop, 7)
        assert enqueued == []

    [result] = enqueued
    assert list(result.args) == [7]
    stored = task_backends["default"].get_result(result.id)  # really in the queue or table
    assert stored.task.name == "noop"


@pytest.mark.django_db(transaction=True)
def test_nothing_enqueued_after_rollback(enqueued) -> None:
    with pytest.raises(ZeroDivisionError), transaction.atomic():
        enqueue_on_commit(noop, 1)
        1 / 0  # noqa: B018

    assert enqueued == []


@pytest.mark.django_db(transaction=True)
def test_inner_savepoint_rollback_drops_only_its_own_task(dummy_tasks) -> None:
    with transaction.atomic():
        enqueue_on_commit(noop, 1)
        try:
            with transaction.atomic():
                enqueue_on_commit(noop, 2)
                raise ValueError
        except ValueError:
            pass

    assert [tuple(r.args) for r in dummy_tasks.results] == [(1,)]


@pytest.mark.django_db(transaction=True)
def test_run_after_is_passed_to_the_backend(dummy_tasks) -> None:
    later = timezone.now() + timedelta(minutes=5)

    enqueue_on_commit(noop, 3, run_after=later)

    [result] = dummy_tasks.results
    assert result.task.run_after == later
