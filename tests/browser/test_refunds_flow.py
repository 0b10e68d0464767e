"""Refunds in a real browser: the customer is offered a retention alternative before a
changed-mind refund and declines it; the agent grants a goodwill partial refund from the
refunds panel of the case page and finds it in the refunds console."""

from __future__ import annotations

import pytest

from aftercare.commerce.models import Order, OrderLine
from aftercare.refunds.models import Grant, RetentionOffer, RetentionResponse
from aftercare.returns.models import Case
from tests.browser.test_console import CHROMIUM
from tests.browser.test_portal_flow import _look_up, _open_case_as_agent, _shop, two_windows

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(
        not CHROMIUM.exists(), reason="browser tests drive Debian's /usr/bin/chromium, not found"
    ),
]

playwright_api = pytest.importorskip("playwright.sync_api")
expect = playwright_api.expect


@pytest.fixture
def shop_with_offer(transactional_db: None) -> tuple[Order, list[OrderLine]]:
    order, lines = _shop("china_7day", refund_point="on_inspection_passed")
    RetentionOffer.objects.create(merchant=order.merchant, kind="coupon", percent=15)
    return order, lines


def test_offer_declined_then_a_goodwill_refund_from_the_case_page(  # type: ignore[no-untyped-def]
    live_server, shop_with_offer
) -> None:
    order, lines = shop_with_offer
    with two_windows() as (customer, agent):
        _look_up(customer, live_server.url, order.external_id, "138 1234 5678")
        form = customer.locator("#new-request")
        form.get_by_label("What would you like?").select_option(label="Return and refund")
        form.get_by_label("Reason").select_option(label="Changed mind")
        form.locator(f"#qty_{lines[0].pk}").fill("1")
        form.get_by_role("button", name="Send request").click()

        offer = customer.locator("#retention")
        expect(offer).to_contain_text("coupon")
        expect(offer).to_contain_text("15.00")
        customer.get_by_role("button", name="No thanks, send my refund request").click()
        expect(customer.locator("#case-status")).to_have_text("Awaiting return shipment")

        _open_case_as_agent(agent, live_server.url)
        panel = agent.locator("#case-refunds")
        expect(panel).to_contain_text("Refunds and compensation")
        panel.get_by_label("Kind").select_option(label="Partial refund")
        panel.get_by_label("Amount").fill("20")
        panel.get_by_label("Reason").fill("Goodwill for the wait")
        panel.get_by_role("button", name="Grant").click()
        expect(agent.locator("#case-refunds tbody")).to_contain_text("Partial refund")

        agent.goto(f"{live_server.url}/refunds/")
        expect(agent.locator("#queue-manual")).to_contain_text("Partial refund")

    case = Case.objects.get()
    assert RetentionResponse.objects.get().case_id == case.pk
    assert Grant.objects.get(case=case).amount == 20
