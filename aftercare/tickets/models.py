"""Tickets, their notes and follow-ups; SLA policies and the business calendar; skill groups,
routing rules and each agent's presence and load.

Only actions (actions.py, routing.py, collaboration.py, sla.py) write these rows.
"""

from __future__ import annotations

from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from aftercare.merchants.models import MerchantScoped
from aftercare.tickets.states import (
    ClockKind,
    Presence,
    Priority,
    ResolutionCode,
    TicketSource,
    TicketStatus,
    TicketType,
)

TIER_CHOICES = [("vip", _("VIP")), ("potential", _("Potential")), ("normal", _("Normal"))]


class SkillGroup(MerchantScoped):
    """A team that takes a kind of work (logistics, quality, refunds, VIP, supervisors)."""

    code = models.SlugField(max_length=32)
    name = models.CharField(max_length=100)
    # Breaches of this group's tickets are escalated to this member.
    supervisor = models.ForeignKey(
        "merchants.Member", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    # Tickets no rule matches go to the merchant's default group.
    is_default = models.BooleanField(default=False)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["merchant", "code"], name="skill_group_code")
        ]

    def __str__(self) -> str:
        return self.name


class RoutingRule(MerchantScoped):
    """`When a ticket matches every non-empty condition, it goes to `group``. Lowest position
    first; the first rule that matches wins."""

    position = models.PositiveIntegerField(default=100)
    group = models.ForeignKey(SkillGroup, on_delete=models.CASCADE, related_name="rules")
    ticket_type = models.CharField(max_length=16, choices=TicketType.choices, blank=True)
    intent = models.CharField(max_length=32, blank=True)
    tier = models.CharField(max_length=16, choices=TIER_CHOICES, blank=True)
    # True: only customers with risk tags (flagged customers go to supervisors).
    flagged = models.BooleanField(default=False)

    class Meta:
        ordering = ["position", "id"]


class AgentState(MerchantScoped):
    """One member's presence, groups and load. `open_count` is changed only by compare-and-set
    updates (routing.claim_slot / release_slot), so it never passes `capacity`."""

    member = models.OneToOneField(
        "merchants.Member", on_delete=models.CASCADE, related_name="agent_state"
    )
    presence = models.CharField(max_length=16, choices=Presence.choices, default=Presence.OFFLINE)
    capacity = models.PositiveIntegerField(default=10)
    open_count = models.PositiveIntegerField(default=0)
    # Round-robin among the equally loaded: the one assigned longest ago goes first.
    last_assigned_at = models.DateTimeField(null=True, blank=True)
    groups = models.ManyToManyField(SkillGroup, blank=True, related_name="agents")
    presence_changed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=Q(open_count__lte=F("capacity")), name="agent_load_within_capacity"
            )
        ]
        indexes = [models.Index(fields=["merchant", "presence", "open_count"])]


class BusinessCalendar(MerchantScoped):
    """When the desk works: opening hours per weekday (Monday = 0) in `timezone`, and
    holidays (ISO dates). SLA clocks count only this time."""

    timezone = models.CharField(max_length=64, default="Asia/Shanghai")
    # Seven entries, Monday first: ["09:00", "18:00"] or null for a closed day.
    weekly_hours = models.JSONField(default=list)
    holidays = models.JSONField(default=list, blank=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["merchant"], name="one_business_calendar")]


class SlaPolicy(MerchantScoped):
    """Targets in business minutes for a customer tier, optionally for one ticket type (a
    row with the type wins over the tier's row without one)."""

    tier = models.CharField(max_length=16, choices=TIER_CHOICES)
    ticket_type = models.CharField(max_length=16, choices=TicketType.choices, blank=True)
    first_response_minutes = models.PositiveIntegerField()
    next_response_minutes = models.PositiveIntegerField()
    resolution_minutes = models.PositiveIntegerField()
    # The assignee is reminded this long before a deadline.
    remind_before_minutes = models.PositiveIntegerField(default=30)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["merchant", "tier", "ticket_type"], name="sla_policy_per_tier_type"
            )
        ]


