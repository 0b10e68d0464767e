"""Enqueueing tasks after commit (architecture rule 5), and core's own tasks.

A task enqueued inside a transaction that later rolls back must not run, and a task that
reads the rows it was given must find them committed.
"""

from __future__ import annotations

import os
import socket
import uuid
from datetime import datetime
from typing import Any

from django.db import transaction
from django_tasks import task
from django_tasks.base import Task


def enqueue_on_commit(
    task: Task, *args: Any, run_after: datetime | None = None, **kwargs: Any
) -> None:
    """Enqueue `task` once the current transaction commits; never if it rolls back.

    Outside a transaction (autocommit) Django runs the callback at once.
    """
    target = task.using(run_after=run_after) if run_after is not None else task
    transaction.on_commit(lambda: target.enqueue(*args, **kwargs))


def worker_identity() -> str:
    # Host and pid say which process held a claim; the random tail tells apart two claims
    # made by the same process, so a late outcome from a lost lease is recognised.
    return f"{socket.gethostname()[:32]}:{os.getpid()}:{uuid.uuid4().hex[:8]}"


@task()
def deliver_outbox(message_id: int) -> str:
    """Deliver one outbox message. Safe to run twice: the claim lets only one run act."""
    from aftercare.core.outbox import deliver_outbox_message

    return deliver_outbox_message(message_id, worker_id=worker_identity())


@task()
def requeue_due_outbox() -> int:
    """Re-enqueue outbox messages whose delivery task was lost; returns how many."""
    from aftercare.core.outbox import requeue_due_outbox as requeue

    return requeue()
