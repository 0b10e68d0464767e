"""Collaboration (S5): internal notes with @mentions and follow-up tasks with due times.

A mention is `@username` (or the member's display name without spaces); the mentioned member
gets a toast through the realtime feed. Notes are internal: never shown to the customer.
"""

from __future__ import annotations

import re
from datetime import datetime

from django.db import transaction
from django.utils import timezone

from aftercare.core.actors import Actor
from aftercare.core.api import require
from aftercare.core.audit import record_event
from aftercare.core.errors import NotFound, ValidationFailed
from aftercare.core.tasks import enqueue_on_commit
from aftercare.merchants.models import Member
from aftercare.merchants.queries import scoped
from aftercare.tickets import actions, notify
from aftercare.tickets.models import FollowUp, Ticket, TicketNote
from aftercare.tickets.tasks import follow_up_due

MENTION = re.compile(r"@([\w.\-]+)")
MAX_NOTE = 10_000


def mentioned_members(actor: Actor, body: str) -> list[Member]:
    handles = {h.lower() for h in MENTION.findall(body)}
    if not handles:
        return []
    members = scoped(Member, actor.merchant).select_related("user")
    return [
        m
        for m in members
        if m.user.username.lower() in handles
        or (m.display_name and m.display_name.replace(" ", "").lower() in handles)
    ]


def add_note(*, actor: Actor, ticket: Ticket, body: str) -> TicketNote:
    require(actor, "desk.write")
    body = body.strip()
    if not body or len(body) > MAX_NOTE:
        raise ValidationFailed("A note of 1 to 10000 characters.", errors=[{"loc": ["body"]}])
    mentioned = mentioned_members(actor, body)
    with transaction.atomic():
        locked = actions.lock(ticket)
        note = TicketNote.objects.create(
            merchant_id=locked.merchant_id,
            ticket=locked,
            author_id=actions._member_id(actor),
            author_label=actor.label,
            body=body,
            mentions=[m.pk for m in mentioned],
        )
        record_event(
            actor=actor,
            subject=locked,
            kind="note",
            data={"note_id": note.pk, "mentions": [m.pk for m in mentioned]},
        )
        if mentioned:
            notify.ticket_event(
                notify.MENTIONED,
                locked,
                user_ids=[m.user_id for m in mentioned],
                by=actor.label,
            )
    return note


def add_follow_up(
    *, actor: Actor, ticket: Ticket, member_id: int, text: str, due_at: datetime
) -> FollowUp:
    """A task for someone (the warehouse checks a parcel, finance a payment) by a due time."""
    require(actor, "desk.write")
    text = text.strip()
    if not text or len(text) > 500:
        raise ValidationFailed("A task of 1 to 500 characters.", errors=[{"loc": ["text"]}])
    if due_at <= timezone.now():
        raise ValidationFailed("The due time must be in the future.", errors=[{"loc": ["due_at"]}])
    member = actions._member(actor, member_id)
    with transaction.atomic():
        locked = actions.lock(ticket)
        actions._require_live(locked)
        follow_up = FollowUp.objects.create(
            merchant_id=locked.merchant_id,
            ticket=locked,
            assignee=member,
            text=text,
            due_at=due_at,
            created_by_label=actor.label,
        )
        record_event(
            actor=actor,
            subject=locked,
            kind="follow_up",
            data={
                "follow_up_id": follow_up.pk,
                "member_id": member.pk,
                "due_at": due_at.isoformat(),
            },
        )
        notify.ticket_event(
            notify.FOLLOW_UP,
            locked,
            user_ids=[member.user_id],
            text=text,
            due_at=due_at.isoformat(),
        )
        enqueue_on_commit(follow_up_due, follow_up.pk, due_at.isoformat(), run_after=due_at)
    return follow_up


def complete_follow_up(*, actor: Actor, follow_up_id: int) -> FollowUp:
    require(actor, "desk.write")
    follow_up = scoped(FollowUp, actor.merchant).filter(pk=follow_up_id).first()
    if follow_up is None:
        raise NotFound("No such follow-up.")
    with transaction.atomic():
        updated = FollowUp.objects.filter(pk=follow_up.pk, done_at__isnull=True).update(
            done_at=timezone.now()
        )
        if updated:
            record_event(
                actor=actor,
                subject=follow_up.ticket,
                kind="follow_up_done",
                data={"follow_up_id": follow_up.pk},
            )
    follow_up.refresh_from_db()
    return follow_up
