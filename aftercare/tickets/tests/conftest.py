"""Fixtures of the tickets tests: a merchant with the default desk, and online agents."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from django_tasks import task_backends
from django_tasks.backends.dummy import DummyBackend

from aftercare.core.testing import make_member
from aftercare.merchants.models import Member, Merchant, Role
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
