"""The agent's case pages: list with a status filter, the case page, and its action endpoints."""

from __future__ import annotations

import pytest
from django.test import Client

from aftercare.core.actors import Actor
from aftercare.merchants.models import Member, Merchant, Store
from aftercare.policies.tests.factories import delivered_order
from aftercare.returns.models import Case
from aftercare.returns.tests.helpers import install_policy, open_case, snapshot

pytestmark = pytest.mark.django_db


@pytest.fixture
def case(merchant: Merchant, store: Store) -> Case:
    install_policy(merchant, "custom")
    order, lines = delivered_order(merchant, store)
    return open_case(Actor.system(merchant), order, lines[:1])


def test_list_filters_by_status(client: Client, agent: Member, case: Case) -> None:
    client.force_login(agent.user)

    under_review = client.get("/cases/?status=under_review").content.decode()
    approved = client.get("/cases/?status=approved").content.decode()

    assert case.number in under_review
    assert case.number not in approved
    assert 'aria-current="page">Cases' in under_review


def test_case_page_shows_the_decision_in_the_agents_language(
    client: Client, agent: Member, case: Case
) -> None:
    client.force_login(agent.user)

    page = client.get(f"/cases/{case.pk}/", HTTP_ACCEPT_LANGUAGE="zh-CN").content.decode()

    assert case.number in page and "审核中" in page
    assert case.decision["explanations"]["zh-Hans"][0] in page


def test_another_merchants_case_is_404(client: Client, other_agent: Member, case: Case) -> None:
    client.force_login(other_agent.user)

    assert client.get(f"/cases/{case.pk}/").status_code == 404
    assert client.post(f"/cases/{case.pk}/approve/").status_code == 404


def test_approve_over_htmx_returns_the_panel(client: Client, agent: Member, case: Case) -> None:
    client.force_login(agent.user)

    response = client.post(f"/cases/{case.pk}/approve/", HTTP_HX_REQUEST="true")

    assert response.status_code == 200
    assert 'id="case-panel"' in response.content.decode()
    assert Case.objects.get(pk=case.pk).status == "awaiting_return_shipment"


def test_a_refused_step_is_a_message_and_changes_nothing(
    client: Client, agent: Member, case: Case
) -> None:
    client.force_login(agent.user)
    before = snapshot()

    blank = client.post(f"/cases/{case.pk}/reject/", {"reason": " "}, HTTP_HX_REQUEST="true")
    early = client.post(f"/cases/{case.pk}/receive/")

    assert "Some fields are not valid" in blank.content.decode()
    assert blank["X-Problem-Status"] == "422"
    # An agent may not receive parcels (that is the warehouse's permission): 403 as a message.
    assert early.status_code == 403
    assert snapshot() == before


def test_supervisor_receives_and_passes_the_inspection(
    client: Client, supervisor: Member, case: Case
) -> None:
    client.force_login(supervisor.user)
    client.post(f"/cases/{case.pk}/approve/")

    assert client.post(f"/cases/{case.pk}/receive/").status_code == 302
    assert client.post(f"/cases/{case.pk}/start-inspection/").status_code == 302
    client.post(f"/cases/{case.pk}/inspect/", {"result": "pass"})

    assert Case.objects.get(pk=case.pk).status == "refund_processing"


def test_a_failed_inspection_needs_a_photo(client: Client, supervisor: Member, case: Case) -> None:
    client.force_login(supervisor.user)
    client.post(f"/cases/{case.pk}/approve/")
    client.post(f"/cases/{case.pk}/receive/")

    refused = client.post(f"/cases/{case.pk}/inspect/", {"result": "fail", "reason": "worn"})

    assert refused.status_code == 422
    assert Case.objects.get(pk=case.pk).status == "received"
