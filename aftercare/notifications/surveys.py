"""Satisfaction surveys (N3): one per case, sent a delay after it closes, replies parsed.

The survey message is queued when the close event is consumed, as an outbox row due
`survey_delay_hours` later (pushed past quiet hours for SMS): no scan, no cron. It goes
through the direct channel the customer was last messaged on for the case (the one they
use), else the usual routing. Replies come back by SMS or email (`take_survey_reply()`, called
by the conversations app's inbound path) or through the one-click page behind a signed link.
"""

from __future__ import annotations

import re
import secrets
import unicodedata
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.core import signing
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from aftercare.notifications.messages import case_values, queue_message
from aftercare.notifications.models import (
    DIRECT_CHANNELS,
    Channel,
    EventKey,
    Notification,
    Survey,
)
from aftercare.notifications.routing import (
    Route,
    address_for,
    direct_channel,
    due_time,
    preference_of,
    settings_of,
    zone_of,
)
from aftercare.returns.models import Case, CaseEvent

ANSWER_WINDOW = timedelta(days=14)
LINK_MAX_AGE = 30 * 24 * 3600
SIGNING_SALT = "aftercare.notifications.survey"
IMPROVEMENTS = {1: "speed", 2: "communication", 3: "outcome"}
SYSTEM_LABELS = ("system", "policy", "customer", "api key")


# --- Sending --------------------------------------------------------------------------------


def schedule_survey(case: Case, *, event: CaseEvent, now: datetime) -> Survey | None:
    """Create the case's survey and queue its message; a second close does nothing."""
    if Survey.objects.filter(case_id=case.pk).exists():
        return None
    settings = settings_of(case.merchant_id)
    customer = case.customer
    preference = preference_of(customer)
    channel = _channel_used(case) or direct_channel(customer, settings, preference)
    if channel is None or channel in preference.opted_out:
        return None
    survey = Survey.objects.create(
        merchant_id=case.merchant_id,
        case=case,
        customer=customer,
        channel=channel,
        agent_label=_agent_of(case),
        token=secrets.token_urlsafe(24),
        due_at=now + timedelta(hours=settings.survey_delay_hours),
    )
    zone = zone_of(preference.timezone or case.merchant.timezone)
    route = Route(
        channel=channel,
        recipient=address_for(customer, channel),
        due_at=due_time(channel, survey.due_at, settings, zone),
    )
    values = case_values(
        case, {"survey_url": survey_link(survey, settings.public_base_url)}, settings
    )
    queue_message(
        merchant=case.merchant,
        customer=customer,
        case=case,
        event=EventKey.SURVEY,
        values=values,
        dedupe_base=f"survey:{case.pk}",
        routes=[route],
        now=now,
    )
    return survey


def _channel_used(case: Case) -> str | None:
    last = (
        Notification.objects.filter(case_id=case.pk, channel__in=list(DIRECT_CHANNELS))
        .exclude(channel=Channel.VOICE)
        .order_by("-id")
        .values_list("channel", flat=True)
        .first()
    )
    return last


def _agent_of(case: Case) -> str:
    labels = (
        CaseEvent.objects.filter(case_id=case.pk)
        .order_by("-id")
        .values_list("actor_label", flat=True)
    )
    for label in labels[:50]:
        if label and not label.lower().startswith(SYSTEM_LABELS):
            return str(label)
    return ""


def survey_link(survey: Survey, base_url: str) -> str:
    signed = signing.TimestampSigner(salt=SIGNING_SALT).sign(survey.token)
    path = reverse("notifications:survey", args=[signed])
    return (base_url or "").rstrip("/") + path


def survey_from_link(signed: str) -> Survey | None:
    try:
        token = signing.TimestampSigner(salt=SIGNING_SALT).unsign(signed, max_age=LINK_MAX_AGE)
    except signing.BadSignature:
        return None
    return Survey.objects.filter(token=token).select_related("case", "merchant").first()


# --- Parsing replies -------------------------------------------------------------------------

