"""R5: an agent cannot grant above the limit by any path — the API, the console, or several
small grants on one case that add up beyond it. Above the limit the grant waits for a
supervisor; large refunds wait for finance too."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.test import Client

from aftercare.core.errors import Forbidden
from aftercare.core.testing import PASSWORD, api_caller
from aftercare.refunds import actions, queries
from aftercare.refunds.models import Grant, GrantStatus, RefundSettings
from aftercare.returns.tests.helpers import open_case

# Defaults: an agent grants up to 200.00 and 50 % of the order (410.00 paid -> 200.00).


def _grant(actor, order, amount: str, case=None):  # type: ignore[no-untyped-def]
    return actions.grant_refund(
        actor=actor,
        order_id=order.pk,
        case_id=case.pk if case else None,
        kind="partial_refund",
        amount=Decimal(amount),
    )


def test_an_agent_within_the_limit_grants_at_once(agent_actor, order) -> None:
    grant = _grant(agent_actor, order, "150.00")

    assert grant.approved_by == agent_actor.label
    assert grant.status == GrantStatus.EXECUTING  # auto-executed through the manual gateway


def test_above_the_limit_waits_for_a_supervisor(agent_actor, supervisor_actor, order) -> None:
    grant = _grant(agent_actor, order, "200.01")

    assert grant.status == GrantStatus.AWAITING_SUPERVISOR
    assert list(queries.approval_queue(order.merchant_id, stage="supervisor")) == [grant]
    with pytest.raises(Forbidden):
        actions.approve_grant(actor=agent_actor, grant_id=grant.pk)

    approved = actions.approve_grant(actor=supervisor_actor, grant_id=grant.pk)
    assert approved.approved_by == supervisor_actor.label
    assert approved.status == GrantStatus.EXECUTING


def test_small_grants_add_up_against_the_limit_on_one_case(
    agent_actor, system_actor, order, lines
) -> None:
    case = open_case(system_actor, order, lines[:1])

    first = _grant(agent_actor, order, "120.00", case)
    second = _grant(agent_actor, order, "80.00", case)
    third = _grant(agent_actor, order, "0.01", case)

    assert [first.status, second.status] == [GrantStatus.EXECUTING, GrantStatus.EXECUTING]
    assert third.status == GrantStatus.AWAITING_SUPERVISOR


def test_the_percentage_of_the_order_is_a_limit_too(merchant, agent_actor, order) -> None:
    RefundSettings.objects.create(merchant=merchant, agent_max_amount=1000, agent_max_percent=10)

    assert _grant(agent_actor, order, "41.00").status == GrantStatus.EXECUTING
    assert _grant(agent_actor, order, "0.01").status == GrantStatus.AWAITING_SUPERVISOR


def test_finance_approves_refunds_above_the_threshold(
    merchant, supervisor_actor, finance_actor, order
) -> None:
    RefundSettings.objects.create(merchant=merchant, finance_threshold=100)

    grant = _grant(supervisor_actor, order, "150.00")
    assert grant.status == GrantStatus.AWAITING_FINANCE
    with pytest.raises(Forbidden):
        actions.approve_grant(actor=supervisor_actor, grant_id=grant.pk)

    assert actions.approve_grant(actor=finance_actor, grant_id=grant.pk).status == "executing"
    assert Grant.objects.get(pk=grant.pk).finance_approved_by == finance_actor.label


def test_the_api_applies_the_same_limit(merchant, agent, order) -> None:
    caller = api_caller(merchant, scopes=["refunds.grant", "refunds.read"])
    body = {"order_id": order.pk, "kind": "partial_refund", "amount": "250.00"}

    response = caller.post("/api/v1/refunds/grants", body)

    assert response.status_code == 201, response.content
    assert response.json()["status"] == "awaiting_supervisor"
    assert caller.post(f"/api/v1/refunds/grants/{response.json()['id']}/approve").status_code == 403


def test_the_console_applies_the_same_limit(agent, system_actor, order, lines) -> None:
    case = open_case(system_actor, order, lines[:1])
    client = Client()
    assert client.login(username=agent.user.username, password=PASSWORD)
    url = f"/refunds/cases/{case.pk}/grant"

    for amount in ("150.00", "60.00"):
        response = client.post(url, {"kind": "partial_refund", "amount": amount})
        assert response.status_code == 200

    statuses = list(Grant.objects.filter(case=case).order_by("pk").values_list("status", flat=True))
    assert statuses == [GrantStatus.EXECUTING, GrantStatus.AWAITING_SUPERVISOR]


def test_a_key_without_the_grant_scope_grants_nothing(merchant, order) -> None:
    caller = api_caller(merchant, scopes=["refunds.read"])

    response = caller.post(
        "/api/v1/refunds/grants", {"order_id": order.pk, "kind": "coupon", "amount": "5.00"}
    )

    assert response.status_code == 403
    assert not Grant.objects.exists()


def test_a_negotiated_refund_above_the_merchant_limit_waits(
    merchant, agent_actor, system_actor, order, lines
) -> None:
    from aftercare.returns import actions as case_actions
    from aftercare.returns import disputes

    RefundSettings.objects.create(merchant=merchant, agent_max_amount=50)
    case = open_case(system_actor, order, lines[:1])
    case = case_actions.reject_case(actor=system_actor, case=case, reason="used")

    disputes.resolve_by_negotiation(
        actor=agent_actor, case=case, kind="partial_refund", amount=Decimal("80.00")
    )

    grant = Grant.objects.get(case=case)
    assert grant.source == "negotiation" and grant.kind == "partial_refund"
    assert grant.status == GrantStatus.AWAITING_SUPERVISOR


def test_a_negotiated_coupon_is_issued_with_a_code_and_expiry(
    agent_actor, system_actor, order, lines
) -> None:
    from aftercare.refunds.models import RefundEvent
    from aftercare.returns import actions as case_actions
    from aftercare.returns import disputes

    case = open_case(system_actor, order, lines[:1])
    case = case_actions.reject_case(actor=system_actor, case=case, reason="used")
    disputes.resolve_by_negotiation(
        actor=agent_actor, case=case, kind="coupon", amount=Decimal("20.00"), coupon_code="SORRY20"
    )

    grant = Grant.objects.get(case=case)
    assert grant.status == GrantStatus.SUCCEEDED and grant.coupon_code == "SORRY20"
    event = RefundEvent.objects.get(kind="refund.coupon_issued")
    assert event.data["coupon_code"] == "SORRY20" and event.data["expires_at"]
    assert queries.refunded_total(order_id=order.pk) == 0  # a coupon is no money out


def test_a_coupon_without_a_value_needs_its_code(agent_actor, order) -> None:
    from aftercare.refunds.errors import InvalidGrant

    with pytest.raises(InvalidGrant):
        actions.grant_refund(actor=agent_actor, order_id=order.pk, kind="coupon", amount=Decimal(0))
    grant = actions.grant_refund(
        actor=agent_actor, order_id=order.pk, kind="coupon", amount=Decimal(0), coupon_code="VIP"
    )

    assert grant.status == GrantStatus.SUCCEEDED and grant.coupon_code == "VIP"
    assert Grant.objects.count() == 1
