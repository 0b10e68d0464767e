"""The console in a real browser: sign in, see the orders, search, switch language.

Also writes docs/screenshots/console-home.png for the README.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

from aftercare.core.testing import PASSWORD
from aftercare.merchants.models import Member
from tests.browser.shop import build_shop

CHROMIUM = Path("/usr/bin/chromium")
SCREENSHOTS = Path(__file__).resolve().parents[2] / "docs" / "screenshots"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-dev-shm-usage",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
    "--disable-sync",
]

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(
        not CHROMIUM.exists(), reason="browser tests drive Debian's /usr/bin/chromium, not found"
    ),
]

playwright_api = pytest.importorskip("playwright.sync_api")
expect = playwright_api.expect


@contextmanager
def chromium_page(locale: str = "en-US") -> Iterator[playwright_api.Page]:
    # Started inside the test, after the data is written: while Playwright's event loop is
    # alive in this thread, Django refuses synchronous database calls here.
    with playwright_api.sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        try:
            context = browser.new_context(
                viewport={"width": 1440, "height": 720}, locale=locale, device_scale_factor=1
            )
            page = context.new_page()
            page.set_default_timeout(10_000)
            yield page
        finally:
            browser.close()


@pytest.fixture
def shop_agent(transactional_db: None) -> Member:
    _, agent = build_shop()
    return agent


def sign_in(page: playwright_api.Page, base_url: str, username: str, password: str) -> None:
    page.goto(f"{base_url}/login/")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Sign in").click()


def test_agent_lists_searches_and_switches_language(live_server, shop_agent: Member) -> None:
    with chromium_page() as page:
        sign_in(page, live_server.url, "linxy", PASSWORD)

        table = page.locator("#orders")
        expect(page.get_by_role("heading", name="Recent orders")).to_be_visible()
        expect(table).to_contain_text("TM20261120001")
        expect(table).to_contain_text("Emily Carter")
        expect(page.locator(".topbar")).to_contain_text("青禾家居 Qinghe Home")
        expect(page.locator(".topbar")).to_contain_text("林晓雨")
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(SCREENSHOTS / "console-home.png"), full_page=True)

        # Typed with spaces, as an agent reads it off a call: htmx swaps the table in place.
        page.get_by_role("searchbox").press_sequentially("138 1234 5678", delay=20)
        expect(table).to_contain_text("Orders matching “138 1234 5678”")
        expect(table.locator(".order-number")).to_have_count(2)
        expect(table).to_contain_text("TM20261112003")
        expect(table).not_to_contain_text("Emily Carter")
        expect(page).to_have_url(re.compile(r"/\?q=138\+1234\+5678$"))

        page.locator(".lang-switch summary").click()
        page.get_by_role("button", name="简体中文").click()
        expect(page.get_by_role("heading", name="最近订单")).to_be_visible()
        expect(table).to_contain_text("王芳")
        expect(page.get_by_role("searchbox")).to_have_value("138 1234 5678")

        page.goto(f"{live_server.url}/")
        expect(page.locator(".topbar")).to_contain_text("退出登录")
        expect(table).to_contain_text("运输中")
        page.screenshot(path=str(SCREENSHOTS / "console-home-zh-hans.png"), full_page=True)


def test_wrong_password_shows_an_error(live_server, shop_agent: Member) -> None:
    with chromium_page() as page:
        sign_in(page, live_server.url, "linxy", "not-the-password")

        expect(page.get_by_role("alert")).to_contain_text(
            "Please enter a correct username and password"
        )
        expect(page).to_have_url(re.compile(r"/login/$"))
