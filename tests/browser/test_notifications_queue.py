"""Notifications in a real browser: a supervisor finds a failed SMS with the provider's reason
in the failed-delivery queue and resends it; the customer answers the survey with one click."""

from __future__ import annotations

import pytest
from django.utils import timezone

from aftercare.core.actors import Actor
from aftercare.core.testing import PASSWORD
from aftercare.notifications.models import Notification, Survey
from aftercare.notifications.surveys import survey_link
from aftercare.returns.tests.helpers import open_case
from tests.browser.test_console import CHROMIUM, sign_in
from tests.browser.test_portal_flow import _shop, two_windows

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(
        not CHROMIUM.exists(), reason="browser tests drive Debian's /usr/bin/chromium, not found"
    ),
]

playwright_api = pytest.importorskip("playwright.sync_api")
expect = playwright_api.expect


@pytest.fixture
def failed_and_survey(transactional_db: None) -> tuple[Notification, Survey]:
    order, lines = _shop("china_7day")
    case = open_case(Actor.system(order.merchant), order, lines[:1])
    failed = Notification.objects.create(
        merchant=order.merchant,
        customer=order.customer,
        case=case,
        event="submitted",
        channel="sms",
        language="en",
        recipient=order.customer.phone,
        body="Acme Home: we have your request",
        status="failed",
        reason="http_sms: answered 400: number blocked by carrier",
        dedupe_key=f"case-event:browser:{case.pk}:sms",
        due_at=timezone.now(),
    )
    survey = Survey.objects.create(
        merchant=order.merchant,
        case=case,
        customer=order.customer,
        channel="sms",
        token="browser-token",
        due_at=timezone.now(),
    )
    return failed, survey


def test_resend_a_failed_sms_and_answer_the_survey(live_server, failed_and_survey) -> None:  # type: ignore[no-untyped-def]
    failed, survey = failed_and_survey
    link = survey_link(survey, live_server.url)
    with two_windows() as (customer, desk):
        sign_in(desk, live_server.url, "sup", PASSWORD)
        desk.goto(f"{live_server.url}/notifications/")
        queue = desk.locator("#failed")
        expect(queue).to_contain_text("number blocked by carrier")
        queue.get_by_role("button", name="Resend").click()
        expect(desk.locator("#failed")).to_contain_text("No failed deliveries.")

        customer.goto(link)
        customer.get_by_label("Communication").check()
        customer.get_by_role("button", name="4 ★").click()
        expect(customer.locator("#survey-thanks")).to_be_visible()

    failed.refresh_from_db()
    survey.refresh_from_db()
    assert failed.status == "queued" and failed.outbox_id is not None
    assert (survey.score, survey.improvements, survey.answered_via) == (4, ["communication"], "web")
