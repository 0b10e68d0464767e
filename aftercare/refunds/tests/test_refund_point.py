"""F1/F3: the policy's grant when a case reaches its refund point, and 'refunded' only from
the ledger."""

from __future__ import annotations

from decimal import Decimal

import pytest

from aftercare.core.errors import Conflict
from aftercare.refunds import queries
from aftercare.refunds.execution import mark_case_paid
from aftercare.refunds.models import Execution, Grant, GrantStatus, LedgerEntry
from aftercare.refunds.tests.conftest import use_gateway
from aftercare.refunds.tests.helpers import case_at_refund_point, deliver_all
from aftercare.returns import inspection
from aftercare.returns.models import Case


def test_the_refund_point_grants_what_the_policy_decided(system_actor, order, lines) -> None:
    case = case_at_refund_point(system_actor, order, lines)

    grant = Grant.objects.get(case=case)
    assert case.status == "refund_processing"
    assert grant.source == "refund_point" and grant.kind == "refund"
    assert grant.amount == case.refund_total
    assert grant.shipping_amount == case.shipping_refund
    assert sorted(grant.lines.values_list("order_line_id", flat=True)) == [x.pk for x in lines]
    assert len(grant.breakdown["lines"]) == 2
    assert grant.approved_by == "policy"
    # Manual gateway by default: the execution waits for finance, nothing went out.
    assert grant.status == GrantStatus.EXECUTING
    assert queries.refunded_total(case_id=case.pk) == 0


def test_a_case_is_not_refunded_without_a_ledger_entry(system_actor, order, lines) -> None:
    case = case_at_refund_point(system_actor, order, lines)

    with pytest.raises(Conflict):
        inspection.mark_refunded(actor=system_actor, case=case, reference="R1")

    assert Case.objects.get(pk=case.pk).status == "refund_processing"


def test_marking_the_manual_refund_paid_writes_the_ledger_and_refunds_the_case(
    system_actor, order, lines
) -> None:
    case = case_at_refund_point(system_actor, order, lines)

    mark_case_paid(actor=system_actor, case=case, reference="BANK-1")

    assert Case.objects.get(pk=case.pk).status == "refunded"
    kinds = list(LedgerEntry.objects.filter(case=case).values_list("kind", "reference"))
    assert kinds == [("requested", ""), ("succeeded", "BANK-1")]
    assert queries.refunded_total(case_id=case.pk) == case.refund_total
    assert queries.refunded_total(order_id=order.pk) == case.refund_total


def test_webhook_success_drives_the_case_to_refunded(
    merchant, system_actor, order, lines, provider
) -> None:
    use_gateway(merchant, provider, "webhook")
    case = case_at_refund_point(system_actor, order, lines)

    assert deliver_all() == ["succeeded"]

    execution = Execution.objects.get(grant__case=case)
    assert execution.status == "succeeded" and execution.reference == "wh_000001"
    assert Case.objects.get(pk=case.pk).status == "refunded"
    assert provider.posts[0]["body"]["amount"] == str(case.refund_total)
    assert provider.posts[0]["key"] == execution.idempotency_key


def test_the_grant_is_cut_to_what_is_still_refundable(merchant, system_actor, order, lines) -> None:
    from aftercare.refunds.actions import grant_refund

    # 380 of the 410 paid already went to a negotiated partial refund on the order.
    grant_refund(
        actor=system_actor, order_id=order.pk, kind="partial_refund", amount=Decimal("380.00")
    )
    case = case_at_refund_point(system_actor, order, lines)

    grant = Grant.objects.get(case=case)
    assert grant.amount == Decimal("30.00")
    assert grant.breakdown["cut_to_refundable"] is True
    assert queries.held_on_order(order.pk) == Decimal("410.00")
