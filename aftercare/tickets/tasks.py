"""Delayed SLA tasks: a reminder before each deadline, then a check at it.

Enqueued on commit with `run_after` when a clock starts or moves (sla.schedule): the reminder
run enqueues the breach run at the deadline, so a clock costs one queued task at a time.
Nothing scans all tickets. Each run re-reads the ticket under a lock and acts only when
the deadline it was scheduled for is still the ticket's current one and has not been
handled: a deadline that moved (pause, reply, resume) leaves the old task with nothing to
do, and running a task twice changes nothing the second time.
"""

from __future__ import annotations

from datetime import datetime

from django.db import transaction
from django.utils import timezone
from django_tasks import task

from aftercare.core.actors import Actor
from aftercare.core.audit import record_event
from aftercare.core.tasks import enqueue_on_commit
from aftercare.tickets import actions, notify
from aftercare.tickets.models import Ticket
from aftercare.tickets.sla import record_outcome
from aftercare.tickets.states import DUE_FIELD, LIVE


@task()
def sla_deadline(ticket_id: int, kind: str, due_iso: str, stage: str) -> str:
    """stage "remind": tell the assignee; stage "breach": record the miss and escalate."""
    with transaction.atomic():
        ticket = Ticket.objects.select_for_update().filter(pk=ticket_id).first()
        if ticket is None or ticket.status not in LIVE or kind not in DUE_FIELD:
            return "gone"
        due: datetime | None = getattr(ticket, DUE_FIELD[kind])
        if due is None or due != datetime.fromisoformat(due_iso):
            return "stale"
        now = timezone.now()
        if stage == "remind":
            # The breach check follows at the deadline, whatever the reminder found.
            enqueue_on_commit(sla_deadline, ticket_id, kind, due_iso, "breach", run_after=due)
            return _remind(ticket, kind, due_iso)
        if now < due:
            # Run early (a clock skew between servers): try again at the deadline.
            enqueue_on_commit(sla_deadline, ticket_id, kind, due_iso, stage, run_after=due)
            return "early"
        return _breach(ticket, kind, due, due_iso)


def _remind(ticket: Ticket, kind: str, due_iso: str) -> str:
    if ticket.reminded.get(kind) == due_iso:
        return "done"
    ticket.reminded = {**ticket.reminded, kind: due_iso}
    ticket.save(update_fields=["reminded", "updated_at"])
    actor = Actor.system(ticket.merchant, "sla")
    record_event(actor=actor, subject=ticket, kind="sla_reminder", data={"clock": kind})
    assignee_user = ticket.assignee.user_id if ticket.assignee else None
    notify.ticket_event(notify.REMINDER, ticket, user_ids=[assignee_user], clock=kind)
    return "reminded"


def _breach(ticket: Ticket, kind: str, due: datetime, due_iso: str) -> str:
    if ticket.breached.get(kind) == due_iso:
        return "done"
    ticket.breached = {**ticket.breached, kind: due_iso}
    record_outcome(ticket, kind, due=due, stopped_at=None, hit=False)
    actor = Actor.system(ticket.merchant, "sla")
    record_event(actor=actor, subject=ticket, kind="sla_breached", data={"clock": kind})
    actions._escalate(actor, ticket, reason=f"{kind} deadline missed", breach=kind)
    return "escalated"


@task()
def follow_up_due(follow_up_id: int, due_iso: str) -> str:
    """At a follow-up's due time: remind its assignee unless it is done (or was moved)."""
    from aftercare.tickets.models import FollowUp

    with transaction.atomic():
        follow_up = (
            FollowUp.objects.select_for_update()
            .select_related("ticket", "assignee")
            .filter(pk=follow_up_id)
            .first()
        )
        if follow_up is None or follow_up.done_at is not None:
            return "done"
        if follow_up.due_at != datetime.fromisoformat(due_iso):
            return "stale"
        ticket = follow_up.ticket
        actor = Actor.system(ticket.merchant, "follow-up")
        record_event(
            actor=actor,
            subject=ticket,
            kind="follow_up_due",
            data={"follow_up_id": follow_up.pk, "member_id": follow_up.assignee_id},
        )
        notify.ticket_event(
            notify.FOLLOW_UP,
            ticket,
            user_ids=[follow_up.assignee.user_id],
            text=follow_up.text,
            due=True,
        )
        return "reminded"
