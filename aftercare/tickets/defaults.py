"""Default skill groups, routing rules, SLA policies and business calendar for a merchant.

Idempotent: running it again adds what is missing and leaves what the merchant edited.
Called by `aftercare tickets_defaults <merchant slug>` and by the demo.
"""

from __future__ import annotations

from django.db import transaction

from aftercare.merchants.models import Member, Merchant
from aftercare.tickets.models import (
    AgentState,
    BusinessCalendar,
    RoutingRule,
    SkillGroup,
    SlaPolicy,
)
from aftercare.tickets.sla import DEFAULT_REMIND_BEFORE, DEFAULT_TARGETS
from aftercare.tickets.states import TicketType

GROUPS = [
    ("supervisors", "Supervisors"),
    ("vip", "VIP"),
    ("logistics", "Logistics"),
    ("quality", "Quality / product"),
    ("refunds", "Refunds"),
    ("general", "General"),
]
# (position, group, conditions): flagged customers to supervisors, VIPs to their team, then
# by type and by the assistant's intent.
RULES: list[tuple[int, str, dict[str, object]]] = [
    (10, "supervisors", {"flagged": True}),
    (20, "vip", {"tier": "vip"}),
    (30, "logistics", {"ticket_type": TicketType.LOGISTICS}),
    (31, "logistics", {"intent": "order_status"}),
    (32, "logistics", {"intent": "change_order"}),
    (40, "quality", {"ticket_type": TicketType.QUALITY}),
    (41, "quality", {"intent": "repair_request"}),
    (50, "refunds", {"ticket_type": TicketType.REFUND}),
    (51, "refunds", {"intent": "refund_request"}),
    (52, "refunds", {"intent": "return_request"}),
    (53, "refunds", {"intent": "exchange_request"}),
    (54, "refunds", {"intent": "case_status"}),
    (60, "supervisors", {"ticket_type": TicketType.COMPLAINT}),
]
# Complaints are answered faster than the tier's usual targets.
COMPLAINT_FACTOR = 0.5
OFFICE_WEEK = [["09:00", "18:00"]] * 5 + [["10:00", "16:00"], None]


@transaction.atomic
def install_defaults(merchant: Merchant) -> dict[str, int]:
    groups = {}
    created = {"groups": 0, "rules": 0, "policies": 0}
    for code, name in GROUPS:
        group, made = SkillGroup.objects.get_or_create(
            merchant=merchant, code=code, defaults={"name": name, "is_default": code == "general"}
        )
        groups[code] = group
        created["groups"] += made
    if not RoutingRule.objects.filter(merchant=merchant).exists():
        for position, code, conditions in RULES:
            RoutingRule.objects.create(
                merchant=merchant, position=position, group=groups[code], **conditions
            )
            created["rules"] += 1
    for tier, (first, nxt, resolution) in DEFAULT_TARGETS.items():
        for ticket_type, factor in (("", 1.0), (TicketType.COMPLAINT, COMPLAINT_FACTOR)):
            _, made = SlaPolicy.objects.get_or_create(
                merchant=merchant,
                tier=tier,
                ticket_type=ticket_type,
                defaults={
                    "first_response_minutes": int(first * factor),
                    "next_response_minutes": int(nxt * factor),
                    "resolution_minutes": int(resolution * factor),
                    "remind_before_minutes": DEFAULT_REMIND_BEFORE,
                },
            )
            created["policies"] += made
    BusinessCalendar.objects.get_or_create(
        merchant=merchant, defaults={"timezone": merchant.timezone, "weekly_hours": OFFICE_WEEK}
    )
    return created


@transaction.atomic
def enrol_agents(merchant: Merchant, *, presence: str = "online", capacity: int = 10) -> int:
    """Give every desk member without one an AgentState: agents in every group but the
    supervisors', supervisors and admins in all of them. Returns how many were enrolled."""
    groups = list(SkillGroup.objects.filter(merchant=merchant))
    enrolled = 0
    members = Member.objects.filter(merchant=merchant, role__in=["agent", "supervisor", "admin"])
    for member in members.exclude(agent_state__isnull=False):
        state = AgentState.objects.create(
            merchant=merchant, member=member, presence=presence, capacity=capacity
        )
        if member.role == "agent":
            state.groups.set([g for g in groups if g.code != "supervisors"])
        else:
            state.groups.set(groups)
        enrolled += 1
    supervisor = members.filter(role="supervisor").first()
    if supervisor is not None:
        SkillGroup.objects.filter(merchant=merchant, supervisor__isnull=True).update(
            supervisor=supervisor
        )
    return enrolled
