"""The ticket queue in a real browser at 1366x768: a live countdown, and a toast when a ticket
is assigned to the signed-in agent (the test server has no WebSocket, so this also proves the
polling fallback)."""

from __future__ import annotations

import re
import threading
from collections.abc import Iterator
from contextlib import contextmanager

import pytest
from django.db import connection

from aftercare.core.actors import Actor
from aftercare.core.testing import PASSWORD, MerchantFactory, make_member
from aftercare.merchants.models import Member, Role
from aftercare.tickets.actions import create_ticket
from aftercare.tickets.defaults import install_defaults
from aftercare.tickets.models import AgentState, BusinessCalendar, SkillGroup
from tests.browser.test_console import CHROMIUM, CHROMIUM_ARGS, sign_in

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(
        not CHROMIUM.exists(), reason="browser tests drive Debian's /usr/bin/chromium, not found"
    ),
]

playwright_api = pytest.importorskip("playwright.sync_api")
expect = playwright_api.expect


@contextmanager
def laptop_page() -> Iterator[playwright_api.Page]:
    with playwright_api.sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        try:
            context = browser.new_context(viewport={"width": 1366, "height": 768})
            page = context.new_page()
            page.set_default_timeout(10_000)
            yield page
        finally:
            browser.close()


@pytest.fixture
def desk_agent(transactional_db: None) -> Member:
    merchant = MerchantFactory(name="Qinghe Home", slug="qinghe")
    install_defaults(merchant)
    BusinessCalendar.objects.filter(merchant=merchant).update(
        timezone="UTC", weekly_hours=[["00:00", "24:00"]] * 7
    )
    agent = make_member(merchant, Role.AGENT, "zhou")
    state = AgentState.objects.create(
        merchant=merchant, member=agent, presence="online", capacity=5
    )
    state.groups.set(SkillGroup.objects.filter(merchant=merchant, code="general"))
    create_ticket(actor=Actor.system(merchant), subject="Kettle lid cracked")
    return agent


def _create_in_another_thread(agent: Member, subject: str) -> None:
    # Playwright's event loop lives in the test thread, where Django refuses database calls.
    def run() -> None:
        try:
            create_ticket(actor=Actor.system(agent.merchant), subject=subject)
        finally:
            connection.close()

    thread = threading.Thread(target=run)
    thread.start()
    thread.join()


def test_queue_counts_down_and_an_assignment_pops_a_toast(live_server, desk_agent: Member) -> None:
    with laptop_page() as page:
        sign_in(page, live_server.url, "zhou", PASSWORD)
        page.goto(f"{live_server.url}/tickets/")

        countdown = page.locator("#queue-rows time.countdown").first
        expect(countdown).to_have_text(re.compile(r"^\d{2}:\d{2}:\d{2}$"))
        first = countdown.text_content()
        page.wait_for_timeout(1500)
        assert countdown.text_content() != first, "the countdown ticks"
        fits = page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
        assert fits, "the queue fits 1366 px without scrolling sideways"
        page.wait_for_timeout(1000)  # the feed has read where it starts

        _create_in_another_thread(desk_agent, "Sofa leg missing")

        toast = page.locator("#toasts .toast")
        expect(toast).to_contain_text("was assigned to you", timeout=20_000)
        expect(page.locator("#queue-rows")).to_contain_text("Sofa leg missing", timeout=20_000)
        page.keyboard.press("j")
        page.keyboard.press("Enter")
        expect(page.locator("#ticket-panel")).to_be_visible()
