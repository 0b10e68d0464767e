"""Fixtures shared by the whole suite: merchants and the personas acting for them."""

from __future__ import annotations

import pytest

from aftercare.core.actors import Actor
from aftercare.core.testing import (
    ApiCaller,
    MerchantFactory,
    StoreFactory,
    actor_of_member,
    api_caller,
    make_member,
)
from aftercare.merchants.models import Member, Merchant, Role, Store


@pytest.fixture
def merchant(db: None) -> Merchant:
    return MerchantFactory(name="Acme Home", slug="acme")


@pytest.fixture
def other_merchant(db: None) -> Merchant:
    return MerchantFactory(name="Rival Goods", slug="rival")


@pytest.fixture
def store(merchant: Merchant) -> Store:
    return StoreFactory(merchant=merchant, code="web", name="Acme web store")


@pytest.fixture
def agent(merchant: Merchant) -> Member:
    return make_member(merchant, Role.AGENT, "agent")


@pytest.fixture
def supervisor(merchant: Merchant) -> Member:
    return make_member(merchant, Role.SUPERVISOR, "supervisor")


@pytest.fixture
def admin_member(merchant: Merchant) -> Member:
    return make_member(merchant, Role.ADMIN, "admin")


@pytest.fixture
def other_agent(other_merchant: Merchant) -> Member:
    return make_member(other_merchant, Role.AGENT, "rival-agent")


@pytest.fixture
def system_actor(merchant: Merchant) -> Actor:
    return Actor.system(merchant)


@pytest.fixture
def agent_actor(agent: Member) -> Actor:
    return actor_of_member(agent)


@pytest.fixture
def api(merchant: Merchant) -> ApiCaller:
    """An API client holding a full-scope key of `merchant`."""
    return api_caller(merchant)


@pytest.fixture
def other_api(other_merchant: Merchant) -> ApiCaller:
    return api_caller(other_merchant)
