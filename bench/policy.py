"""Policy evaluations per second: a 3-line request against a policy with 20 rules.

Pure Python on in-memory facts, one process, one core. The plan is compiled once (as
plan_for does per stored version) and every evaluation includes the refund maths and the
full machine-readable trace. Run: .venv/bin/python bench/policy.py [--seconds 3]
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
import timeit
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "aftercare.test_settings")

from aftercare.policies.domain import (
    CustomerFacts,
    Facts,
    LineFacts,
    OrderFacts,
    RequestFacts,
    RequestLine,
)
from aftercare.policies.engine import evaluate
from aftercare.policies.plan import compile_spec
from aftercare.policies.presets import china_7day
from aftercare.policies.spec import dump_spec, parse_spec

NOW = datetime(2026, 11, 20, 12, tzinfo=UTC)


def twenty_rules() -> list[dict]:
    """The China preset's 3 rules plus 17 of the kinds merchants write, mixed scopes."""
    rules = dump_spec(china_7day())["rules"]
    for n in range(17):
        kind = n % 6
        if kind == 0:
            cond = [{"field": "customer.tier", "op": "in", "value": ["vip"]}]
            acts = [{"kind": "window_override_days", "days": 30 + n}]
        elif kind == 1:
            cond = [{"field": "product.category", "op": "in", "value": [f"cat-{n}", "toys"]}]
            acts = [{"kind": "fee", "percent": "10"}]
        elif kind == 2:
            cond = [
                {"field": "order.value", "op": "gte", "value": "5000"},
                {"field": "request.reason", "op": "in", "value": ["changed_mind"]},
            ]
            acts = [{"kind": "needs_review"}]
        elif kind == 3:
            cond = [{"field": "product.flags", "op": "has_any", "value": ["digital"]}]
            acts = [{"kind": "reject"}]
        elif kind == 4:
            cond = [
                {"field": "customer.return_rate", "op": "gte", "value": "0.5"},
                {"field": "order.channel", "op": "in", "value": ["pinduoduo"]},
            ]
            acts = [{"kind": "needs_review"}]
        else:
            cond = [
                {"field": "request.reason_side", "op": "in", "value": ["merchant"]},
                {"field": "product.price", "op": "lte", "value": "30"},
            ]
            acts = [{"kind": "refund_without_return"}, {"kind": "bonus_credit", "amount": "5"}]
        rules.append({"name": f"rule {n}", "priority": 40 + n, "conditions": cond, "actions": acts})
    return rules


def facts() -> Facts:
    lines = (
        LineFacts(1, 1, "TEE-1", "T-shirt", "apparel", Decimal("129.00"), 2, Decimal("10.00")),
        LineFacts(2, 2, "CRM-1", "Face cream", "beauty", Decimal("89.00"), 1, is_hygiene=True),
        LineFacts(3, 3, "MUG-1", "Mug", "home", Decimal("45.50"), 3),
    )
    order = OrderFacts(
        order_id=1,
        external_id="SO1",
        currency="CNY",
        channel="tmall",
        placed_at=NOW - timedelta(days=5),
        delivered_at=NOW - timedelta(days=2, hours=3),
        timezone="Asia/Shanghai",
        subtotal=Decimal("483.50"),
        discount_total=Decimal("30.00"),
        shipping_fee=Decimal("12.00"),
        total=Decimal("455.50"),
        paid_total=Decimal("455.50"),
        lines=lines,
    )
    request = RequestFacts(
        type="return_refund",
        reason="size",
        lines=(RequestLine(1, 1, "unopened"), RequestLine(2, 1, "opened"), RequestLine(3, 2)),
        requested_at=NOW,
    )
    return Facts(order=order, customer=CustomerFacts(tier="vip"), request=request)


def rate(plan, sample: Facts, seconds: float) -> float:  # type: ignore[no-untyped-def]
    count, started = 0, time.perf_counter()
    deadline = started + seconds
    while time.perf_counter() < deadline:
        for _ in range(100):
            evaluate(plan, sample)
        count += 100
    return count / (time.perf_counter() - started)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--seconds", type=float, default=5.0, help="total measuring time")
    parser.add_argument("--rounds", type=int, default=10)
    args = parser.parse_args()
    spec = dump_spec(china_7day())
    spec["rules"] = twenty_rules()
    plan = compile_spec(parse_spec(spec), version_id=1)
    sample = facts()
    decision = evaluate(plan, sample)  # warm up, and show what is being measured
    print("outcomes:", [str(line.outcome) for line in decision.lines])
    print("trace steps per evaluation:", sum(len(line.trace) for line in decision.lines))
    # Several short rounds: on a shared machine the best round is the engine's speed and the
    # median shows what neighbours cost.
    rates = sorted(rate(plan, sample, args.seconds / args.rounds) for _ in range(args.rounds))
    best, median = rates[-1], statistics.median(rates)
    print(f"policy_evaluations_per_second: {best:.0f} evals/s")
    print(f"policy_evaluations_per_second_median: {median:.0f} evals/s")
    print(f"policy_microseconds_per_evaluation: {1e6 / best:.1f} us")
    # A yardstick for comparing machines: this one loop, timed the same way.
    yardstick = min(timeit.repeat("sum(range(1000))", number=20000, repeat=5)) / 20000
    print(f"machine_sum_range_1000: {yardstick * 1e6:.2f} us")
    print(f"policy_rules: {len(plan.rules)} rules")
    print("policy_request_lines: 3 lines")


if __name__ == "__main__":
    main()
