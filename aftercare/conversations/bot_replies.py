"""The assistant answers web chat first (A4, S1): the conversations side of assistant.bot.

A customer's web-chat message is stored as any other (actions.receive_message). When the bot
is to answer it (`bot_answers`, decided under the conversation's lock) no ticket is opened: the
message is marked `meta.bot` and, after that transaction commits, the channel calls `answer`,
which runs one bot turn; actions.record_bot_turn stores its replies as the assistant's
messages, live in the widget. When the bot hands over, the agent gets a note with the
transcript summary, and the ticket opens (routed by the intent the bot understood, linked to
the case it talked about). This module decides and words; actions writes.

The bot stays quiet once it handed over, once a person wrote in the conversation
(`person_replied`), while a ticket is live, or when the merchant turned it off.
"""

from __future__ import annotations

import logging

from django.utils.translation import gettext as _

from aftercare.assistant.bot import DJANGO_LANGUAGE, BotTurn, reply_to, take_over
from aftercare.assistant.labels import Intent
from aftercare.assistant.models import BotSession, BotState
from aftercare.conversations import actions
from aftercare.conversations.models import Conversation, Message
from aftercare.conversations.states import Channel, Direction
from aftercare.returns.states import TERMINAL_STATUSES
from aftercare.tickets.models import Ticket
from aftercare.tickets.states import LIVE

log = logging.getLogger(__name__)

BOT_CHANNELS = frozenset({Channel.WEB_CHAT})
MAX_BOT_TEXT = 4000  # assistant.bot.MAX_TEXT
# Intents that say nothing about what the customer needs; the ticket takes an earlier one.
NO_TOPIC = frozenset({Intent.HUMAN_AGENT, Intent.OTHER, ""})


def bot_key(conversation: Conversation) -> str:
    return f"conversation:{conversation.pk}"


def bot_answers(conversation: Conversation) -> bool:
    """Whether the bot, not a person, answers the customer's next message."""
    if conversation.channel not in BOT_CHANNELS or conversation.assignee_id is not None:
        return False
    if not conversation.merchant.chat_assistant:
        return False
    state = (
        BotSession.objects.filter(
            merchant_id=conversation.merchant_id, conversation_key=bot_key(conversation)
        )
        .values_list("state", flat=True)
        .first()
    )
    if state == BotState.HANDED_OVER:
        return False
    return not Ticket.objects.filter(conversation_id=conversation.pk, status__in=LIVE).exists()


def person_replied(conversation: Conversation, by: str) -> None:
    """An agent wrote to the customer: from now on the bot leaves the conversation to them."""
    if conversation.channel in BOT_CHANNELS:
        take_over(merchant=conversation.merchant, conversation_key=bot_key(conversation), by=by)


def answer(
    message: Message, *, signed_in_customer_id: int | None, site_url: str = ""
) -> list[Message]:
    """One bot turn for a customer message marked for the bot; returns what the bot said.
    Never loses the message: if the bot fails, the conversation goes to a person.

    Only a customer the channel authenticated (signed in to the portal) counts as known to
    the bot: the conversation's customer may have been guessed from a phone number typed in
    the text, which proves nothing."""
    if not message.meta.get("bot") or message.direction != Direction.INBOUND:
        return []
    conversation = message.conversation
    try:
        turn = reply_to(
            merchant=conversation.merchant,
            conversation_key=bot_key(conversation),
            text=message.body[:MAX_BOT_TEXT],
            customer_id=signed_in_customer_id,
        )
    except Exception:  # a person answers instead; the error is logged for us to fix
        log.exception("The assistant failed on message %s; handing over", message.pk)
        actions.hand_over_after_bot_failure(conversation=conversation, message=message)
        return []
    return actions.record_bot_turn(
        conversation=conversation, message=message, turn=turn, site_url=site_url
    )


def with_links(turn: BotTurn, site_url: str) -> list[str]:
    # Plain text everywhere (widget, SMS): a link is its label and its absolute address.
    replies = list(turn.replies)
    if replies and turn.links:
        lines = [f"{link.label}: {site_url}{link.url}" for link in turn.links]
        replies[-1] = "\n".join([replies[-1], *lines])
    return replies


def team_language(conversation: Conversation) -> str:
    return DJANGO_LANGUAGE.get(conversation.merchant.default_language, "en")


def case_of(conversation: Conversation) -> int | None:
    """The case the ticket is about: the only open one the conversation is linked to."""
    open_cases = list(
        conversation.links.filter(case__isnull=False)
        .exclude(case__status__in=TERMINAL_STATUSES)
        .values_list("case_id", flat=True)
        .distinct()[:2]
    )
    return open_cases[0] if len(open_cases) == 1 else None


def topic(conversation: Conversation, message: Message) -> str:
    """The last thing the customer asked about, skipping "agent, please" and the unclear."""
    intents = (
        Message.objects.filter(conversation=conversation, direction=Direction.INBOUND)
        .order_by("-pk")
        .values_list("analysis__intent", flat=True)[:20]
    )
    for intent in intents:
        if intent not in NO_TOPIC:
            return str(intent)
    return str(message.analysis.get("intent", ""))


def handover_note(turn: BotTurn) -> str:
    """The agent's note on a hand-over, in the active language (the caller picks the team's)."""
    summary = turn.summary
    lines = [
        _("The assistant handed this conversation over (%(reason)s).")
        % {"reason": turn.handover_reason},
        _(
            "Intent: %(intent)s, reason: %(reason)s, sentiment: %(sentiment)s, "
            "language: %(language)s."
        )
        % {
            "intent": summary.get("intent", ""),
            "reason": summary.get("reason", ""),
            "sentiment": summary.get("sentiment", ""),
            "language": turn.language,
        },
    ]
    if summary.get("flags"):
        lines.append(_("Flags: %(flags)s") % {"flags": ", ".join(map(str, summary["flags"]))})
    if summary.get("order_number"):
        lines.append(_("Order identified: %(number)s") % {"number": summary["order_number"]})
    lines.append(_("Transcript:"))
    customer, bot = _("Customer"), _("Assistant")
    for entry in summary.get("transcript", [])[-20:]:
        who = customer if entry.get("role") == "customer" else bot
        lines.append(f"{who}: {entry.get('text', '')}")
    return "\n".join(lines)