_WORDS = {"one": 1, "two": 2, "three": 3, "four": 4, "five": 5}
_HAN = {"一": 1, "二": 2, "两": 2, "兩": 2, "三": 3, "四": 4, "五": 5}
_STARS = re.compile(r"^[\u2b50\u2605\u2606\U0001f31f\s\ufe0f]+$")
_SCORE_WORD = re.compile(r"(分|星|颗星|顆星|stars?|points?|/5)", re.IGNORECASE)
_SEPARATORS = re.compile(r"[\s,，、;；.。!！+]+")


@dataclass(frozen=True)
class Answer:
    score: int
    improvements: tuple[int, ...] = ()


def parse_reply(text: str) -> Answer | None:
    """ "5", "4 2", "四分", "five", "⭐⭐⭐⭐"; None when it is not clearly an answer."""
    raw = unicodedata.normalize("NFKC", text or "").strip()
    if not raw or len(raw) > 40:
        return None
    if _STARS.match(raw):
        count = sum(1 for ch in raw if ch in "\u2b50\u2605\U0001f31f")
        return Answer(score=count) if 1 <= count <= 5 and "\u2606" not in raw else None
    cleaned = _SCORE_WORD.sub(" ", raw.lower())
    numbers: list[int] = []
    for token in _SEPARATORS.split(cleaned):
        if not token:
            continue
        value = _number(token)
        if value is None:
            return None  # words we cannot read: a person should look at it
        numbers.append(value)
    if not numbers or not 1 <= numbers[0] <= 5:
        return None
    rest = numbers[1:]
    if any(not 1 <= n <= 3 for n in rest):
        return None
    return Answer(score=numbers[0], improvements=tuple(dict.fromkeys(rest)))


def _number(token: str) -> int | None:
    if token.isdigit():
        return int(token) if len(token) == 1 else None
    if token in _WORDS:
        return _WORDS[token]
    if len(token) == 1 and token in _HAN:
        return _HAN[token]
    return None


# --- Recording answers -----------------------------------------------------------------------


def take_survey_reply(*, merchant_id: int, customer_id: int, channel: str, text: str) -> bool:
    """True when `text` answered the customer's open survey and was recorded.

    False when the customer has no open survey (none sent, already answered, or older than
    ANSWER_WINDOW) or the text is not a clear answer: the caller then treats it as an
    ordinary message for a person.
    """
    now = timezone.now()
    answer = parse_reply(text)
    if answer is None:
        return False
    with transaction.atomic():
        survey = (
            Survey.objects.select_for_update()
            .filter(
                merchant_id=merchant_id,
                customer_id=customer_id,
                answered_at__isnull=True,
                due_at__lte=now,
                due_at__gte=now - ANSWER_WINDOW,
            )
            .order_by("-due_at")
            .first()
        )
        if survey is None:
            return False
        _record(survey, answer, via=channel, raw=text, now=now)
    return True


def answer_survey(
    survey: Survey, *, score: int, improvements: list[int], now: datetime | None = None
) -> bool:
    """The one-click page's answer; False when the survey was already answered."""
    if not 1 <= score <= 5 or any(i not in IMPROVEMENTS for i in improvements):
        return False
    with transaction.atomic():
        locked = Survey.objects.select_for_update().get(pk=survey.pk)
        if locked.answered_at is not None:
            return False
        answer = Answer(score=score, improvements=tuple(dict.fromkeys(improvements)))
        _record(locked, answer, via="web", raw="", now=now or timezone.now())
    return True


def _record(survey: Survey, answer: Answer, *, via: str, raw: str, now: datetime) -> None:
    survey.score = answer.score
    survey.improvements = [IMPROVEMENTS[i] for i in answer.improvements]
    survey.answered_via = via[:8]
    survey.raw_reply = raw[:500]
    survey.answered_at = now
    survey.sent_at = survey.sent_at or survey.due_at
    survey.save(
        update_fields=[
            "score",
            "improvements",
            "answered_via",
            "raw_reply",
            "answered_at",
            "sent_at",
        ]
    )
