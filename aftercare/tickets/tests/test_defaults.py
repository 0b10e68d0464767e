"""The defaults command: idempotent groups, rules, policies and calendar; agents enrolled."""

from __future__ import annotations

from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from aftercare.merchants.models import Member, Merchant
from aftercare.tickets.models import AgentState, RoutingRule, SkillGroup, SlaPolicy


def test_defaults_twice_add_nothing_the_second_time(
    merchant: Merchant, agent: Member, supervisor: Member
) -> None:
    out = StringIO()
    call_command("tickets_defaults", "acme", "--enrol-agents", stdout=out)
    counts = (SkillGroup.objects.count(), RoutingRule.objects.count(), SlaPolicy.objects.count())
    call_command("tickets_defaults", "acme", "--enrol-agents", stdout=out)

    assert counts == (
        SkillGroup.objects.count(),
        RoutingRule.objects.count(),
        SlaPolicy.objects.count(),
    )
    assert (
        SlaPolicy.objects.get(merchant=merchant, tier="vip", ticket_type="").first_response_minutes
        == 120
    )
    assert AgentState.objects.filter(merchant=merchant).count() == 2
    agent_groups = {g.code for g in AgentState.objects.get(member=agent).groups.all()}
    assert "supervisors" not in agent_groups and "vip" in agent_groups
    assert SkillGroup.objects.get(merchant=merchant, code="general").supervisor == supervisor
    assert "2 members enrolled" in out.getvalue()


def test_unknown_merchant(db: None) -> None:
    with pytest.raises(CommandError):
        call_command("tickets_defaults", "nobody")