class Ticket(MerchantScoped):
    number = models.CharField(max_length=32, null=True, blank=True)
    subject = models.CharField(max_length=300)
    description = models.TextField(blank=True)
    type = models.CharField(max_length=16, choices=TicketType.choices, default=TicketType.GENERAL)
    source = models.CharField(
        max_length=16, choices=TicketSource.choices, default=TicketSource.MANUAL
    )
    status = models.CharField(max_length=20, choices=TicketStatus.choices, default=TicketStatus.NEW)
    priority = models.PositiveSmallIntegerField(choices=Priority.choices, default=Priority.NORMAL)
    # Why the priority is what it is (order value, tier, urgency flags), for the agent.
    priority_reasons = models.JSONField(default=list, blank=True)
    intent = models.CharField(max_length=32, blank=True)
    urgency_flags = models.JSONField(default=list, blank=True)
    tier = models.CharField(max_length=16, choices=TIER_CHOICES, default="normal")
    customer = models.ForeignKey(
        "commerce.Customer", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    order = models.ForeignKey(
        "commerce.Order", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    case = models.ForeignKey(
        "returns.Case", null=True, blank=True, on_delete=models.PROTECT, related_name="tickets"
    )
    conversation = models.ForeignKey(
        "conversations.Conversation",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="tickets",
    )
    external_ref = models.CharField(
        max_length=100, blank=True, help_text="A call id or anomaly id the ticket came from."
    )
    group = models.ForeignKey(
        SkillGroup, null=True, blank=True, on_delete=models.SET_NULL, related_name="tickets"
    )
    # Who works on it now; `owner` is who first took it and stays so while others help.
    assignee = models.ForeignKey(
        "merchants.Member", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    owner = models.ForeignKey(
        "merchants.Member", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    # True when the assignee's slot was claimed (routing counts it against capacity).
    holds_slot = models.BooleanField(default=False)
    # SLA clocks: a deadline runs while set; `paused_remaining` keeps the business seconds
    # left of each clock while the ticket waits on the customer.
    first_response_due_at = models.DateTimeField(null=True, blank=True)
    next_response_due_at = models.DateTimeField(null=True, blank=True)
    resolution_due_at = models.DateTimeField(null=True, blank=True)
    paused_remaining = models.JSONField(default=dict, blank=True)
    # The nearest running deadline, for sorting queues by urgency.
    next_due_at = models.DateTimeField(null=True, blank=True)
    first_responded_at = models.DateTimeField(null=True, blank=True)
    # Deadlines already reminded / breached, as {"kind": "due iso"}: a task for a deadline
    # that moved sees it is stale; running a task twice changes nothing the second time.
    reminded = models.JSONField(default=dict, blank=True)
    breached = models.JSONField(default=dict, blank=True)
    # Set on the first breach: breached tickets rise to the top of every queue.
    escalated_at = models.DateTimeField(null=True, blank=True)
    merged_into = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="merged"
    )
    resolution_code = models.CharField(max_length=20, choices=ResolutionCode.choices, blank=True)
    resolution_note = models.TextField(blank=True)
    closed_at = models.DateTimeField(null=True, blank=True)
    created_by = models.ForeignKey(
        "merchants.Member", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["merchant", "number"], name="ticket_number"),
            # One case, one clock: a case has at most one live ticket.
            models.UniqueConstraint(
                fields=["case"],
                condition=Q(case__isnull=False, status__in=["new", "open", "waiting_customer"]),
                name="one_live_ticket_per_case",
            ),
        ]
        indexes = [
            models.Index(fields=["merchant", "status", "next_due_at"]),
            models.Index(fields=["merchant", "assignee", "status"]),
            models.Index(fields=["merchant", "group", "status"]),
            models.Index(fields=["merchant", "case"]),
        ]

    def __str__(self) -> str:
        return self.number or f"ticket #{self.pk}"


class SlaRecord(MerchantScoped):
    """One clock's outcome, for analytics: hit (stopped in time) or missed (breached)."""

    ticket = models.ForeignKey(Ticket, on_delete=models.CASCADE, related_name="sla_records")
    kind = models.CharField(max_length=20, choices=ClockKind.choices)
    tier = models.CharField(max_length=16)
    ticket_type = models.CharField(max_length=16)
    due_at = models.DateTimeField()
    stopped_at = models.DateTimeField(null=True, blank=True)
    hit = models.BooleanField()
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            # A deadline has one outcome, however often its task runs.
            models.UniqueConstraint(fields=["ticket", "kind", "due_at"], name="one_sla_outcome")
        ]
        indexes = [models.Index(fields=["merchant", "kind", "created_at"])]


class TicketNote(MerchantScoped):
    """An internal note: agents only, never the customer. Mentions are member ids."""

    ticket = models.ForeignKey(Ticket, on_delete=models.CASCADE, related_name="notes")
    author = models.ForeignKey(
        "merchants.Member", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    author_label = models.CharField(max_length=140)
    body = models.TextField()
    mentions = models.JSONField(default=list, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)


class FollowUp(MerchantScoped):
    """A task on a ticket for someone (warehouse, finance, the owner) by a due time."""

    ticket = models.ForeignKey(Ticket, on_delete=models.CASCADE, related_name="follow_ups")
    assignee = models.ForeignKey("merchants.Member", on_delete=models.CASCADE, related_name="+")
    text = models.CharField(max_length=500)
    due_at = models.DateTimeField()
    done_at = models.DateTimeField(null=True, blank=True)
    created_by_label = models.CharField(max_length=140)
    created_at = models.DateTimeField(auto_now_add=True)
