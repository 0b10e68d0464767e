"""The policy's fixed checks: windows, exclusions, condition requirements, who pays shipping."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest

from aftercare.policies.domain import RequestLine
from aftercare.policies.engine import evaluate
from aftercare.policies.presets import china_7day, custom, eu_14day
from aftercare.policies.tests.builders import facts, line, order, request, spec


@pytest.mark.parametrize(("days", "outcome"), [(7, "eligible"), (8, "not_eligible")])
def test_seven_day_window_edges(days: int, outcome: str) -> None:
    # Delivered 10:00 on 1 Nov (Shanghai); day 7 is 8 Nov, all day, day 8 is 9 Nov.
    late_on_day = timedelta(days=days, hours=13)  # 23:00 Shanghai time that day
    decision = evaluate(spec(), facts(the_request=request(after=late_on_day)))

    assert decision.outcome == outcome
    window = next(s for s in decision.lines[0].trace if s.code == "window")
    assert (window.expected, window.actual) == (7, days)


def test_undelivered_order_counts_from_the_order_date() -> None:
    # Placed 3 days before the (absent) delivery: day 5 after placing is inside, day 8 not.
    undelivered = order(delivered=False)
    inside = evaluate(spec(), facts(undelivered, request(after=timedelta(days=2))))
    outside = evaluate(spec(), facts(undelivered, request(after=timedelta(days=5))))

    assert inside.outcome == "eligible" and not inside.delivered
    assert outside.outcome == "not_eligible"
    assert outside.lines[0].trace[1].field == "days_since_order"


def test_category_and_sku_windows_override_the_policy() -> None:
    policy = spec(category_windows=[{"category": "electronics", "return_days": 15}])
    the_order = order(line(1, category="electronics"), line(2, return_window_days=30))
    wanted = request(lines=(RequestLine(1, 1), RequestLine(2, 1)), after=timedelta(days=12))

    decision = evaluate(policy, facts(the_order, wanted))

    assert [item.window_days for item in decision.lines] == [15, 30]
    assert decision.outcome == "eligible"


def test_exchange_and_repair_use_their_own_windows() -> None:
    day_10 = timedelta(days=10)
    exchange = evaluate(spec(), facts(the_request=request(type="exchange", after=day_10)))
    repair = evaluate(spec(), facts(the_request=request(type="repair", after=timedelta(days=300))))

    assert exchange.outcome == "eligible" and exchange.lines[0].window_days == 15
    assert repair.outcome == "eligible" and repair.lines[0].window_days == 365
    assert exchange.refund_total == repair.refund_total == Decimal("0.00")  # no money back


@pytest.mark.parametrize(
    ("flags", "condition", "excluded"),
    [
        ({"is_hygiene": True}, "opened", "hygiene_opened"),
        ({"is_custom_made": True}, "unopened", "custom_made"),
        ({"is_perishable": True}, "unopened", "perishable"),
        ({"is_digital": True}, "unopened", "digital"),
        ({"returnable": False}, "unopened", "non_returnable"),
    ],
)
def test_non_returnable_classes(flags: dict, condition: str, excluded: str) -> None:
    the_order = order(line(1, **flags))
    no_reason = request(lines=(RequestLine(1, 1, condition),))
    defect = request(reason="quality_defect", lines=(RequestLine(1, 1, condition),))

    refused = evaluate(spec(), facts(the_order, no_reason))
    accepted = evaluate(spec(), facts(the_order, defect))

    assert refused.outcome == "not_eligible"
    assert any(s.code == "exclusion" and s.field == excluded for s in refused.lines[0].trace)
    assert accepted.outcome == "eligible"  # a defect is the merchant's to take back


def test_unopened_hygiene_item_can_be_returned() -> None:
    the_order = order(line(1, is_hygiene=True))
    assert evaluate(spec(), facts(the_order)).outcome == "eligible"


def test_condition_requirements_bind_customer_side_returns() -> None:
    policy = spec(conditions={"unopened_categories": ["apparel"], "tags_on": True})
    opened = request(lines=(RequestLine(1, 1, "opened", tags_on=True),))
    silent = request(lines=(RequestLine(1, 1, "unopened"),))
    tags_off = request(lines=(RequestLine(1, 1, "unopened", tags_on=False),))
    defect = request(reason="wrong_item", lines=(RequestLine(1, 1, "opened", tags_on=False),))

    assert evaluate(policy, facts(the_request=opened)).outcome == "not_eligible"
    assert evaluate(policy, facts(the_request=silent)).outcome == "needs_review"
    assert evaluate(policy, facts(the_request=tags_off)).outcome == "not_eligible"
    assert evaluate(policy, facts(the_request=defect)).outcome == "eligible"


@pytest.mark.parametrize(
    ("reason", "payer"),
    [
        ("quality_defect", "merchant"),
        ("damaged_in_transit", "merchant"),
        ("wrong_item", "merchant"),
        ("missing_parts", "merchant"),
        ("not_as_described", "merchant"),
        ("size", "customer"),
        ("colour_style", "customer"),
        ("changed_mind", "customer"),
        ("late_delivery", "merchant"),
        ("other", "customer"),
    ],
)
def test_return_shipping_payer_by_reason(reason: str, payer: str) -> None:
    decision = evaluate(spec(), facts(the_request=request(reason=reason)))
    assert decision.lines[0].shipping_payer == payer


def test_configurable_reasons_and_per_reason_payer() -> None:
    policy = spec(
        reason_sides={"late_delivery": "customer", "other": "merchant"},
        shipping={"return_payer_by_reason": {"size": "merchant"}},
    )
    assert evaluate(policy, facts(the_request=request(reason="late_delivery"))).side == "customer"
    assert evaluate(policy, facts(the_request=request(reason="other"))).side == "merchant"
    size = evaluate(policy, facts(the_request=request(reason="size")))
    assert size.lines[0].shipping_payer == "merchant"


def test_claims_need_a_merchant_fault_and_send_nothing_back() -> None:
    claim = evaluate(spec(), facts(the_request=request(type="claim", reason="missing_parts")))
    wrong_claim = evaluate(spec(), facts(the_request=request(type="claim", reason="size")))

    assert claim.outcome == "eligible" and claim.lines[0].shipping_payer == "none"
    assert claim.lines[0].refund_without_return
    assert wrong_claim.outcome == "not_eligible"


def test_eu_refunds_original_shipping_only_on_full_withdrawal() -> None:
    the_order = order(line(1, quantity=2), shipping_fee=Decimal("4.90"))
    part = request(lines=(RequestLine(1, 1),), reason="changed_mind")
    whole = request(lines=(RequestLine(1, 2),), reason="changed_mind")

    partial = evaluate(eu_14day(), facts(the_order, part))
    full = evaluate(eu_14day(), facts(the_order, whole))

    assert partial.shipping_refund == Decimal("0.00")
    assert full.shipping_refund == Decimal("4.90")
    assert full.refund_total == the_order.paid_total
    assert full.lines[0].shipping_payer == "customer" and full.refund_point == "on_receipt"
    assert full.auto_approve


def test_custom_preset_sends_everything_to_review() -> None:
    late = request(after=timedelta(days=400))
    assert evaluate(custom(), facts(the_request=late)).outcome == "needs_review"
    assert evaluate(custom(), facts()).outcome == "needs_review"


def test_china_preset_settings() -> None:
    preset = china_7day()
    assert (preset.windows.return_days, preset.windows.exchange_days) == (7, 15)
    assert preset.windows.warranty_days == 365
    assert preset.review_business_days == 1
    defect = evaluate(
        preset, facts(order(shipping_fee=Decimal("8.00")), request(reason="quality_defect"))
    )
    assert defect.shipping_refund == Decimal("8.00")
    assert defect.lines[0].shipping_payer == "merchant"
