"""Each condition kind and action kind, and how rules combine (docs/adr/0010)."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest
from pydantic import ValidationError

from aftercare.policies.domain import RequestLine
from aftercare.policies.engine import evaluate
from aftercare.policies.tests.builders import (
    cond,
    facts,
    line,
    order,
    request,
    rule,
    spec,
)

REVIEW = {"kind": "needs_review"}


def _reviewed(condition: dict, **context: object) -> bool:
    policy = spec(rules=[rule("r", [condition], REVIEW)])
    return evaluate(policy, facts(**context)).outcome == "needs_review"  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("condition", "context", "holds"),
    [
        (cond("customer.tier", "in", ["vip"]), {"tier": "vip"}, True),
        (cond("customer.tier", "not_in", ["vip"]), {"tier": "vip"}, False),
        (
            cond("customer.risk_tags", "has_any", ["fraud"]),
            {"risk_tags": frozenset({"fraud"})},
            True,
        ),
        (
            cond("customer.risk_tags", "has_none", ["fraud"]),
            {"risk_tags": frozenset({"fraud"})},
            False,
        ),
        (cond("customer.risk_tags", "absent"), {}, True),
        (cond("customer.return_rate", "gte", "0.3"), {"past_return_rate": 0.35}, True),
        (cond("customer.return_rate", "gte", "0.3"), {"past_return_rate": 0.2}, False),
    ],
)
def test_customer_conditions(condition: dict, context: dict, holds: bool) -> None:
    assert _reviewed(condition, **context) is holds


@pytest.mark.parametrize(
    ("condition", "holds"),
    [
        (cond("order.value", "gte", "200"), True),  # the order is 200.00
        (cond("order.value", "lte", "199.99"), False),
        (cond("order.channel", "in", ["tmall", "jd"]), True),
        (cond("order.channel", "not_in", ["tmall"]), False),
        (cond("order.days_since_delivery", "lte", 3), True),  # requested on day 3
        (cond("order.days_since_delivery", "gte", 4), False),
        (cond("order.hours_since_delivery", "lte", 72), True),
        (cond("order.hours_since_delivery", "lte", 71.5), False),
    ],
)
def test_order_conditions(condition: dict, holds: bool) -> None:
    assert _reviewed(condition) is holds


@pytest.mark.parametrize(
    ("condition", "holds"),
    [
        (cond("product.category", "in", ["apparel"]), True),
        (cond("product.category", "not_in", ["apparel"]), False),
        (cond("product.flags", "has_any", ["hygiene"]), False),
        (cond("product.flags", "has_none", ["hygiene", "digital"]), True),
        (cond("product.price", "gte", "100"), True),
        (cond("product.price", "lte", "99.99"), False),
        (cond("product.sku", "in", ["SKU-1"]), True),
        (cond("request.type", "in", ["return_refund"]), True),
        (cond("request.reason", "in", ["size", "colour_style"]), True),
        (cond("request.reason_side", "in", ["merchant"]), False),
        (cond("request.condition", "in", ["unopened"]), True),
    ],
)
def test_product_and_request_conditions(condition: dict, holds: bool) -> None:
    assert _reviewed(condition) is holds


def test_product_conditions_are_judged_per_line() -> None:
    policy = spec(rules=[rule("hygiene", [cond("product.flags", "has_any", ["hygiene"])], REVIEW)])
    the_order = order(line(1), line(2, category="beauty", is_hygiene=True))
    wanted = request(lines=(RequestLine(1, 1), RequestLine(2, 1)))

    decision = evaluate(policy, facts(the_order, wanted))

    assert [str(item.outcome) for item in decision.lines] == ["eligible", "needs_review"]
    assert decision.outcome == "needs_review"


def test_reject_beats_allow_whatever_the_priority() -> None:
    policy = spec(
        rules=[
            rule(
                "vip allow", [cond("customer.tier", "in", ["vip"])], {"kind": "allow"}, priority=1
            ),
            rule("no jd", [cond("order.channel", "in", ["tmall"])], {"kind": "reject"}, priority=9),
        ]
    )

    decision = evaluate(policy, facts(tier="vip"))

    assert decision.outcome == "not_eligible"
    assert decision.lines[0].decided_by == ("no jd",)


def test_allow_lifts_an_expired_window_but_stop_ends_the_pass() -> None:
    late = request(after=timedelta(days=20))
    vip = rule("vip", [cond("customer.tier", "in", ["vip"])], {"kind": "allow"}, priority=1)
    review = rule("review all", [], REVIEW, priority=5)

    lifted = evaluate(spec(rules=[vip]), facts(the_request=late, tier="vip"))
    reviewed = evaluate(spec(rules=[vip, review]), facts(the_request=late, tier="vip"))
    stopped = evaluate(
        spec(rules=[{**vip, "stop": True}, review]), facts(the_request=late, tier="vip")
    )

    assert lifted.outcome == "eligible"
    assert reviewed.outcome == "needs_review"  # review is stronger than allow
    assert stopped.outcome == "eligible"  # the VIP rule stopped the pass before it
    assert "review all" not in {s.rule for s in stopped.lines[0].trace}


def test_allow_never_lifts_a_quantity_error() -> None:
    policy = spec(rules=[rule("allow all", [], {"kind": "allow"})])
    decision = evaluate(policy, facts(the_request=request(lines=(RequestLine(1, 3),))))
    assert decision.outcome == "not_eligible"


def test_first_matching_rule_of_each_parameter_action_wins() -> None:
    policy = spec(
        rules=[
            rule("late", [], {"kind": "fee", "percent": "20"}, priority=20),
            rule(
                "early",
                [],
                {"kind": "fee", "percent": "10"},
                {"kind": "bonus_credit", "amount": "5"},
                priority=10,
            ),
            rule("later", [], {"kind": "bonus_credit", "amount": "50"}, priority=30),
        ]
    )

    decision = evaluate(policy, facts())

    refund = decision.lines[0].refund
    assert refund.restocking_fee == Decimal("10.00")  # 10 % of 100.00, from "early"
    assert refund.refund == Decimal("90.00")
    assert decision.lines[0].bonus_credit == Decimal("5")


def test_equal_priorities_keep_the_written_order() -> None:
    policy = spec(
        rules=[
            rule("first", [], {"kind": "window_override_days", "days": 30}),
            rule("second", [], {"kind": "window_override_days", "days": 1}),
        ]
    )
    decision = evaluate(policy, facts(the_request=request(after=timedelta(days=20))))
    assert decision.lines[0].window_days == 30 and decision.outcome == "eligible"


def test_window_override_shortens_too() -> None:
    policy = spec(rules=[rule("short", [], {"kind": "window_override_days", "days": 2})])
    decision = evaluate(policy, facts())  # requested on day 3
    assert decision.outcome == "not_eligible"


def test_refund_without_return_means_no_return_shipping() -> None:
    policy = spec(
        rules=[
            rule("cheap", [cond("product.price", "lte", "150")], {"kind": "refund_without_return"})
        ]
    )
    decision = evaluate(policy, facts(the_request=request(reason="quality_defect")))
    assert decision.lines[0].refund_without_return
    assert decision.lines[0].shipping_payer == "none"


def test_auto_approve_does_not_make_an_ineligible_line_eligible() -> None:
    policy = spec(rules=[rule("auto", [], {"kind": "auto_approve"})])
    decision = evaluate(policy, facts(the_request=request(after=timedelta(days=9))))
    assert decision.outcome == "not_eligible" and not decision.auto_approve


def test_trace_records_the_values_compared() -> None:
    policy = spec(rules=[rule("big", [cond("order.value", "gte", "500")], REVIEW)])

    step = next(s for s in evaluate(policy, facts()).lines[0].trace if s.rule == "big")

    assert step.as_dict() == {
        "code": "rule_skipped",
        "rule": "big",
        "field": "order.value",
        "op": "gte",
        "expected": "500",
        "actual": "200.00",
        "passed": False,
    }


@pytest.mark.parametrize(
    "bad",
    [
        {"name": "x", "conditions": [cond("order.value", "in", ["a"])], "actions": [REVIEW]},
        {
            "name": "x",
            "conditions": [cond("request.reason", "in", ["colour"])],
            "actions": [REVIEW],
        },
        {"name": "x", "conditions": [], "actions": [{"kind": "window_override_days"}]},
        {"name": "x", "conditions": [], "actions": []},
        {"name": "x", "conditions": [cond("customer.tier", "gte", "1")], "actions": [REVIEW]},
    ],
)
def test_invalid_rules_are_refused(bad: dict) -> None:
    with pytest.raises(ValidationError):
        spec(rules=[bad])


def test_rule_names_must_be_unique() -> None:
    with pytest.raises(ValidationError, match="unique"):
        spec(rules=[rule("a", [], REVIEW), rule("a", [], REVIEW)])


def test_shared_trace_steps_keep_each_decisions_own_values() -> None:
    # Steps are cached per (condition, value) on the compiled plan; decisions must not mix.
    from aftercare.policies.plan import compile_spec

    plan = compile_spec(
        spec(rules=[rule("toys", [cond("product.category", "in", ["toys"])], REVIEW)])
    )
    first = evaluate(plan, facts(order(line(1, category="apparel"))))
    second = evaluate(plan, facts(order(line(1, category="beauty"))))
    third = evaluate(plan, facts(order(line(1, category="toys"))))

    def actual(decision):  # type: ignore[no-untyped-def]
        return next(s for s in decision.lines[0].trace if s.rule == "toys").actual

    assert [actual(d) for d in (first, second, third)] == ["apparel", "beauty", "toys"]
    assert third.outcome == "needs_review"
