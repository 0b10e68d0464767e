"""The service desk end to end in a real browser (issue 6, S6): a customer signed in to the
portal writes in the chat widget; the agent sees it arrive live, replies, reads the customer
360 and approves the customer's return from the conversation; the customer sees the reply in
the widget and the new status in the portal.

The FAQ bot may answer web chat first and hand over to a person when asked: the customer
asks for one ("agent") before the real question, and the test looks for the messages it
expects, never at how many there are or which came last. The test server speaks no
WebSocket, so both sides run on their polling fallback here.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import timedelta

import pytest
from django.utils import timezone

from aftercare.commerce.models import Order
from aftercare.core.actors import Actor
from aftercare.core.testing import PASSWORD, MerchantFactory, StoreFactory, make_member
from aftercare.merchants.models import Role
from aftercare.policies.tests.factories import delivered_order
from aftercare.returns.models import Case
from aftercare.returns.tests.helpers import install_policy, open_case
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
QUESTION = "Has my return been approved yet? The cushion is still in its box."
REPLY = "Thanks for waiting, I am approving your return right now."


@dataclass
class Shop:
    order: Order
    case: Case


@pytest.fixture
def shop(transactional_db: None) -> Shop:
    merchant = MerchantFactory(name="Acme Home", slug="acme")
    make_member(merchant, Role.AGENT, "mei")
    install_policy(merchant, "custom")  # an agent reviews every request
    order, lines = delivered_order(
        merchant, StoreFactory(merchant=merchant), delivered_at=timezone.now() - timedelta(hours=20)
    )
    order.customer.name, order.customer.phone = "Emily Carter", PHONE
    order.customer.save(update_fields=["name", "phone"])
    case = open_case(Actor.system(merchant), order, lines[:1])
    assert case.status == "under_review"
    return Shop(order=order, case=case)


@contextmanager
def customer_and_agent() -> Iterator[tuple[playwright_api.Page, playwright_api.Page]]:
    """(customer on a phone, agent on a 1366x768 laptop), separate cookies and storage."""
    with playwright_api.sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        try:
            phone = browser.new_context(
                viewport={"width": 390, "height": 844}, locale="en-US", is_mobile=True
            ).new_page()
            desk = browser.new_context(
                viewport={"width": 1366, "height": 768}, locale="en-US"
            ).new_page()
            for page in (phone, desk):
                page.set_default_timeout(15_000)
            yield phone, desk
        finally:
            browser.close()


def _open_portal_case(page: playwright_api.Page, base_url: str, shop: Shop) -> None:
    page.goto(f"{base_url}/portal/acme/")
    page.get_by_label("Order number").fill(shop.order.external_id)
    page.get_by_label("Phone number or email").fill(PHONE)
    page.get_by_role("button", name="Find my order").click()
    page.goto(f"{base_url}/portal/acme/cases/{shop.case.pk}/")
    expect(page.locator("#case-status")).to_have_text("Under review")


def _send(widget: playwright_api.Locator, text: str) -> None:
    widget.locator(".ac-input").fill(text)
    widget.locator(".ac-input").press("Enter")


def _no_horizontal_scroll(page: playwright_api.Page) -> bool:
    return bool(page.evaluate("() => document.documentElement.scrollWidth <= window.innerWidth"))


def test_portal_chat_reaches_the_agent_who_replies_and_approves_from_the_conversation(
    live_server, shop: Shop
) -> None:
    with customer_and_agent() as (customer, agent):
        sign_in(agent, live_server.url, "mei", PASSWORD)
        agent.goto(f"{live_server.url}/desk/")
        expect(agent.locator("#inbox")).to_contain_text("No conversations.")

        # The customer opens the chat from the launcher, with the keyboard.
        _open_portal_case(customer, live_server.url, shop)
        widget = customer.locator("#aftercare-chat")
        launcher = widget.get_by_role("button", name="Chat with us")
        launcher.focus()
        customer.keyboard.press("Enter")
        expect(widget.locator(".ac-input")).to_be_focused()
        # On a phone the open chat fills the screen and has a close button.
        box = widget.get_by_role("dialog").bounding_box()
        assert box is not None and box["width"] == 390 and box["height"] == 844
        expect(widget.get_by_role("button", name="Close the chat")).to_be_visible()
        customer.keyboard.press("Escape")
        expect(widget.get_by_role("dialog")).to_be_hidden()
        expect(launcher).to_be_focused()
        launcher.click()

        # Ask for a person first (the FAQ bot hands over), then the real question.
        _send(widget, "agent")
        # The first message also loads the assistant's models: allow for it.
        expect(widget.locator(".ac-mine").first).to_contain_text("agent", timeout=30_000)
        _send(widget, QUESTION)
        expect(widget.locator(".ac-mine", has_text=QUESTION)).to_be_visible(timeout=20_000)

        # The agent's inbox shows it without a reload.
        row = agent.locator("#inbox .inbox-row").first
        expect(row).to_contain_text("Emily Carter", timeout=20_000)
        row.locator("a").first.click()
        messages = agent.locator("#messages")
        expect(messages).to_contain_text(QUESTION, timeout=20_000)
        conversation_url = agent.url

        agent.locator("#reply-body").fill(REPLY)
        agent.locator("#reply-form").get_by_role("button", name="Send").click()
        expect(messages).to_contain_text(REPLY)

        # The customer 360 beside the conversation: who, which order, which case.
        panel = agent.locator("#customer-360")
        expect(panel).to_contain_text("Emily Carter")
        expect(panel).to_contain_text(shop.order.external_id)
        card = agent.locator(f"#case-card-{shop.case.pk}")
        expect(card).to_contain_text(shop.case.number)
        expect(card.locator(".case-status")).to_have_text("Under review")
        expect(card).to_contain_text("due")
        assert _no_horizontal_scroll(agent), "the conversation page scrolls sideways at 1366x768"

        card.get_by_role("button", name="Approve").click()
        card = agent.locator(f"#case-card-{shop.case.pk}")
        expect(card.locator(".case-status")).to_have_text("Awaiting return shipment")
        expect(card.get_by_role("button", name="Approve")).to_have_count(0)
        assert agent.url == conversation_url
        assert _no_horizontal_scroll(agent)

        # The customer sees the reply arrive in the widget, and the new status in the portal.
        expect(widget.locator(".ac-theirs", has_text=REPLY)).to_be_visible(timeout=20_000)
        customer.reload()
        expect(customer.locator("#case-status")).to_have_text("Awaiting return shipment")
        # The chat stays open across pages and still holds the conversation.
        widget = customer.locator("#aftercare-chat")
        expect(widget.locator(".ac-theirs", has_text=REPLY)).to_be_visible(timeout=20_000)
        expect(widget.locator(".ac-mine", has_text=QUESTION)).to_be_visible()

    assert Case.objects.get(pk=shop.case.pk).status == "awaiting_return_shipment"
