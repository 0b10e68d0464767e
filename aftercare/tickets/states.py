"""Ticket statuses, types, sources, priorities and the transitions table.

    new -> open -> waiting_customer -> open -> resolved -> closed
    new/open/waiting_customer -> closed (close with a resolution code)
    resolved -> open (the customer came back); any live status -> merged (a duplicate)

`waiting_customer` pauses every running SLA clock; leaving it resumes them with the business
time that was left (sla.py). closed and merged are terminal.
"""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class TicketStatus(models.TextChoices):
    NEW = "new", _("New")
    OPEN = "open", _("Open")
    WAITING_CUSTOMER = "waiting_customer", _("Waiting on customer")
    RESOLVED = "resolved", _("Resolved")
    CLOSED = "closed", _("Closed")
    MERGED = "merged", _("Merged")


LIVE = frozenset({TicketStatus.NEW, TicketStatus.OPEN, TicketStatus.WAITING_CUSTOMER})
# Statuses in which the SLA clocks stand still.
PAUSED = frozenset({TicketStatus.WAITING_CUSTOMER})
TERMINAL = frozenset({TicketStatus.CLOSED, TicketStatus.MERGED})

TRANSITIONS: dict[TicketStatus, frozenset[TicketStatus]] = {
    TicketStatus.NEW: frozenset(
        {
            TicketStatus.OPEN,
            TicketStatus.WAITING_CUSTOMER,
            TicketStatus.RESOLVED,
            TicketStatus.CLOSED,
            TicketStatus.MERGED,
        }
    ),
    TicketStatus.OPEN: frozenset(
        {
            TicketStatus.WAITING_CUSTOMER,
            TicketStatus.RESOLVED,
            TicketStatus.CLOSED,
            TicketStatus.MERGED,
        }
    ),
    TicketStatus.WAITING_CUSTOMER: frozenset(
        {TicketStatus.OPEN, TicketStatus.RESOLVED, TicketStatus.CLOSED, TicketStatus.MERGED}
    ),
    TicketStatus.RESOLVED: frozenset({TicketStatus.OPEN, TicketStatus.CLOSED}),
    TicketStatus.CLOSED: frozenset(),
    TicketStatus.MERGED: frozenset(),
}
# Statuses an agent may set with "set status" (closing needs a resolution code, merging a
# target: they have their own actions).
SETTABLE = frozenset({TicketStatus.OPEN, TicketStatus.WAITING_CUSTOMER, TicketStatus.RESOLVED})


class TicketType(models.TextChoices):
    GENERAL = "general", _("General question")
    LOGISTICS = "logistics", _("Delivery and logistics")
    QUALITY = "quality", _("Product quality")
    REFUND = "refund", _("Returns and refunds")
    COMPLAINT = "complaint", _("Complaint")


class TicketSource(models.TextChoices):
    MANUAL = "manual", _("By hand")
    CONVERSATION = "conversation", _("Conversation")
    CASE = "case", _("After-sales case")
    CALL = "call", _("Phone call")
    ANOMALY = "anomaly", _("Logistics anomaly")


class Priority(models.IntegerChoices):
    URGENT = 1, _("Urgent")
    HIGH = 2, _("High")
    NORMAL = 3, _("Normal")
    LOW = 4, _("Low")


class ClockKind(models.TextChoices):
    FIRST_RESPONSE = "first_response", _("First response")
    NEXT_RESPONSE = "next_response", _("Next response")
    RESOLUTION = "resolution", _("Resolution")


# The ticket field holding each clock's deadline.
DUE_FIELD: dict[str, str] = {
    ClockKind.FIRST_RESPONSE: "first_response_due_at",
    ClockKind.NEXT_RESPONSE: "next_response_due_at",
    ClockKind.RESOLUTION: "resolution_due_at",
}


class Presence(models.TextChoices):
    ONLINE = "online", _("Online")
    AWAY = "away", _("Away")
    OFFLINE = "offline", _("Offline")


class ResolutionCode(models.TextChoices):
    SOLVED = "solved", _("Solved")
    REFUNDED = "refunded", _("Refunded")
    REPLACED = "replaced", _("Replaced or resent")
    INFORMATION = "information", _("Information given")
    NO_RESPONSE = "no_response", _("No response from the customer")
    NOT_AN_ISSUE = "not_an_issue", _("Not an issue")
    DUPLICATE = "duplicate", _("Duplicate")
