"""What the console's ticket pages show: a ticket's context (clocks beside the case clock,
notes, follow-ups, timeline, choices for the action forms) and the polling feed."""

from __future__ import annotations

from typing import Any

from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import pgettext

from aftercare.core.audit import subject_label, timeline_of
from aftercare.core.models import AuditEvent
from aftercare.merchants.models import Member
from aftercare.merchants.queries import scoped
from aftercare.returns.deadlines import stage_clock
from aftercare.tickets.models import SkillGroup, Ticket
from aftercare.tickets.sla import clock_view
from aftercare.tickets.states import (
    LIVE,
    SETTABLE,
    ClockKind,
    ResolutionCode,
    TicketStatus,
)
from aftercare.web.access import context_for

FEED_KINDS = (
    "created",
    "assigned",
    "escalated",
    "note",
    "sla_reminder",
    "follow_up",
    "follow_up_due",
)
FEED_LIMIT = 50


def page_context(membership: Member, **extra: Any) -> dict[str, Any]:
    return context_for(membership, **{"section": "tickets", "toast_words": toast_words(), **extra})


def ticket_context(membership: Member, ticket: Ticket, **extra: Any) -> dict[str, Any]:
    now = timezone.now()
    clocks = clock_view(ticket, now)
    labels = dict(ClockKind.choices)
    for clock in clocks:
        clock["label"] = labels.get(str(clock["kind"]), clock["kind"])
    case_clock = stage_clock(ticket.case, now) if ticket.case is not None else None
    members = list(
        scoped(Member, membership.merchant).select_related("user").order_by("display_name")
    )
    return page_context(
        membership,
        ticket=ticket,
        live=ticket.status in LIVE or ticket.status == TicketStatus.RESOLVED,
        clocks=clocks,
        case_clock=case_clock,
        notes=list(ticket.notes.order_by("created_at", "id")),
        follow_ups=list(ticket.follow_ups.select_related("assignee").order_by("due_at")),
        timeline=[
            {"event": e, "label": event_label(e.kind)}
            for e in timeline_of(ticket, merchant_id=ticket.merchant_id)
        ],
        members=members,
        groups=list(scoped(SkillGroup, membership.merchant).order_by("name")),
        statuses=[(v, label) for v, label in TicketStatus.choices if v in SETTABLE],
        resolution_codes=ResolutionCode.choices,
        can_supervise=membership.role in ("supervisor", "admin"),
        **extra,
    )


def ticket_feed(membership: Member, after: int | None) -> dict[str, Any]:
    """Ticket events after an audit id, each marked when it is for this member (a toast)."""
    rows = AuditEvent.objects.filter(
        merchant_id=membership.merchant_id,
        subject_type=subject_label(Ticket()),
        kind__in=FEED_KINDS,
    )
    if after is None:
        last = rows.order_by("-id").values_list("id", flat=True).first() or 0
        return {"last": last, "events": []}
    events = list(rows.filter(id__gt=after).order_by("id")[:FEED_LIMIT])
    subjects = {
        t.pk: t
        for t in Ticket.objects.filter(
            merchant_id=membership.merchant_id, pk__in={e.subject_id for e in events}
        )
    }
    out = []
    for event in events:
        ticket = subjects.get(event.subject_id)
        if ticket is None:
            continue
        out.append(
            {
                "kind": event.kind,
                "ticket_id": ticket.pk,
                "number": ticket.number,
                "subject": ticket.subject,
                "for_me": _for_member(event, ticket, membership),
                "message": _toast_text(event.kind, ticket),
            }
        )
    return {"last": events[-1].pk if events else after, "events": out}


def _for_member(event: AuditEvent, ticket: Ticket, membership: Member) -> bool:
    data = event.data or {}
    if event.kind == "assigned":
        return bool(data.get("member_id") == membership.pk)
    if event.kind == "note":
        return membership.pk in (data.get("mentions") or [])
    if event.kind in ("follow_up", "follow_up_due"):
        return bool(data.get("member_id") == membership.pk)
    if event.kind == "escalated":
        return membership.user_id in (data.get("to") or [])
    if event.kind == "sla_reminder":
        return ticket.assignee_id == membership.pk
    return False


def toast_words() -> dict[str, str]:
    """The sentences the console's script shows, in the member's language."""
    return {
        **_toasts(),
        "overdue": _("overdue"),
        "open": pgettext("link to a ticket", "Open"),
    }


def _toast_text(kind: str, ticket: Ticket) -> str:
    return _toasts().get(kind, "%(number)s") % {"number": ticket.number}


def _toasts() -> dict[str, str]:  # built per call: in the current language
    return {
        "assigned": _("Ticket %(number)s was assigned to you."),
        "note": _("You were mentioned on %(number)s."),
        "follow_up": _("A follow-up on %(number)s is yours."),
        "follow_up_due": _("A follow-up on %(number)s is due."),
        "escalated": _("%(number)s was escalated."),
        "sla_reminder": _("%(number)s is close to its deadline."),
        "created": _("New ticket %(number)s."),
    }


def event_label(kind: str) -> str:
    """A timeline row's title in the reader's language (status changes name the status)."""
    if kind.startswith("status:"):
        status = kind.split(":", 1)[1]
        return _("Status: %(status)s") % {"status": dict(TicketStatus.choices).get(status, status)}
    return {
        "created": _("Created"),
        "assigned": _("Assigned"),
        "unassigned": _("Unassigned"),
        "transferred": _("Transferred"),
        "escalated": _("Escalated"),
        "note": _("Internal note"),
        "responded": _("Customer answered"),
        "customer_message": _("Customer wrote"),
        "sla_reminder": _("Deadline reminder"),
        "sla_breached": _("Deadline missed"),
        "follow_up": _("Follow-up added"),
        "follow_up_done": _("Follow-up done"),
        "follow_up_due": _("Follow-up due"),
        "merged_in": _("Duplicate merged in"),
        "assign_reason": _("Reason for the assignment"),
    }.get(kind, kind)
