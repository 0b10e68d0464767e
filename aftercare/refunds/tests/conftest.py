"""Fixtures for refunds tests: a policy, a delivered order (2 lines × 2 units at 100.00,
10.00 shipping, 410.00 paid), personas, and the loopback provider."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from aftercare.commerce.models import Order, OrderLine
from aftercare.core.actors import Actor
from aftercare.core.testing import actor_of_member, make_member
from aftercare.merchants.models import Merchant, Role, Store
from aftercare.policies.tests.factories import delivered_order
from aftercare.refunds.models import RefundSettings
from aftercare.refunds.tests.servers import Provider, running_provider
from aftercare.returns.tests.helpers import install_policy


@pytest.fixture
def order_lines(merchant: Merchant, store: Store) -> tuple[Order, list[OrderLine]]:
    install_policy(merchant, "custom")
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
def finance_actor(merchant: Merchant) -> Actor:
    return actor_of_member(make_member(merchant, Role.FINANCE, "finance"))


@pytest.fixture
def provider() -> Iterator[Provider]:
    with running_provider() as running:
        yield running


def use_gateway(merchant: Merchant, provider: Provider, kind: str, **extra: object) -> None:
    RefundSettings.objects.update_or_create(
        merchant=merchant,
        defaults={
            "gateway": kind,
            "webhook_url": f"{provider.url}/hook",
            "webhook_secret": provider.secret,
            "stripe_api_base": provider.url,
            "stripe_secret_key": "sk_test_123",
            **extra,
        },
    )
