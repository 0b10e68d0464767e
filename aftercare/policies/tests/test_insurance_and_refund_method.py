"""Return-shipping insurance (运费险) and the refund method (P1)."""

from __future__ import annotations

import pytest

from aftercare.policies.engine import evaluate
from aftercare.policies.serialize import decision_to_dict
from aftercare.policies.tests.builders import facts, order, request, spec
from aftercare.policies.wording import render_trace


def test_insurance_pays_what_the_customer_would_have_paid() -> None:
    insured = order(return_shipping_insurance=True)

    decision = evaluate(spec(), facts(insured, request(reason="size")))

    assert decision.lines[0].shipping_payer == "insurance"
    assert "运费险" in " ".join(render_trace(decision, "zh-Hans"))
    assert "insurance" in " ".join(render_trace(decision, "en"))


def test_insurance_does_not_change_a_merchant_fault() -> None:
    insured = order(return_shipping_insurance=True)

    decision = evaluate(spec(), facts(insured, request(reason="quality_defect")))

    assert decision.lines[0].shipping_payer == "merchant"


@pytest.mark.parametrize("covers", [True, False])
def test_the_policy_decides_whether_insurance_is_honoured(covers: bool) -> None:
    policy = spec(shipping={"insurance_covers_return": covers})
    insured = order(return_shipping_insurance=True)

    payer = evaluate(policy, facts(insured, request(reason="changed_mind"))).lines[0].shipping_payer

    assert payer == ("insurance" if covers else "customer")


def test_an_uninsured_order_leaves_the_customer_paying() -> None:
    decision = evaluate(spec(), facts(order(), request(reason="size")))

    assert decision.lines[0].shipping_payer == "customer"


@pytest.mark.parametrize("method", ["original_payment", "store_credit", "customer_choice"])
def test_the_refund_method_comes_from_the_policy(method: str) -> None:
    decision = evaluate(spec(refund_method=method), facts())

    assert decision.refund_method == method
    assert decision_to_dict(decision, "en")["refund_method"] == method


def test_an_unknown_refund_method_is_refused() -> None:
    with pytest.raises(ValueError, match="refund_method"):
        spec(refund_method="cash_in_envelope")
