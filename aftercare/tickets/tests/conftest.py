"""Fixtures of the tickets tests: a merchant with the default desk, and online agents."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from django_tasks import task_backends
from django_tasks.backends.dummy import DummyBackend

from aftercare.core.testing import make_member
from aftercare.merchants.models import Member, Merchant, Role
from aftercare.returns.models import Case as ReturnCase
from aftercare.tickets.defaults import install_defaults
from aftercare.tickets.models import AgentState, BusinessCalendar, SkillGroup
from aftercare.tickets.states import Presence

ALWAYS = [["00:00", "24:00"]] * 7


@pytest.fixture
def desk(merchant: Merchant) -> Merchant:
    """Default groups, rules and policies; a 24/7 calendar unless a test sets another."""
    install_defaults(merchant)
    BusinessCalendar.objects.filter(merchant=merchant).update(weekly_hours=ALWAYS, timezone="UTC")
    return merchant


MakeAgent = Callable[..., Member]


@pytest.fixture
def make_agent(desk: Merchant) -> MakeAgent:
    def make(
        groups: tuple[str, ...] = ("general",),
        *,
        capacity: int = 5,
        presence: str = Presence.ONLINE,
        role: str = Role.AGENT,
        name: str | None = None,
    ) -> Member:
        member = make_member(desk, role, name)
        state = AgentState.objects.create(
            merchant=desk, member=member, presence=presence, capacity=capacity
        )
        state.groups.set(SkillGroup.objects.filter(merchant=desk, code__in=groups))
        return member

    return make


@pytest.fixture
def dummy_tasks(settings: object) -> DummyBackend:
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.dummy.DummyBackend"}}  # type: ignore[attr-defined]
    backend = task_backends["default"]
    assert isinstance(backend, DummyBackend)
    backend.clear()
    return backend


def make_case(merchant: Merchant, tag: str = "T") -> ReturnCase:
    """A submitted return case on a fresh order (what the returns app makes for a customer)."""
    from aftercare.commerce.tests.factories import OrderFactory, OrderLineFactory
    from aftercare.core.actors import Actor
    from aftercare.policies.actions import create_policy
    from aftercare.policies.models import ReturnPolicy
    from aftercare.policies.presets import PRESETS
    from aftercare.returns.actions import LineRequest, create_case

    actor = Actor.system(merchant)
    if not ReturnPolicy.objects.filter(merchant=merchant).exists():
        create_policy(actor=actor, name=f"{tag} returns", spec=PRESETS["china_7day"]())
    order = OrderFactory(merchant=merchant)
    line = OrderLineFactory(order=order, line_no=1)
    return create_case(
        actor=actor,
        order_id=order.pk,
        lines=[LineRequest(order_line_id=line.pk, quantity=1)],
        type="return_refund",
        reason="size",
    )
