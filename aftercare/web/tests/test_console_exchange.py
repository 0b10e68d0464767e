"""The agent sends an exchange's replacement from the case page (R4)."""

from __future__ import annotations

import pytest
from django.test import Client

from aftercare.commerce.tests.factories import ProductFactory
from aftercare.core.actors import Actor
from aftercare.core.testing import actor_of_member, make_member
from aftercare.merchants.models import Member, Merchant, Role, Store
from aftercare.policies.tests.factories import delivered_order
from aftercare.returns import actions, inspection
from aftercare.returns.models import Case, ExchangeItem, ReplacementOrder
from aftercare.returns.tests.helpers import install_policy, snapshot

pytestmark = pytest.mark.django_db


@pytest.fixture
def passed_exchange(merchant: Merchant, store: Store, agent: Member) -> tuple[Case, int]:
    """An exchange whose customer asked for another size, received and passed inspection."""
    install_policy(merchant, "custom")
    order, lines = delivered_order(merchant, store, lines=1)
    wished = ProductFactory(merchant=merchant, category=lines[0].product.category, name="Size 43")
    actor = actor_of_member(agent)
    wanted = actions.LineRequest(lines[0].pk, 1, replacement_product_id=wished.pk)
    case = actions.create_case(
        actor=actor, order_id=order.pk, lines=[wanted], type="exchange", reason="size"
    )
    case = actions.approve_case(actor=actor, case=case)
    case = inspection.mark_shipped(actor=actor, case=case, tracking_number="SF1", carrier="SF")
    warehouse: Actor = actor_of_member(make_member(merchant, Role.WAREHOUSE, "wh"))
    case = inspection.receive_return(actor=warehouse, case=case)
    line = case.lines.get()
    results = [inspection.LineResult(case_line_id=line.pk, received_quantity=1)]
    case = inspection.record_inspection(actor=warehouse, case=case, results=results)
    assert case.status == "inspection_passed"
    return case, wished.pk


def test_the_page_preselects_what_the_customer_asked_for(
    client: Client, agent: Member, passed_exchange
) -> None:
    case, wished = passed_exchange
    client.force_login(agent.user)

    page = client.get(f"/cases/{case.pk}/").content.decode()

    assert "Wants instead: Size 43" in page
    assert f'<option value="{wished}" selected>' in page


def test_sending_and_shipping_the_replacement(
    client: Client, agent: Member, passed_exchange
) -> None:
    case, wished = passed_exchange
    client.force_login(agent.user)
    line = case.lines.get()

    sent = client.post(f"/cases/{case.pk}/send-replacement/", {f"product_{line.pk}": wished})
    shipped = client.post(f"/cases/{case.pk}/replacement-shipped/", {"external_order_id": "SO-R9"})

    assert sent.status_code == shipped.status_code == 302
    assert ExchangeItem.objects.get().product_id == wished
    assert ReplacementOrder.objects.get(case=case).external_id == "SO-R9"
    assert Case.objects.get(pk=case.pk).status == "exchanged"


def test_a_product_of_another_merchant_is_refused_and_nothing_changes(
    client: Client, agent: Member, passed_exchange, other_merchant: Merchant
) -> None:
    case, _ = passed_exchange
    theirs = ProductFactory(merchant=other_merchant)
    client.force_login(agent.user)
    before = snapshot()

    response = client.post(
        f"/cases/{case.pk}/send-replacement/",
        {f"product_{case.lines.get().pk}": theirs.pk},
        HTTP_HX_REQUEST="true",
    )

    assert response["X-Problem-Status"] == "422"
    assert "must be one of this shop&#x27;s products" in response.content.decode()
    assert snapshot() == before
