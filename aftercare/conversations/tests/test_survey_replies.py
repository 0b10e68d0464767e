"""A survey score sent back by SMS or email is recorded as the answer (N3); anything else is
an ordinary message for a person."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from aftercare.conversations.actions import Incoming, receive_message
from aftercare.conversations.models import Conversation
from aftercare.conversations.states import Channel, ConversationStatus
from aftercare.conversations.tests.factories import buyer, open_case
from aftercare.notifications.models import Survey

pytestmark = pytest.mark.django_db
PHONE = "+8613900001234"


@pytest.fixture
def surveyed(merchant, store):  # type: ignore[no-untyped-def]
    who = buyer(merchant, store, phone=PHONE)
    case = open_case(merchant, who)
    return Survey.objects.create(
        merchant=merchant,
        case=case,
        customer=who.customer,
        channel=Channel.SMS,
        token="t-survey-1",
        due_at=timezone.now() - timedelta(minutes=5),
        sent_at=timezone.now() - timedelta(minutes=5),
    )


def _sms(merchant, body: str):  # type: ignore[no-untyped-def]
    return receive_message(
        merchant=merchant, incoming=Incoming(channel=Channel.SMS, contact=PHONE, body=body)
    )[0]


def test_a_score_by_sms_answers_the_survey_and_asks_nobody_for_a_reply(merchant, surveyed) -> None:
    message = _sms(merchant, "4 2")

    surveyed.refresh_from_db()
    assert (surveyed.score, surveyed.answered_via) == (4, "sms")
    assert message.meta["survey_answer"] is True
    assert message.conversation.status != ConversationStatus.OPEN


def test_a_question_stays_a_message_for_a_person(merchant, surveyed) -> None:
    message = _sms(merchant, "where is my refund?")

    surveyed.refresh_from_db()
    assert surveyed.score is None
    assert "survey_answer" not in message.meta
    assert Conversation.objects.get(pk=message.conversation_id).status == ConversationStatus.OPEN
