"""Concurrency on the real database (SQLite or PostgreSQL, whichever the suite runs on):
simultaneous creations never take back more units than were bought, and two agents acting on
one case never both succeed."""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any

import pytest
from django.db import connection

from aftercare.core.errors import DomainError
from aftercare.core.testing import MerchantFactory, StoreFactory, actor_of_member, make_member
from aftercare.merchants.models import Role
from aftercare.policies.tests.factories import delivered_order
from aftercare.returns import actions
from aftercare.returns.models import Case, CaseLine
from aftercare.returns.tests.helpers import install_policy, open_case

THREADS = 4


def _race(work: Callable[[int], Any]) -> list[Any]:
    """Run `work(i)` in THREADS threads released together; results or the errors raised."""
    barrier = threading.Barrier(THREADS)
    results: list[Any] = [None] * THREADS

    def run(index: int) -> None:
        try:
            barrier.wait()
            results[index] = work(index)
        except DomainError as error:
            results[index] = error
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(i,)) for i in range(THREADS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    return results


@pytest.fixture
def world(transactional_db: None) -> dict[str, Any]:
    merchant = MerchantFactory(slug="race")
    store = StoreFactory(merchant=merchant)
    install_policy(merchant, "custom")
    order, lines = delivered_order(merchant, store, lines=1)  # one line of 2 units
    agents = [actor_of_member(make_member(merchant, Role.AGENT)) for _ in range(THREADS)]
    return {"order": order, "line": lines[0], "agents": agents}


def test_simultaneous_creations_never_exceed_the_purchased_quantity(world) -> None:
    results = _race(lambda i: open_case(world["agents"][i], world["order"], [world["line"]]))

    created = [r for r in results if isinstance(r, Case)]
    refused = [r for r in results if isinstance(r, DomainError)]
    assert len(created) == 2 and len(refused) == 2, results
    assert {r.code for r in refused} == {"invalid_request_lines"}
    rows = CaseLine.objects.filter(order_line=world["line"])
    units = sum(rows.values_list("quantity", flat=True))
    assert units == 2


def test_two_agents_approving_at_once_never_both_succeed(world) -> None:
    case = open_case(world["agents"][0], world["order"], [world["line"]])

    def act(i: int) -> Any:
        if i % 2:
            return actions.reject_case(actor=world["agents"][i], case=case, reason="no")
        return actions.approve_case(actor=world["agents"][i], case=case)

    results = _race(act)

    succeeded = [r for r in results if isinstance(r, Case)]
    assert len(succeeded) == 1, results
    assert all(r.code == "invalid_transition" for r in results if isinstance(r, DomainError))
    case.refresh_from_db()
    assert case.status == succeeded[0].status
