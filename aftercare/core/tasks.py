"""Enqueueing tasks after commit (architecture rule 5).

A task enqueued inside a transaction that later rolls back must not run, and a task that
reads the rows it was given must find them committed.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.db import transaction
from django_tasks.base import Task


def enqueue_on_commit(
    task: Task, *args: Any, run_after: datetime | None = None, **kwargs: Any
) -> None:
    target = task.using(run_after=run_after) if run_after is not None else task
    transaction.on_commit(lambda: target.enqueue(*args, **kwargs))
