"""Request and response schemas of the tickets API (separate In and Out)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from ninja import Field, Schema

from aftercare.returns.schemas import StageClockOut, TimelineOut
from aftercare.tickets.states import (
    Presence,
    ResolutionCode,
    TicketSource,
    TicketStatus,
    TicketType,
)


class TicketIn(Schema):
    subject: str = Field(max_length=300)
    description: str = Field("", max_length=20_000)
    type: TicketType = TicketType.GENERAL
    source: TicketSource = TicketSource.MANUAL
    customer_id: int | None = None
    order_id: int | None = None
    case_id: int | None = None
    conversation_id: int | None = None
    external_ref: str = Field("", max_length=100, description="Call id or anomaly id.")
    intent: str = Field("", max_length=32, description="The assistant's intent, for routing.")
    urgency_flags: list[str] = Field(
        default_factory=list,
        description="The assistant's flags: anger, threat_authority, chargeback, safety.",
    )


class MemberIn(Schema):
    member_id: int
    reason: str = Field("", max_length=500)


class TransferIn(Schema):
    group_id: int | None = None
    member_id: int | None = None


class ReasonIn(Schema):
    reason: str = Field("", max_length=500)


class StatusIn(Schema):
    status: TicketStatus
    reason: str = Field("", max_length=500)


class CloseIn(Schema):
    resolution_code: ResolutionCode
    note: str = Field("", max_length=5000)


class MergeIn(Schema):
    into_id: int


class NoteIn(Schema):
    body: str = Field(max_length=10_000)


class FollowUpIn(Schema):
    member_id: int
    text: str = Field(max_length=500)
    due_at: datetime


class PresenceIn(Schema):
    member_id: int | None = Field(None, description="Default: the signed-in member.")
    presence: Presence
    capacity: int | None = None
    group_ids: list[int] | None = None


class PersonOut(Schema):
    id: int
    name: str


class GroupRefOut(Schema):
    id: int
    code: str
    name: str


class ClockOut(Schema):
    kind: str
    due_at: datetime | None
    remaining_seconds: int | None
    paused: bool
    paused_remaining_seconds: int | None
    overdue: bool
    breached: bool


class TicketSummaryOut(Schema):
    id: int
    number: str | None
    subject: str
    type: str
    source: str
    status: str
    priority: int
    tier: str
    group: GroupRefOut | None
    assignee: PersonOut | None
    owner: PersonOut | None
    customer_id: int | None
    order_id: int | None
    case_id: int | None
    conversation_id: int | None
    next_due_at: datetime | None
    escalated_at: datetime | None
    created_at: datetime


class NoteOut(Schema):
    id: int
    author: str
    body: str
    mentions: list[int]
    created_at: datetime


class FollowUpOut(Schema):
    id: int
    ticket_id: int
    assignee: PersonOut
    text: str
    due_at: datetime
    done_at: datetime | None


class CaseClockOut(Schema):
    """The linked case's stage clock beside the ticket's clocks (one case, one clock)."""

    case_id: int
    number: str | None
    status: str
    clock: StageClockOut | None


class TicketDetailOut(TicketSummaryOut):
    description: str
    intent: str
    urgency_flags: list[str]
    priority_reasons: list[str]
    external_ref: str
    first_responded_at: datetime | None
    resolution_code: str
    resolution_note: str
    merged_into_id: int | None
    clocks: list[ClockOut]
    case_clock: CaseClockOut | None
    notes: list[NoteOut]
    follow_ups: list[FollowUpOut]
    timeline: list[TimelineOut]


class AgentOut(Schema):
    member_id: int
    name: str
    role: str
    presence: str
    capacity: int
    open_count: int
    groups: list[str]


class GroupOut(Schema):
    id: int
    code: str
    name: str
    live: int
    unassigned: int
    overdue: int
    breached: int


def person(member: Any) -> dict[str, Any] | None:
    if member is None:
        return None
    return {"id": member.pk, "name": member.display_name or str(member.user_id)}
