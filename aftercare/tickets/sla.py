"""SLA clocks of a ticket: targets from the policy table, deadlines from the business
calendar (clock.py), pause and resume, and the delayed tasks that fire at each deadline.

The functions here change a *locked* ticket in memory and schedule tasks on commit; the
caller (an action) saves the fields in CLOCK_FIELDS in the same transaction. A deadline that
moves gets new tasks; the old ones find the deadline changed and do nothing (tasks.py).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from aftercare.core.tasks import enqueue_on_commit
from aftercare.tickets.clock import (
    OFFICE_HOURS,
    Calendar,
    add_business_seconds,
    business_seconds_between,
    parse_holidays,
    parse_hours,
)
from aftercare.tickets.models import BusinessCalendar, SlaPolicy, SlaRecord, Ticket
from aftercare.tickets.states import DUE_FIELD, ClockKind

# Business minutes: first response, next response, resolution (REQUIREMENTS S3: VIP 2 h,
# potential 4 h, normal 8 h), used when a merchant has no row for the tier.
DEFAULT_TARGETS: dict[str, tuple[int, int, int]] = {
    "vip": (120, 120, 960),
    "potential": (240, 240, 1440),
    "normal": (480, 480, 2400),
}
DEFAULT_REMIND_BEFORE = 30
CLOCK_FIELDS = [
    "first_response_due_at",
    "next_response_due_at",
    "resolution_due_at",
    "paused_remaining",
    "next_due_at",
    "first_responded_at",
]


@dataclass(frozen=True)
class Targets:
    first_response: int
    next_response: int
    resolution: int
    remind_before: int

    def minutes(self, kind: str) -> int:
        return {
            ClockKind.FIRST_RESPONSE: self.first_response,
            ClockKind.NEXT_RESPONSE: self.next_response,
            ClockKind.RESOLUTION: self.resolution,
        }[ClockKind(kind)]


def targets_for(merchant_id: int, tier: str, ticket_type: str) -> Targets:
    """The type's row for the tier, else the tier's row, else the defaults. One query."""
    rows = {
        row.ticket_type: row
        for row in SlaPolicy.objects.filter(
            merchant_id=merchant_id, tier=tier, ticket_type__in=[ticket_type, ""]
        )
    }
    row = rows.get(ticket_type) or rows.get("")
    if row is not None:
        return Targets(
            row.first_response_minutes,
            row.next_response_minutes,
            row.resolution_minutes,
            row.remind_before_minutes,
        )
    first, nxt, resolution = DEFAULT_TARGETS.get(tier, DEFAULT_TARGETS["normal"])
    return Targets(first, nxt, resolution, DEFAULT_REMIND_BEFORE)


def calendar_for(merchant_id: int, default_tz: str) -> Calendar:
    row = BusinessCalendar.objects.filter(merchant_id=merchant_id).first()
    if row is None:
        return Calendar(tz=default_tz, hours=OFFICE_HOURS)
    return Calendar(
        tz=row.timezone or default_tz,
        hours=parse_hours(row.weekly_hours),
        holidays=parse_holidays(row.holidays),
    )


@dataclass
class Clocks:
    """What clock changes need: the ticket's calendar and targets, loaded once."""

    calendar: Calendar
    targets: Targets

    @classmethod
    def of(cls, ticket: Ticket) -> Clocks:
        return cls(
            calendar_for(ticket.merchant_id, ticket.merchant.timezone),
            targets_for(ticket.merchant_id, ticket.tier, ticket.type),
        )

    def start(self, ticket: Ticket, kind: str, now: datetime) -> None:
        due = add_business_seconds(now, self.targets.minutes(kind) * 60, self.calendar)
        self._set(ticket, kind, due)

    def stop(self, ticket: Ticket, kind: str, now: datetime, *, record: bool = True) -> None:
        due: datetime | None = getattr(ticket, DUE_FIELD[kind])
        ticket.paused_remaining.pop(kind, None)
        if due is None:
            return
        setattr(ticket, DUE_FIELD[kind], None)
        if record:
            record_outcome(ticket, kind, due=due, stopped_at=now, hit=now <= due)
        refresh_next_due(ticket)

    def pause(self, ticket: Ticket, now: datetime) -> None:
        for kind, field in DUE_FIELD.items():
            due = getattr(ticket, field)
            if due is None:
                continue
            left = max(0, business_seconds_between(now, due, self.calendar))
            ticket.paused_remaining[kind] = left
            setattr(ticket, field, None)
        refresh_next_due(ticket)

    def resume(self, ticket: Ticket, now: datetime) -> None:
        for kind, seconds in list(ticket.paused_remaining.items()):
            self._set(ticket, kind, add_business_seconds(now, int(seconds), self.calendar))
        ticket.paused_remaining = {}
        refresh_next_due(ticket)

    def _set(self, ticket: Ticket, kind: str, due: datetime) -> None:
        setattr(ticket, DUE_FIELD[kind], due)
        refresh_next_due(ticket)
        schedule(ticket, kind, due, remind_before=self.targets.remind_before)


def refresh_next_due(ticket: Ticket) -> None:
    dues = [getattr(ticket, field) for field in DUE_FIELD.values()]
    running = [due for due in dues if due is not None]
    ticket.next_due_at = min(running) if running else None


def record_outcome(
    ticket: Ticket, kind: str, *, due: datetime, stopped_at: datetime | None, hit: bool
) -> None:
    """One outcome per deadline: a breach recorded first stays a miss when the clock stops."""
    SlaRecord.objects.get_or_create(
        ticket=ticket,
        kind=kind,
        due_at=due,
        defaults={
            "merchant_id": ticket.merchant_id,
            "tier": ticket.tier,
            "ticket_type": ticket.type,
            "stopped_at": stopped_at,
            "hit": hit,
        },
    )


def schedule(ticket: Ticket, kind: str, due: datetime, *, remind_before: int) -> None:
    """One task per deadline, enqueued on commit: it runs at the reminder time, reminds, and
    enqueues itself again at the deadline for the breach check (tasks.py)."""
    from aftercare.tickets.tasks import sla_deadline

    remind_at = due - timedelta(minutes=remind_before)
    enqueue_on_commit(sla_deadline, ticket.pk, kind, due.isoformat(), "remind", run_after=remind_at)


def clock_view(ticket: Ticket, now: datetime) -> list[dict[str, object]]:
    """The ticket's clocks for the API and console: running, paused or stopped."""
    out: list[dict[str, object]] = []
    for kind, field in DUE_FIELD.items():
        due = getattr(ticket, field)
        paused = ticket.paused_remaining.get(kind)
        if due is None and paused is None:
            continue
        remaining = int((due - now).total_seconds()) if due is not None else None
        out.append(
            {
                "kind": kind,
                "due_at": due,
                "remaining_seconds": remaining,
                "paused": paused is not None,
                "paused_remaining_seconds": paused,
                "overdue": remaining is not None and remaining < 0,
                "breached": kind in ticket.breached,
            }
        )
    return out
