"""The customer portal and the agent's case page in a real browser: a return from lookup to
refund, an exchange approved by an agent, and a wrong phone number.

The customer uses a phone-sized window (the portal is mobile-first), the agent a desktop one.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import timedelta

import pytest
from django.utils import timezone

from aftercare.commerce.models import Order, OrderLine
from aftercare.core.testing import PASSWORD, MerchantFactory, StoreFactory, make_member
from aftercare.merchants.models import Role
from aftercare.policies.tests.factories import delivered_order
from aftercare.returns.models import Case, ReturnDesk
from aftercare.returns.tests.helpers import install_policy
from tests.browser.test_console import CHROMIUM, CHROMIUM_ARGS, sign_in

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(
        not CHROMIUM.exists(), reason="browser tests drive Debian's /usr/bin/chromium, not found"
    ),
]

playwright_api = pytest.importorskip("playwright.sync_api")
expect = playwright_api.expect

PHONE = "+8613812345678"
ADDRESS = "上海市浦东新区张江路 88 号 售后仓"


@contextmanager
def two_windows() -> Iterator[tuple[playwright_api.Page, playwright_api.Page]]:
    """(customer on a phone, agent on a desktop). Started after the data is written: while
    Playwright's loop runs in this thread Django refuses synchronous database calls."""
    with playwright_api.sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        try:
            phone = browser.new_context(
                viewport={"width": 390, "height": 844}, locale="en-US", is_mobile=True
            ).new_page()
            desk = browser.new_context(
                viewport={"width": 1440, "height": 900}, locale="en-US"
            ).new_page()
            for page in (phone, desk):
                page.set_default_timeout(10_000)
            yield phone, desk
        finally:
            browser.close()


def _shop(preset: str, **changes: object) -> tuple[Order, list[OrderLine]]:
    merchant = MerchantFactory(name="Acme Home", slug="acme")
    make_member(merchant, Role.SUPERVISOR, "sup")
    install_policy(merchant, preset, **changes)
    ReturnDesk.objects.create(merchant=merchant, address=ADDRESS, contact_name="Returns desk")
    order, lines = delivered_order(
        merchant,
        StoreFactory(merchant=merchant),
        delivered_at=timezone.now() - timedelta(hours=20),
    )
    order.customer.phone = PHONE
    order.customer.save(update_fields=["phone"])
    return order, lines


def _look_up(page: playwright_api.Page, base_url: str, number: str, phone: str) -> None:
    page.goto(f"{base_url}/portal/acme/")
    page.get_by_label("Order number").fill(number)
    page.get_by_label("Phone number or email").press_sequentially(phone, delay=10)
    page.get_by_role("button", name="Find my order").click()


def _request(page: playwright_api.Page, line: OrderLine, type_label: str) -> None:
    form = page.locator("#new-request")
    form.get_by_label("What would you like?").select_option(label=type_label)
    form.get_by_label("Reason").select_option(label="Size")
    form.locator(f"#qty_{line.pk}").fill("1")
    form.get_by_label("Tell us more (optional)").fill("One size too small.")
    form.get_by_role("button", name="Send request").click()


def _open_case_as_agent(page: playwright_api.Page, base_url: str) -> None:
    sign_in(page, base_url, "sup", PASSWORD)
    page.get_by_role("link", name="Cases").click()
    page.locator(".case-number").first.click()


@pytest.fixture
def a_return(transactional_db: None) -> tuple[Order, list[OrderLine]]:
    # The China preset approves a small order's return at once; its refund here waits for
    # the inspection, so the agent's steps are receive, inspect, pass.
    return _shop("china_7day", refund_point="on_inspection_passed")


