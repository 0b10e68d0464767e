"""The three examples from the merchants' documents, written as rules and judged."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

from aftercare.policies.domain import RequestLine
from aftercare.policies.engine import evaluate
from aftercare.policies.presets import china_7day
from aftercare.policies.tests.builders import cond, facts, order, request, rule, spec

WITHIN_48H = rule(
    "Within 48 hours of delivery",
    [cond("order.hours_since_delivery", "lte", 48)],
    {"kind": "auto_approve"},
)
NO_REASON_UNOPENED = rule(
    "7-day no-reason, unopened",
    [
        cond("request.reason_side", "in", ["customer"]),
        cond("request.condition", "in", ["unopened"]),
        cond("order.days_since_delivery", "lte", 7),
    ],
    {"kind": "auto_approve"},
)
FLAGGED = rule(
    "Flagged customers go to review",
    [cond("customer.risk_tags", "present")],
    {"kind": "needs_review"},
    priority=1,
)


def test_requested_within_48_hours_of_delivery_is_approved_automatically() -> None:
    policy = spec(rules=[WITHIN_48H])

    inside = evaluate(policy, facts(the_request=request(after=timedelta(hours=47))))
    outside = evaluate(policy, facts(the_request=request(after=timedelta(hours=49))))

    assert inside.auto_approve and inside.lines[0].decided_by == ("Within 48 hours of delivery",)
    assert not outside.auto_approve
    assert outside.outcome == "eligible"  # still within 7 days: an agent confirms


def test_48_hour_rule_never_fires_before_delivery() -> None:
    # Hours since delivery are unknown for an undelivered order: the condition does not hold.
    decision = evaluate(
        spec(rules=[WITHIN_48H]),
        facts(order(delivered=False), request(after=timedelta(hours=-60))),
    )

    assert not decision.auto_approve
    skipped = [s for s in decision.lines[0].trace if s.code == "rule_skipped"]
    assert skipped[0].field == "order.hours_since_delivery" and skipped[0].actual is None


def test_no_reason_unopened_within_7_days_is_approved_automatically() -> None:
    policy = spec(rules=[NO_REASON_UNOPENED])
    unopened = request(lines=(RequestLine(1, 1, "unopened"),), after=timedelta(days=5))
    opened = request(lines=(RequestLine(1, 1, "opened"),), after=timedelta(days=5))
    defect = request(reason="quality_defect", after=timedelta(days=5))

    assert evaluate(policy, facts(the_request=unopened)).auto_approve
    assert not evaluate(policy, facts(the_request=opened)).auto_approve
    assert not evaluate(policy, facts(the_request=defect)).auto_approve


def test_flagged_customers_go_to_review_even_when_another_rule_approves() -> None:
    policy = spec(rules=[NO_REASON_UNOPENED, FLAGGED])

    flagged = evaluate(policy, facts(risk_tags=frozenset({"chargeback"})))
    clean = evaluate(policy, facts())

    assert flagged.outcome == "needs_review" and not flagged.auto_approve
    assert flagged.lines[0].decided_by == ("Flagged customers go to review",)
    assert clean.auto_approve


def test_china_preset_expresses_all_three_examples() -> None:
    preset = china_7day()
    small = order(discount_total=Decimal("0.00"))

    fast = evaluate(
        preset,
        facts(small, request(reason="quality_defect", after=timedelta(hours=20))),
    )
    no_reason = evaluate(preset, facts(small, request(after=timedelta(days=6))))
    flagged = evaluate(preset, facts(small, risk_tags=frozenset({"fraud_suspect"})))

    assert fast.auto_approve and fast.lines[0].decided_by == ("Within 48 hours of delivery",)
    assert no_reason.auto_approve
    assert flagged.outcome == "needs_review"
