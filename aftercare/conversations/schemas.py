"""API shapes of conversations and the customer 360: separate In and Out schemas."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import Any

from ninja import Field, Schema

from aftercare.conversations.states import Channel, ConversationStatus, Direction


class AttachmentOut(Schema):
    id: int
    filename: str
    content_type: str
    size: int


class MessageOut(Schema):
    id: int
    conversation_id: int
    direction: str
    channel: str
    author_kind: str
    author_name: str
    subject: str
    body: str
    external_id: str
    delivery_state: str
    delivery_error: str
    analysis: dict[str, Any]
    meta: dict[str, Any]
    created_at: datetime
    sent_at: datetime | None
    attachments: list[AttachmentOut]


class LinkOut(Schema):
    kind: str
    order_id: int | None
    shipment_id: int | None
    case_id: int | None
    found_text: str


class ConversationOut(Schema):
    id: int
    channel: str
    status: str
    customer_id: int | None
    assignee_id: int | None
    subject: str
    contact: str
    contact_name: str
    intent: str
    language: str
    last_message_at: datetime | None
    agent_read_at: datetime | None
    customer_read_at: datetime | None
    created_at: datetime


class ConversationDetailOut(ConversationOut):
    messages: list[MessageOut]
    links: list[LinkOut]


class ConversationFilters(Schema):
    status: ConversationStatus | None = None
    channel: Channel | None = None
    intent: str | None = None
    assignee: str | None = Field(default=None, description="'me', 'unassigned' or a member id")
    customer_id: int | None = None
    limit: int = 50
    offset: int = 0


class CannedReplyOut(Schema):
    key: str
    title: str
    language: str
    text: str


class TextIn(Schema):
    body: str = Field(min_length=1, max_length=20000)


class AssignIn(Schema):
    member_id: int | None = None


class StatusIn(Schema):
    status: ConversationStatus


class CallIn(Schema):
    phone: str = Field(min_length=3, max_length=32)
    direction: Direction
    summary: str = Field(default="", max_length=5000)
    duration_seconds: int = Field(ge=0, le=86400)
    outcome: str = Field(default="answered", max_length=32)
    call_id: str = Field(default="", max_length=200)


class ReceivedOut(Schema):
    message_id: int
    conversation_id: int
    created: bool


# --- Customer 360 ------------------------------------------------------------------------


class LineOut(Schema):
    sku: str
    name: str
    quantity: int
    unit_price: Decimal


class ShipmentOut(Schema):
    carrier: str
    tracking_number: str
    status: str
    delivered_at: datetime | None


class OrderOut(Schema):
    id: int
    external_id: str
    status: str
    total: Decimal
    currency: str
    placed_at: datetime
    lines: list[LineOut]
    shipments: list[ShipmentOut]


class CaseOut(Schema):
    id: int
    number: str | None
    order_number: str
    type: str
    reason: str
    status: str
    created_at: datetime
    clock: dict[str, Any] | None


class TicketOut(Schema):
    id: int
    number: str | None
    subject: str
    status: str
    priority: int


class CustomerOut(Schema):
    id: int
    external_id: str
    name: str
    phone: str
    email: str
    language: str
    tier: str
    risk_tags: list[str]


class Customer360Out(Schema):
    matched_by: str
    customer: CustomerOut
    orders: list[OrderOut]
    open_cases: list[CaseOut]
    recent_cases: list[CaseOut]
    open_tickets: list[TicketOut]
    conversations: list[ConversationOut]
