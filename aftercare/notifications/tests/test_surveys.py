"""The satisfaction survey: one per case, sent a delay after closing through the channel the
customer used, replies parsed from SMS/email text or the one-click page."""

from __future__ import annotations

from datetime import timedelta

import pytest
import time_machine
from django.test import Client
from django.utils import timezone

from aftercare.notifications.consumer import consume_case_events
from aftercare.notifications.models import Notification, Survey
from aftercare.notifications.surveys import Answer, parse_reply, take_survey_reply
from aftercare.notifications.tests.conftest import run_worker
from aftercare.returns import actions
from aftercare.returns.tests.helpers import open_case


@pytest.mark.parametrize(
    ("text", "answer"),
    [
        ("5", Answer(5)),
        ("4 2", Answer(4, (2,))),
        ("３，１ ３", Answer(3, (1, 3))),
        ("四分", Answer(4)),
        ("5分", Answer(5)),
        ("五星", Answer(5)),
        ("five", Answer(5)),
        ("Four", Answer(4)),
        ("⭐⭐⭐⭐", Answer(4)),
        ("★★★", Answer(3)),
        ("4/5", Answer(4)),
    ],
)
def test_replies_that_are_answers(text: str, answer: Answer) -> None:
    assert parse_reply(text) == answer


@pytest.mark.parametrize(
    "text",
    [
        "",
        "6",
        "0",
        "4 5",
        "12",
        "thanks!",
        "4 but the courier was rude",
        "⭐⭐⭐⭐⭐⭐",
        "★★☆",
        "where is my refund",
    ],
)
def test_replies_that_are_not(text: str) -> None:
    assert parse_reply(text) is None


def _closed_case(agent_actor, order, lines):  # type: ignore[no-untyped-def]
    case = open_case(agent_actor, order, lines[:1])
    case = actions.reject_case(actor=agent_actor, case=case, reason="worn")
    return actions.close_case(actor=agent_actor, case=case)


def test_the_survey_goes_out_a_day_after_closing_and_once(
    reviewed, order_lines, agent_actor, notify_settings, smtp, sms
) -> None:
    order, lines = order_lines
    case = _closed_case(agent_actor, order, lines)
    consume_case_events()
    run_worker()
    sent_before = len(sms.requests)

    survey = Survey.objects.get(case=case)
    assert survey.channel == "sms" and survey.agent_label == agent_actor.label
    with time_machine.travel(survey.due_at + timedelta(hours=1), tick=False):
        # Say the day after falls in the daytime; the message is due now.
        run_worker()
        actions_again = consume_case_events()
        run_worker()

    assert actions_again == 0
    surveys_sent = Notification.objects.filter(case=case, event="survey")
    assert surveys_sent.count() == 1
    assert len(sms.requests) == sent_before + 1
    assert "Reply with a score from 1" in surveys_sent.get().body
    assert "/notifications/survey/" in surveys_sent.get().body


def test_a_reply_is_recorded_once_and_other_text_goes_to_a_person(
    reviewed, order_lines, agent_actor, notify_settings, smtp, sms
) -> None:
    order, lines = order_lines
    case = _closed_case(agent_actor, order, lines)
    consume_case_events()
    survey = Survey.objects.get(case=case)
    args = {"merchant_id": order.merchant_id, "customer_id": order.customer_id, "channel": "sms"}

    assert take_survey_reply(**args, text="5") is False  # not sent yet
    with time_machine.travel(survey.due_at + timedelta(minutes=5), tick=False):
        assert take_survey_reply(**args, text="where is my refund?") is False
        assert take_survey_reply(**args, text="4 2") is True
        assert take_survey_reply(**args, text="5") is False  # answered already

    survey.refresh_from_db()
    assert (survey.score, survey.improvements, survey.answered_via) == (4, ["communication"], "sms")


def test_another_merchant_cannot_answer(
    reviewed, order_lines, agent_actor, notify_settings, other_merchant
) -> None:
    order, lines = order_lines
    case = _closed_case(agent_actor, order, lines)
    consume_case_events()
    survey = Survey.objects.get(case=case)
    with time_machine.travel(survey.due_at + timedelta(minutes=5), tick=False):
        assert not take_survey_reply(
            merchant_id=other_merchant.pk, customer_id=order.customer_id, channel="sms", text="1"
        )


def test_the_one_click_page_records_an_answer_and_refuses_forged_links(
    reviewed, order_lines, agent_actor, notify_settings
) -> None:
    from aftercare.notifications.surveys import survey_link

    order, lines = order_lines
    case = _closed_case(agent_actor, order, lines)
    consume_case_events()
    survey = Survey.objects.get(case=case)
    link = survey_link(survey, "")
    client = Client()

    assert client.get(link[:-4] + "xyz/").status_code == 404
    page = client.get(link)
    assert page.status_code == 200 and case.number in page.content.decode()
    done = client.post(link, {"score": "5", "improve": ["1", "3"]})
    again = client.post(link, {"score": "1"})

    assert "survey-thanks" in done.content.decode() and "survey-thanks" in again.content.decode()
    survey.refresh_from_db()
    assert (survey.score, survey.improvements, survey.answered_via) == (
        5,
        ["speed", "outcome"],
        "web",
    )


def test_closing_twice_does_not_make_a_second_survey(
    reviewed, order_lines, agent_actor, notify_settings
) -> None:
    from aftercare.core.actors import Actor
    from aftercare.notifications.surveys import schedule_survey
    from aftercare.returns.models import CaseEvent

    order, lines = order_lines
    case = _closed_case(agent_actor, order, lines)
    consume_case_events()
    event = CaseEvent.objects.filter(case=case, kind="case.closed").get()

    assert schedule_survey(case, event=event, now=timezone.now()) is None
    assert Survey.objects.filter(case=case).count() == 1
    assert Actor  # imported for symmetry with other tests
