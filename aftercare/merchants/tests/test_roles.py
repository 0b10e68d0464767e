"""Roles grant permissions to people, scopes to keys; the system may do anything."""

from __future__ import annotations

import pytest

from aftercare.core.actors import Actor
from aftercare.merchants.models import Role
from aftercare.merchants.roles import ROLE_PERMISSIONS, role_allows, scope_allows


@pytest.mark.parametrize(
    ("role", "permission", "allowed"),
    [
        (Role.ADMIN, "anything.at_all", True),
        (Role.SUPERVISOR, "commerce.write", True),
        (Role.AGENT, "desk.write", True),
        (Role.AGENT, "commerce.write", False),
        (Role.WAREHOUSE, "commerce.read", True),
        (Role.WAREHOUSE, "desk.write", False),
        (Role.FINANCE, "desk.write", False),
        ("no-such-role", "commerce.read", False),
    ],
)
def test_role_permissions(role: str, permission: str, allowed: bool) -> None:
    assert role_allows(role, permission) is allowed


def test_every_role_has_an_entry() -> None:
    assert set(Role.values) == set(ROLE_PERMISSIONS)


def test_scopes() -> None:
    assert scope_allows(["*"], "commerce.write")
    assert scope_allows(["commerce.read"], "commerce.read")
    assert not scope_allows(["commerce.read"], "commerce.write")
    assert not scope_allows([], "commerce.read")


def test_key_actor_is_judged_by_scopes_not_role(merchant) -> None:
    actor = Actor(merchant=merchant, label="k", role="admin", api_key=object(), scopes=frozenset())  # type: ignore[arg-type]
    assert not actor.can("commerce.read")


def test_system_actor_may_do_anything(merchant) -> None:
    assert Actor.system(merchant).can("refunds.execute")
