"""Assistant endpoints: analyse a message, answer a question from the merchant's FAQ, and drive
the bot for a conversation of an integration's channel.

All need "assistant.use" (agents, supervisors and admins; keys with that scope). Analysis is
stateless and reads no tenant data; answers come only from the caller's merchant's FAQ; the
bot's conversations, orders and cases are the caller's merchant's only.
"""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from ninja import Router

from aftercare.assistant.analysis import analyse_text
from aftercare.assistant.bot import reply_to
from aftercare.assistant.faq import answer_question
from aftercare.assistant.language import DEFAULT_LANGUAGES
from aftercare.assistant.schemas import (
    AnalyseIn,
    AnalysisOut,
    AnswerIn,
    AnswerOut,
    BotIn,
    BotTurnOut,
)
from aftercare.core.api import actor_of, require
from aftercare.core.errors import ValidationFailed

router = Router(tags=["assistant"])


@router.post("/analyse", response=AnalysisOut, summary="Language, intent, reason, mood, entities")
def analyse(request: HttpRequest, payload: AnalyseIn) -> dict[str, Any]:
    actor = actor_of(request)
    require(actor, "assistant.use")
    languages = payload.languages or None
    unknown = sorted(set(languages or ()) - set(DEFAULT_LANGUAGES))
    if unknown:
        raise ValidationFailed(
            f"Unsupported languages: {', '.join(unknown)}.",
            errors=[{"loc": ["languages"], "msg": "unsupported", "type": "enum"}],
        )
    region = actor.merchant.default_phone_region
    return analyse_text(payload.text, languages=languages, phone_region=region).as_dict()


@router.post("/answer", response=AnswerOut, summary="Answer from the FAQ, or hand over")
def answer(request: HttpRequest, payload: AnswerIn) -> dict[str, Any]:
    actor = actor_of(request)
    require(actor, "assistant.use")
    if payload.language is not None and payload.language not in DEFAULT_LANGUAGES:
        raise ValidationFailed(
            f"Unsupported language {payload.language!r}.",
            errors=[{"loc": ["language"], "msg": "unsupported", "type": "enum"}],
        )
    result = answer_question(
        merchant=actor.merchant, question=payload.question, language=payload.language
    )
    return result.__dict__


@router.post("/bot", response=BotTurnOut, summary="The bot's answer to one customer message")
def bot(request: HttpRequest, payload: BotIn) -> dict[str, Any]:
    actor = actor_of(request)
    require(actor, "assistant.use")
    turn = reply_to(
        merchant=actor.merchant,
        conversation_key=payload.conversation_key,
        text=payload.text,
        customer_id=payload.customer_id,
        language=payload.language,
    )
    return turn.as_dict()
