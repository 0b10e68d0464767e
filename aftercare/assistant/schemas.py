"""Request and response bodies of the assistant endpoints."""

from __future__ import annotations

from typing import Any

from ninja import Schema
from pydantic import Field

from aftercare.assistant.language import DEFAULT_LANGUAGES

MAX_TEXT = 4000


class AnalyseIn(Schema):
    text: str = Field(min_length=1, max_length=MAX_TEXT)
    languages: list[str] | None = Field(
        default=None,
        description=f"Languages the merchant serves, from {', '.join(DEFAULT_LANGUAGES)}.",
    )


class AnalysisOut(Schema):
    language: str
    intent: str
    intent_confidence: float
    reason: str
    reason_confidence: float
    sentiment: str
    flags: list[str]
    entities: dict[str, list[Any]]


class AnswerIn(Schema):
    question: str = Field(min_length=1, max_length=MAX_TEXT)
    language: str | None = None


class AnswerOut(Schema):
    answer: str | None
    handover: bool = Field(description="True: a person should answer (nothing sure enough).")
    entry_key: str | None
    score: float
    language: str


class BotIn(Schema):
    conversation_key: str = Field(
        min_length=1,
        max_length=128,
        description="The channel's own id for the conversation (chat id, call id...).",
    )
    text: str = Field(min_length=1, max_length=MAX_TEXT)
    customer_id: int | None = Field(
        default=None, description="The logged-in customer's id, when the channel knows it."
    )
    language: str | None = Field(
        default=None, description="The customer's language when the channel knows it."
    )


class BotLinkOut(Schema):
    label: str
    url: str


class BotTurnOut(Schema):
    replies: list[str]
    links: list[BotLinkOut]
    state: str
    language: str
    handover: bool = Field(description="True: a person takes over the conversation.")
    handover_reason: str
    summary: dict[str, Any] = Field(
        description="For the agent: intent, reason, sentiment, flags, customer/order/case ids "
        "and the transcript."
    )
