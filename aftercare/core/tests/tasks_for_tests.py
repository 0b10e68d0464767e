"""A task that does nothing, for tests that check when and whether something is enqueued."""

from __future__ import annotations

from django_tasks import task


@task()
def noop(value: int) -> int:
    return value
