"""Tenant isolation cases of the tickets API (loaded by tests/test_isolation.py).

Merchant A gets a skill group, an online agent, two tickets (one on A's case) with a note and
a follow-up. B names A's objects in every write and must get 404 with A's rows unchanged.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.utils import timezone

from aftercare.core.actors import Actor
from aftercare.core.testing import make_member
from aftercare.merchants.models import Role
from aftercare.tickets import actions, collaboration
from aftercare.tickets.defaults import install_defaults
from aftercare.tickets.models import (
    AgentState,
    FollowUp,
    RoutingRule,
    SkillGroup,
    SlaRecord,
    Ticket,
    TicketNote,
)
from tests.test_isolation import Case, World, _expect_404_and_nothing_changed, url_for


def build(world: World) -> None:
    merchant = world.merchant
    tag = world.store.name.split()[0]
    install_defaults(merchant)
    group = SkillGroup.objects.create(
        merchant=merchant, code=f"{tag.lower()}-team", name=f"{tag} team"
    )
    agent = make_member(merchant, Role.AGENT, f"{tag.lower()}-ticket-agent")
    state = AgentState.objects.create(merchant=merchant, member=agent, presence="online")
    state.groups.set([group, *SkillGroup.objects.filter(merchant=merchant)])
    actor = Actor.system(merchant)
    ticket = actions.create_ticket(
        actor=actor, subject=f"{tag} ticket", customer_id=world.customer.pk, case_id=world.case.pk
    )
    other = actions.create_ticket(actor=actor, subject=f"{tag} second ticket")
    collaboration.add_note(actor=actor, ticket=ticket, body=f"{tag} note")
    follow_up = collaboration.add_follow_up(
        actor=actor,
        ticket=ticket,
        member_id=agent.pk,
        text=f"{tag} follow-up",
        due_at=timezone.now() + timedelta(days=1),
    )
    world.extra.update(
        ticket=ticket,
        ticket_other=other,
        ticket_agent=agent,
        ticket_group=group,
        ticket_follow_up=follow_up,
    )


OBJECT_IDS = {
    "ticket_id": lambda w: w.extra["ticket"].pk,
    "follow_up_id": lambda w: w.extra["ticket_follow_up"].pk,
}

SNAPSHOT_MODELS = [Ticket, TicketNote, FollowUp, AgentState, SkillGroup, RoutingRule, SlaRecord]

_BASE = "/api/v1/tickets"
_BODIES: dict[str, Any] = {
    "assign": lambda w: {"member_id": w.extra["ticket_agent"].pk},
    "reassign": lambda w: {"member_id": w.extra["ticket_agent"].pk},
    "transfer": lambda w: {"group_id": w.extra["ticket_group"].pk},
    "escalate": lambda w: {"reason": "B"},
    "status": lambda w: {"status": "waiting_customer"},
    "respond": lambda w: {},
    "close": lambda w: {"resolution_code": "solved"},
    "merge": lambda w: {"into_id": w.extra["ticket_other"].pk},
    "notes": lambda w: {"body": "B was here @alpha-ticket-agent"},
    "follow-ups": lambda w: {
        "member_id": w.extra["ticket_agent"].pk,
        "text": "B",
        "due_at": (timezone.now() + timedelta(days=1)).isoformat(),
    },
}

CASES: dict[tuple[str, str], Case] = {
    ("POST", f"{_BASE}/{{ticket_id}}/{action}"): Case(
        body=body, check=_expect_404_and_nothing_changed(url_for)
    )
    for action, body in _BODIES.items()
}
CASES[("POST", _BASE)] = Case(
    body=lambda w: {"subject": "B", "customer_id": w.customer.pk},
    check=_expect_404_and_nothing_changed(url_for),
)
CASES[("POST", f"{_BASE}/presence")] = Case(
    body=lambda w: {"member_id": w.extra["ticket_agent"].pk, "presence": "offline"},
    check=_expect_404_and_nothing_changed(url_for),
)
CASES[("POST", f"{_BASE}/follow-ups/{{follow_up_id}}/done")] = Case(
    body=lambda w: {}, check=_expect_404_and_nothing_changed(url_for)
)
