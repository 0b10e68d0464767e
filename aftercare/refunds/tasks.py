"""Tasks of refunds: take ids or nothing, call actions, safe to run twice."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.utils import timezone
from django_tasks import task

RECONCILE_EVERY = timedelta(minutes=10)


@task()
def reconcile_refunds(reschedule: bool = False) -> dict[str, Any]:
    """Re-check executions stuck in 'requested'; with reschedule, again every 10 minutes."""
    from aftercare.refunds.execution import reconcile

    counts = reconcile()
    if reschedule:
        reconcile_refunds.using(run_after=timezone.now() + RECONCILE_EVERY).enqueue(True)
    return counts


@task()
def reconcile_refund(execution_id: int) -> str:
    """Ask the gateway about one execution (scheduled with run_after when it was sent or
    answered 'pending'). Safe to run twice: an answered execution is left alone."""
    from aftercare.refunds.execution import reconcile_execution

    return reconcile_execution(execution_id)
