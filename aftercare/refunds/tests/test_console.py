"""Console pages of refunds: the queues, a grant's page and its actions, the case panel."""

from __future__ import annotations

from decimal import Decimal

from django.test import Client

from aftercare.core.testing import PASSWORD, make_member
from aftercare.merchants.models import Role
from aftercare.refunds import actions
from aftercare.refunds.models import Grant, GrantStatus, LedgerEntry
from aftercare.refunds.tests.helpers import case_at_refund_point
from aftercare.returns.models import Case


def _signed_in(member) -> Client:  # type: ignore[no-untyped-def]
    client = Client()
    assert client.login(username=member.user.username, password=PASSWORD)
    return client


def test_the_supervisor_queue_lists_a_grant_above_an_agent_limit(
    agent_actor, supervisor, order
) -> None:
    grant = actions.grant_refund(
        actor=agent_actor, order_id=order.pk, kind="partial_refund", amount=Decimal("300.00")
    )
    client = _signed_in(supervisor)

    page = client.get("/refunds/")
    assert page.status_code == 200
    queue = page.content.decode().split('id="queue-supervisor"')[1].split("</section>")[0]
    assert f"/refunds/grants/{grant.pk}/" in queue

    response = client.post(f"/refunds/grants/{grant.pk}/approve")
    assert response.status_code == 302
    assert Grant.objects.get(pk=grant.pk).status == GrantStatus.EXECUTING


def test_an_agent_cannot_approve_from_the_console(agent, agent_actor, order) -> None:
    grant = actions.grant_refund(
        actor=agent_actor, order_id=order.pk, kind="partial_refund", amount=Decimal("300.00")
    )

    response = _signed_in(agent).post(f"/refunds/grants/{grant.pk}/approve")

    assert response.status_code == 403
    assert Grant.objects.get(pk=grant.pk).status == GrantStatus.AWAITING_SUPERVISOR


def test_finance_marks_a_manual_refund_paid_and_the_case_is_refunded(
    merchant, system_actor, order, lines
) -> None:
    case = case_at_refund_point(system_actor, order, lines)
    grant = Grant.objects.get(case=case)
    client = _signed_in(make_member(merchant, Role.FINANCE, "cashier"))

    page = client.get(f"/refunds/grants/{grant.pk}/")
    assert f'action="/refunds/grants/{grant.pk}/mark-paid"' in page.content.decode()
    blank = client.post(f"/refunds/grants/{grant.pk}/mark-paid", {"reference": " "})
    assert blank.status_code == 422
    done = client.post(f"/refunds/grants/{grant.pk}/mark-paid", {"reference": "BANK-9"})

    assert done.status_code == 302
    assert Case.objects.get(pk=case.pk).status == "refunded"
    assert LedgerEntry.objects.filter(grant=grant, kind="succeeded", reference="BANK-9").exists()
    assert "BANK-9" in client.get(f"/refunds/grants/{grant.pk}/").content.decode()


def test_the_case_page_loads_the_refunds_panel(agent, system_actor, order, lines) -> None:
    case = case_at_refund_point(system_actor, order, lines)
    client = _signed_in(agent)

    page = client.get(f"/cases/{case.pk}/")
    panel = client.get(f"/refunds/cases/{case.pk}/panel")

    assert f"/refunds/cases/{case.pk}/panel" in page.content.decode()
    assert panel.status_code == 200 and 'id="case-refunds"' in panel.content.decode()


def test_another_merchants_grant_is_not_found(other_agent, agent_actor, order) -> None:
    grant = actions.grant_refund(
        actor=agent_actor, order_id=order.pk, kind="partial_refund", amount=Decimal("10.00")
    )
    client = _signed_in(other_agent)

    assert client.get(f"/refunds/grants/{grant.pk}/").status_code == 404
    assert client.post(f"/refunds/grants/{grant.pk}/cancel", {"reason": "x"}).status_code == 404
    assert Grant.objects.get(pk=grant.pk).status == GrantStatus.EXECUTING


def test_warehouse_staff_see_no_refunds(merchant, order) -> None:
    client = _signed_in(make_member(merchant, Role.WAREHOUSE, "picker"))

    assert client.get("/refunds/").status_code == 403
