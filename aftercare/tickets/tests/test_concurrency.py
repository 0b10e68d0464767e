"""Many tickets at once on the real database (threads, separate connections): no agent is
ever past capacity or given work while offline."""

from __future__ import annotations

import threading
from collections import Counter
from concurrent.futures import ThreadPoolExecutor

import pytest
from django.db import OperationalError, connection

from aftercare.core.actors import Actor
from aftercare.core.testing import actor_of_member
from aftercare.merchants.models import Merchant
from aftercare.tickets import actions
from aftercare.tickets.models import AgentState, Ticket
from aftercare.tickets.presence import set_presence
from aftercare.tickets.states import LIVE
from aftercare.tickets.tests.conftest import MakeAgent

THREADS = 6
PER_THREAD = 8


def _create_many(merchant: Merchant, start: threading.Barrier, n: int) -> int:
    actor = Actor.system(merchant, "burst")
    made = 0
    try:
        start.wait()
        for i in range(n):
            for _attempt in range(20):
                try:
                    actions.create_ticket(actor=actor, subject=f"burst {i}")
                    made += 1
                    break
                except OperationalError:  # SQLite "database is locked" past the busy timeout
                    continue
        return made
    finally:
        connection.close()


def _held_by_member() -> Counter[int]:
    held = Ticket.objects.filter(status__in=LIVE, holds_slot=True).values_list(
        "assignee_id", flat=True
    )
    return Counter(held)


@pytest.mark.django_db(transaction=True)
def test_burst_never_exceeds_capacity(desk: Merchant, make_agent: MakeAgent) -> None:
    agents = [make_agent(capacity=3) for _ in range(5)]
    start = threading.Barrier(THREADS)

    with ThreadPoolExecutor(max_workers=THREADS) as pool:
        made = sum(pool.map(lambda _: _create_many(desk, start, PER_THREAD), range(THREADS)))

    assert made == THREADS * PER_THREAD
    held = _held_by_member()
    states = {s.member_id: s for s in AgentState.objects.all()}
    for agent in agents:
        assert held[agent.pk] <= 3
        assert states[agent.pk].open_count == held[agent.pk]
    assert sum(held.values()) == 15  # every slot filled, the rest wait in the queue
    assert Ticket.objects.filter(assignee__isnull=True).count() == made - 15


@pytest.mark.django_db(transaction=True)
def test_going_offline_during_a_burst_leaves_nothing_with_the_offline_agent(
    desk: Merchant, make_agent: MakeAgent
) -> None:
    leaving = make_agent(capacity=20)
    staying = make_agent(capacity=40)
    start = threading.Barrier(THREADS + 1)

    def go_offline() -> int:
        try:
            start.wait()
            set_presence(actor=actor_of_member(leaving), member_id=leaving.pk, presence="offline")
            return 0
        finally:
            connection.close()

    with ThreadPoolExecutor(max_workers=THREADS + 1) as pool:
        futures = [pool.submit(_create_many, desk, start, 4) for _ in range(THREADS)]
        futures.append(pool.submit(go_offline))
        [f.result() for f in futures]

    held = _held_by_member()
    assert held[leaving.pk] == 0
    assert AgentState.objects.get(member=leaving).open_count == 0
    assert AgentState.objects.get(member=staying).open_count == held[staying.pk] <= 40
