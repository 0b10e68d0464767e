"""Fixtures for case tests: an active policy and a delivered order of two lines (2 units each)."""

from __future__ import annotations

import pytest

from aftercare.commerce.models import Order, OrderLine
from aftercare.core.actors import Actor
from aftercare.core.testing import actor_of_member, make_member
from aftercare.merchants.models import Merchant, Role, Store
from aftercare.policies.models import ReturnPolicy
from aftercare.policies.tests.factories import delivered_order
from aftercare.returns.tests.helpers import install_policy


@pytest.fixture
def china(merchant: Merchant) -> ReturnPolicy:
    return install_policy(merchant, "china_7day")


@pytest.fixture
def reviewed(merchant: Merchant) -> ReturnPolicy:
    """Everything goes to review; the refund happens when the inspection passes."""
    return install_policy(merchant, "custom")


@pytest.fixture
def order_lines(merchant: Merchant, store: Store) -> tuple[Order, list[OrderLine]]:
    return delivered_order(merchant, store)


@pytest.fixture
def order(order_lines: tuple[Order, list[OrderLine]]) -> Order:
    return order_lines[0]


@pytest.fixture
def lines(order_lines: tuple[Order, list[OrderLine]]) -> list[OrderLine]:
    return order_lines[1]


@pytest.fixture
def supervisor_actor(supervisor) -> Actor:  # type: ignore[no-untyped-def]
    return actor_of_member(supervisor)


@pytest.fixture
def warehouse_actor(merchant: Merchant) -> Actor:
    return actor_of_member(make_member(merchant, Role.WAREHOUSE, "warehouse"))