def test_a_full_return_from_lookup_to_refund(live_server, a_return) -> None:  # type: ignore[no-untyped-def]
    order, lines = a_return
    with two_windows() as (customer, agent):
        _look_up(customer, live_server.url, order.external_id, "138 1234 5678")
        eligibility = customer.locator("#eligibility")
        expect(eligibility).to_contain_text(lines[0].name)
        expect(eligibility).to_contain_text("Can be returned")
        expect(eligibility).to_contain_text("within 7 days of delivery")

        _request(customer, lines[0], "Return and refund")
        expect(customer.locator("#case-status")).to_have_text("Awaiting return shipment")
        instructions = customer.locator("#instructions")
        expect(instructions).to_contain_text(ADDRESS)
        expect(instructions).to_contain_text("RMA-")
        expect(instructions).to_contain_text("Send it by")

        customer.get_by_label("Carrier").fill("SF")
        customer.get_by_label("Tracking number").fill("SF1234567890")
        customer.get_by_role("button", name="Save tracking number").click()
        expect(customer.locator("#case-status")).to_have_text("In transit")
        expect(customer.locator("#instructions")).to_contain_text("SF1234567890")

        _open_case_as_agent(agent, live_server.url)
        expect(agent.locator("#case-status")).to_have_text("In transit")
        expect(agent.locator("#decision")).to_contain_text("within 7 days of delivery")
        agent.get_by_role("button", name="Mark received").click()
        expect(agent.locator("#case-status")).to_have_text("Received")
        agent.get_by_role("button", name="Start inspection").click()
        expect(agent.locator("#case-status")).to_have_text("Inspecting")
        agent.get_by_role("button", name="Inspection passed").click()
        expect(agent.locator("#case-status")).to_have_text("Refund processing")

        customer.reload()
        expect(customer.locator("#case-status")).to_have_text("Refund processing")
        timeline = customer.locator("#timeline")
        for step in ("Request submitted", "In transit", "Received", "Inspection passed"):
            expect(timeline).to_contain_text(step)
        expect(customer.locator("#ship")).to_have_count(0)


@pytest.fixture
def an_exchange(transactional_db: None) -> tuple[Order, list[OrderLine]]:
    return _shop("custom")  # an agent reviews everything


def test_an_exchange_approved_by_the_agent(live_server, an_exchange) -> None:  # type: ignore[no-untyped-def]
    order, lines = an_exchange
    with two_windows() as (customer, agent):
        _look_up(customer, live_server.url, order.external_id, "+86 138-1234-5678")
        expect(customer.locator("#eligibility")).to_contain_text("Our team will check")
        _request(customer, lines[1], "Exchange")
        expect(customer.locator("#case-status")).to_have_text("Under review")
        expect(customer.locator("#instructions")).to_have_count(0)
        customer.evaluate("window.aftercarePortalLive.every(300)")  # 15 s in real life

        _open_case_as_agent(agent, live_server.url)
        expect(agent.locator("#case-panel")).to_contain_text("Exchange")
        agent.get_by_role("button", name="Approve").click()
        expect(agent.locator("#case-status")).to_have_text("Awaiting return shipment")

        # The customer's page follows by itself, without a reload by hand.
        expect(customer.locator("#case-status")).to_have_text("Awaiting return shipment")
        expect(customer.locator("#instructions")).to_contain_text(ADDRESS)
        expect(customer.locator("#timeline")).to_contain_text("Approved")

        # While the customer types, a change is offered, not forced on them.
        customer.evaluate("window.aftercarePortalLive.every(300)")  # the reloaded page's pace
        customer.get_by_label("Carrier").fill("SF")
        agent.get_by_role("button", name="Mark received").click()
        expect(agent.locator("#case-status")).to_have_text("Received")
        expect(customer.locator("#live-notice")).to_be_visible()
        expect(customer.get_by_label("Carrier")).to_have_value("SF")
        customer.get_by_role("button", name="Show the update").click()
        expect(customer.locator("#case-status")).to_have_text("Received")
    case = Case.objects.get(order=order)
    assert case.type == "exchange" and case.lines.get().order_line_id == lines[1].pk


def test_a_wrong_phone_gets_the_generic_answer(live_server, an_exchange) -> None:  # type: ignore[no-untyped-def]
    order, _ = an_exchange
    with two_windows() as (customer, _agent):
        _look_up(customer, live_server.url, order.external_id, "139 0000 0000")

        expect(customer.get_by_role("alert")).to_contain_text(
            "We could not find an order with that number and phone number or email."
        )
        expect(customer).to_have_url(re.compile(r"/portal/acme/$"))
        expect(customer.get_by_label("Order number")).to_have_value(order.external_id)
