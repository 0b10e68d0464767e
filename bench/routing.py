"""Benchmark: a burst of tickets routed across agents, and the capacity check.

10,000 tickets arrive at once from 8 threads (separate database connections) across 200
online agents in 10 skill groups (20 agents each, capacity 40: 8,000 slots, so 2,000 tickets
must wait in their group's queue). Each ticket goes through the real action: priority, SLA
clocks (with their delayed tasks), routing rule, compare-and-set claim of an agent's slot,
audit row, live broadcast. Afterwards every agent's load is checked against its capacity.

Each backend runs in a child process on a fresh database: SQLite in a temporary data
directory, PostgreSQL when --database-url (or BENCH_DATABASE_URL) is given.

    .venv/bin/python bench/routing.py [--tickets 10000] [--agents 200] [--groups 10]
        [--capacity 40] [--threads 8] [--database-url postgres://...]
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(Path(__file__).resolve().parent))


def child(args: argparse.Namespace) -> None:
    import django

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "aftercare.test_settings")
    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    merchant, actor = _setup(args)
    elapsed = _burst(args, merchant, actor)
    print(json.dumps({"elapsed": elapsed, **_check(merchant)}))


def _setup(args: argparse.Namespace) -> tuple[Any, Any]:
    from aftercare.commerce.models import Customer
    from aftercare.core.actors import Actor
    from aftercare.core.testing import make_member
    from aftercare.merchants.models import Merchant
    from aftercare.tickets.models import AgentState, BusinessCalendar, RoutingRule, SkillGroup

    merchant = Merchant.objects.create(name="Routing bench", slug="bench-routing")
    BusinessCalendar.objects.create(merchant=merchant, timezone="UTC", weekly_hours=[])
    groups = []
    for k in range(args.groups):
        group = SkillGroup.objects.create(merchant=merchant, code=f"g{k}", name=f"Group {k}")
        RoutingRule.objects.create(merchant=merchant, position=k, group=group, intent=f"i{k}")
        groups.append(group)
    for n in range(args.agents):
        member = make_member(merchant, "agent", f"bench-agent-{n}")
        state = AgentState.objects.create(
            merchant=merchant, member=member, presence="online", capacity=args.capacity
        )
        state.groups.set([groups[n % args.groups]])
    tiers = ["normal"] * 7 + ["potential"] * 2 + ["vip"]
    Customer.objects.bulk_create(
        Customer(merchant=merchant, external_id=f"BC{i}", tier=tiers[i % len(tiers)])
        for i in range(1000)
    )
    return merchant, Actor.system(merchant, "bench")


def _burst(args: argparse.Namespace, merchant: Any, actor: Any) -> float:
    from django.db import OperationalError, connection

    from aftercare.commerce.models import Customer
    from aftercare.tickets.actions import create_ticket

    customers = list(Customer.objects.filter(merchant=merchant).values_list("pk", flat=True))
    start = threading.Barrier(args.threads + 1)
    share = [range(t, args.tickets, args.threads) for t in range(args.threads)]

    def work(numbers: range) -> None:
        try:
            start.wait()
            for i in numbers:
                for _attempt in range(50):
                    try:
                        create_ticket(
                            actor=actor,
                            subject=f"Burst ticket {i}",
                            intent=f"i{i % args.groups}",
                            customer_id=customers[i % len(customers)],
                        )
                        break
                    except OperationalError:  # SQLite's busy timeout ran out: try again
                        time.sleep(0.01)
        finally:
            connection.close()

    threads = [threading.Thread(target=work, args=(s,)) for s in share]
    for thread in threads:
        thread.start()
    start.wait()
    began = time.perf_counter()
    for thread in threads:
        thread.join()
    return time.perf_counter() - began


def _check(merchant: Any) -> dict[str, int]:
    from collections import Counter

    from aftercare.tickets.models import AgentState, Ticket
    from aftercare.tickets.states import LIVE

    tickets = Ticket.objects.filter(merchant=merchant)
    held = Counter(
        tickets.filter(status__in=LIVE, holds_slot=True).values_list("assignee_id", flat=True)
    )
    over = mismatched = 0
    for state in AgentState.objects.filter(merchant=merchant):
        if held[state.member_id] > state.capacity or state.open_count > state.capacity:
            over += 1
        if held[state.member_id] != state.open_count:
            mismatched += 1
    return {
        "tickets": tickets.count(),
        "assigned": tickets.filter(assignee__isnull=False).count(),
        "queued": tickets.filter(assignee__isnull=True).count(),
        "over_capacity": over,
        "load_mismatch": mismatched,
    }


def run(label: str, env: dict[str, str], args: argparse.Namespace) -> dict[str, Any]:
    command = [sys.executable, __file__, "--child", *_passthrough(args)]
    done = subprocess.run(command, env=env, cwd=ROOT, capture_output=True, text=True)
    if done.returncode != 0:
        sys.stderr.write(done.stderr)
        raise SystemExit(f"{label}: the child failed")
    result: dict[str, Any] = json.loads(done.stdout.strip().splitlines()[-1])
    return result


def _passthrough(args: argparse.Namespace) -> list[str]:
    return [
        f"--tickets={args.tickets}",
        f"--agents={args.agents}",
        f"--groups={args.groups}",
        f"--capacity={args.capacity}",
        f"--threads={args.threads}",
    ]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--tickets", type=int, default=10_000)
    parser.add_argument("--agents", type=int, default=200)
    parser.add_argument("--groups", type=int, default=10)
    parser.add_argument("--capacity", type=int, default=40)
    parser.add_argument("--threads", type=int, default=8)
    parser.add_argument("--database-url", default=os.environ.get("BENCH_DATABASE_URL", ""))
    parser.add_argument("--child", action="store_true")
    args = parser.parse_args()
    if args.child:
        child(args)
        return
    backends: list[tuple[str, dict[str, str]]] = []
    with tempfile.TemporaryDirectory() as data_dir:
        base = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "REDIS_URL")}
        base.update(DEBUG="1", AFTERCARE_DATA_DIR=data_dir)
        backends.append(("sqlite", base))
        if args.database_url:
            from upsert import fresh_postgres

            backends.append(
                ("postgres", {**base, "DATABASE_URL": fresh_postgres(args.database_url)})
            )
        results = {label: run(label, env, args) for label, env in backends}
    for label, r in results.items():
        print(f"[{label}] tickets {r['tickets']}, assigned {r['assigned']}, queued {r['queued']}")
    for label, r in results.items():
        print(f"{label}_tickets_per_second: {r['tickets'] / r['elapsed']:.0f} tickets/s")
        print(f"{label}_assignments_per_second: {r['assigned'] / r['elapsed']:.0f} assignments/s")
        print(f"{label}_load_mismatch: {r['load_mismatch']} agents")
    print(f"over_capacity: {sum(r['over_capacity'] for r in results.values())}")


if __name__ == "__main__":
    main()
