"""The only writers of conversations and messages.

Inbound (every channel ends in `receive_message`): dedupe on the channel's message id,
analyse the text once, identify the customer, find or open the thread, store the message,
link what the text names, announce it live after commit. Outbound (`reply`): store the
message as queued and write an outbox row in the same transaction; the outbox handler sends
it after commit (never a network call inside a transaction). The assistant's web-chat turns
(`record_bot_turn`) and its failures are written here too: bot_replies decides when the bot
answers and words what it says.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from typing import Any

from django.core.files.base import ContentFile
from django.db import IntegrityError, transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from aftercare.assistant.analysis import analyse_text
from aftercare.assistant.bot import DJANGO_LANGUAGE, BotTurn
from aftercare.commerce.models import Customer, Order
from aftercare.conversations import bot_replies, desk, events, threads
from aftercare.conversations.errors import CannotReply, EmptyMessage
from aftercare.conversations.linking import (
    Found,
    find_entities,
    identify_customer,
    link_found,
    normalise_contact,
    with_case_numbers,
)
from aftercare.conversations.models import Conversation, Message, MessageAttachment
from aftercare.conversations.states import (
    TRANSITIONS,
    AuthorKind,
    Channel,
    ConversationStatus,
    DeliveryState,
    Direction,
)
from aftercare.core.actors import Actor
from aftercare.core.api import require
from aftercare.core.audit import record_event
from aftercare.core.errors import InvalidTransition, ValidationFailed
from aftercare.core.outbox import write_outbox
from aftercare.merchants.models import Member, Merchant
from aftercare.merchants.queries import scoped
from aftercare.returns.models import Case

MAX_BODY = 20_000
OUTBOX_TOPIC = {
    Channel.EMAIL: "conversations.email.send",
    Channel.SMS: "conversations.sms.send",
    Channel.MARKETPLACE: "conversations.marketplace.send",
}


@dataclass
class Incoming:
    """One message as a channel delivered it, before we know whose it is."""

    channel: str
    contact: str
    body: str
    contact_name: str = ""
    external_id: str = ""
    subject: str = ""
    body_html: str = ""
    original: str = ""
    our_address: str = ""
    in_reply_to: str = ""
    references: list[str] = field(default_factory=list)
    thread_key: str = ""
    meta: dict[str, Any] = field(default_factory=dict)
    attachments: list[tuple[str, str, bytes]] = field(default_factory=list)  # name, type, data
    # Set by channels that already know the thread or the customer (web chat, the portal).
    conversation: Conversation | None = None
    customer: Customer | None = None
    # Order numbers the channel itself names (a marketplace chat opened from an order).
    named_orders: list[str] = field(default_factory=list)


def receive_message(*, merchant: Merchant, incoming: Incoming) -> tuple[Message, bool]:
    """Store an inbound message; (message, False) when the channel delivered it before."""
    if incoming.external_id:
        seen = _already_received(merchant, incoming)
        if seen is not None:
            return seen, False
    if not incoming.body.strip() and not incoming.attachments:
        raise EmptyMessage("The message has no text and no attachment.")
    # Outside the transaction: the classifier is CPU work, not worth holding a write lock for.
    analysis = analyse_text(incoming.body[:MAX_BODY], phone_region=merchant.default_phone_region)
    result = analysis.as_dict()
    result["entities"] = with_case_numbers(
        analysis.entities, f"{incoming.subject}\n{incoming.body[:MAX_BODY]}"
    )
    if incoming.named_orders:
        named = [*incoming.named_orders, *result["entities"].get("order_numbers", [])]
        result["entities"] = {**result["entities"], "order_numbers": list(dict.fromkeys(named))}
    entities = result["entities"]
    try:
        # A savepoint: the same channel message arriving twice at once loses on the unique
        # constraint, and the loser returns the winner's row instead of failing.
        with transaction.atomic():
            message = _store_received(merchant, incoming, result, entities)
    except IntegrityError:
        seen = _already_received(merchant, incoming) if incoming.external_id else None
        if seen is None:
            raise
        return seen, False
    return message, True


def _store_received(
    merchant: Merchant, incoming: Incoming, result: dict[str, Any], entities: dict[str, Any]
) -> Message:
    contact = normalise_contact(merchant, incoming.channel, incoming.contact)
    found = find_entities(merchant, entities)
    conversation = incoming.conversation or threads.find_thread(merchant, incoming, contact, found)
    customer = incoming.customer or (conversation.customer if conversation else None)
    if customer is None:
        customer = identify_customer(
            merchant,
            channel=incoming.channel,
            contact=contact,
            contact_name=incoming.contact_name,
            entities=entities,
            found=found,
        )
    if conversation is None:
        conversation = _open(merchant, incoming, contact, customer)
    conversation = Conversation.objects.select_for_update().get(pk=conversation.pk)
    # The bot answering (after commit, see bot_replies.answer) opens no ticket yet.
    for_bot = bot_replies.bot_answers(conversation)
    message = _store_inbound(conversation, incoming, result, for_bot=for_bot)
    answered = _answers_survey(message, customer)
    _after_inbound(conversation, message, customer, reopen=not answered)
    if not answered and not for_bot:
        desk.after_customer_message(conversation, message)
    link_found(conversation, found)
    events.message_added(conversation, message)
    return message


def _already_received(merchant: Merchant, incoming: Incoming) -> Message | None:
    return (
        scoped(Message, merchant)
        .filter(channel=incoming.channel, external_id=incoming.external_id)
        .first()
    )


def _open(
    merchant: Merchant, incoming: Incoming, contact: str, customer: Customer | None
) -> Conversation:
    return Conversation.objects.create(
        merchant=merchant,
        channel=incoming.channel,
        customer=customer,
        subject=threads.clean_subject(incoming.subject)[:300],
        contact=contact[:254],
        contact_name=incoming.contact_name[:200],
        our_address=incoming.our_address[:254],
        thread_key=(incoming.thread_key or incoming.external_id)[:300],
    )


def _store_inbound(
    conversation: Conversation, incoming: Incoming, analysis: dict[str, Any], *, for_bot: bool
) -> Message:
    message = Message.objects.create(
        merchant_id=conversation.merchant_id,
        conversation=conversation,
        channel=incoming.channel,
        direction=Direction.INBOUND,
        author_kind=AuthorKind.CUSTOMER,
        author_name=(incoming.contact_name or incoming.contact)[:200],
        subject=incoming.subject[:300],
        body=incoming.body[:MAX_BODY],
        body_html=incoming.body_html,
        original=incoming.original,
        external_id=incoming.external_id[:300],
        in_reply_to=incoming.in_reply_to[:300],
        references=" ".join(incoming.references),
        delivery_state=DeliveryState.RECEIVED,
        analysis=analysis,
        meta={**incoming.meta, "bot": True} if for_bot else incoming.meta,
    )
    for name, content_type, data in incoming.attachments:
        MessageAttachment.objects.create(
            merchant_id=conversation.merchant_id,
            message=message,
            file=ContentFile(data, name=_safe_name(name)),
            filename=name[:200],
            content_type=content_type[:100],
            size=len(data),
        )
    return message


def _safe_name(name: str) -> str:
    # Never trust a sender's file name on disk; keep only a known-harmless extension.
    suffix = name.rsplit(".", 1)[-1].lower() if "." in name else "bin"
    suffix = suffix if suffix.isalnum() and len(suffix) <= 5 else "bin"
    return f"{uuid.uuid4().hex}.{suffix}"


# Channels a satisfaction survey is sent and answered by (N3).
SURVEY_CHANNELS = frozenset({Channel.SMS, Channel.EMAIL})


def _answers_survey(message: Message, customer: Customer | None) -> bool:
    """A reply such as "5" or "四分" to the customer's open survey is recorded as its answer
    (N3); anything else, or no open survey, stays an ordinary message for a person."""
    from aftercare.notifications.surveys import take_survey_reply

    if customer is None or message.channel not in SURVEY_CHANNELS:
        return False
    answered = take_survey_reply(
        merchant_id=message.merchant_id,
        customer_id=customer.pk,
        channel=message.channel,
        text=message.body,
    )
    if answered:
        message.meta = {**message.meta, "survey_answer": True}
        message.save(update_fields=["meta"])
    return answered


def _after_inbound(
    conversation: Conversation, message: Message, customer: Customer | None, *, reopen: bool
) -> None:
    now = message.created_at
    if not reopen and conversation.last_inbound_at is None:
        # A thread that only carries a survey score has nothing for anyone to answer.
        conversation.status = ConversationStatus.CLOSED
    conversation.last_message_at = now
    conversation.last_inbound_at = now
    conversation.intent = str(message.analysis.get("intent", ""))[:32]
    conversation.language = str(message.analysis.get("language", ""))[:16]
    if conversation.customer_id is None and customer is not None:
        conversation.customer = customer
    # The customer spoke again: whoever waited on them, or closed the thread, owes an answer
    # (not for a survey score: that asks nothing of anyone).
    if reopen:
        conversation.status = ConversationStatus.OPEN
    conversation.save()


# --- Agents ------------------------------------------------------------------------------


def reply(*, actor: Actor, conversation: Conversation, body: str) -> Message:
    """An agent's answer on the conversation's channel; sent after commit (email, SMS) or
    delivered live (web chat)."""
    require(actor, "desk.write")
    text = body.strip()
    if not text:
        raise EmptyMessage("A reply needs some text.")
    if len(text) > MAX_BODY:
        raise ValidationFailed(f"A reply is at most {MAX_BODY} characters.")
    if conversation.channel == Channel.PHONE:
        raise CannotReply("A phone conversation is answered by calling back, not in writing.")
    with transaction.atomic():
        locked = Conversation.objects.select_for_update().get(pk=conversation.pk)
        message = _store_outbound(actor, locked, text)
        if locked.status == ConversationStatus.OPEN:
            locked.status = ConversationStatus.PENDING
        locked.last_message_at = message.created_at
        locked.save(update_fields=["status", "last_message_at", "updated_at"])
        _send_later(locked, message)
        desk.after_agent_reply(actor, locked)
        bot_replies.person_replied(locked, by=actor.label)
        record_event(
            actor=actor,
            subject=locked,
            kind="conversation.replied",
            data={"message_id": message.pk},
        )
        events.message_added(locked, message)
    return message


def _store_outbound(actor: Actor, conversation: Conversation, text: str) -> Message:
    live = conversation.channel == Channel.WEB_CHAT
    return Message.objects.create(
        merchant_id=conversation.merchant_id,
        conversation=conversation,
        channel=conversation.channel,
        direction=Direction.OUTBOUND,
        author_kind=AuthorKind.AGENT if actor.user else AuthorKind.SYSTEM,
        author_member=_member_of(actor),
        author_name=actor.label[:200],
        subject=threads.reply_subject(conversation),
        body=text,
        # Web chat is delivered by the live feed and the poll itself: sent when stored.
        delivery_state=DeliveryState.SENT if live else DeliveryState.QUEUED,
        sent_at=timezone.now() if live else None,
    )


def _send_later(conversation: Conversation, message: Message) -> None:
    topic = OUTBOX_TOPIC.get(conversation.channel)  # type: ignore[call-overload]
    if topic is None:
        return
    if conversation.channel == Channel.EMAIL:
        threads.assign_email_headers(conversation, message)
    if conversation.channel == Channel.SMS and _sms_via_notifications(conversation, message):
        return
    write_outbox(
        merchant=conversation.merchant,
        topic=topic,
        dedupe_key=f"conversation-message:{message.pk}",
        payload={"message_id": message.pk},
    )


def _sms_via_notifications(conversation: Conversation, message: Message) -> bool:
    """Hand an SMS reply to the notifications app's provider (its own outbox, retries and
    delivery reports) when the customer's number is the one that wrote; True if handed."""
    customer = conversation.customer
    if customer is None or not customer.phone or customer.phone != conversation.contact:
        return False
    from aftercare.notifications.delivery import send_to_customer

    notification = send_to_customer(
        merchant_id=conversation.merchant_id,
        customer_id=customer.pk,
        channel="sms",
        body=message.body,
        dedupe_key=f"conversation-message:{message.pk}",
    )
    message.meta = {**message.meta, "notification_id": notification.pk}
    message.save(update_fields=["meta"])
    return True


def _member_of(actor: Actor) -> Member | None:
    if actor.user is None:
        return None
    return Member.objects.filter(user=actor.user, merchant_id=actor.merchant_id).first()


def add_note(*, actor: Actor, conversation: Conversation, body: str) -> Message:
    """An internal note: seen by the team, never sent to the customer."""
    require(actor, "desk.write")
    text = body.strip()
    if not text:
        raise EmptyMessage("A note needs some text.")
    with transaction.atomic():
        message = Message.objects.create(
            merchant_id=conversation.merchant_id,
            conversation=conversation,
            channel=conversation.channel,
            direction=Direction.NOTE,
            author_kind=AuthorKind.AGENT,
            author_member=_member_of(actor),
            author_name=actor.label[:200],
            body=text[:MAX_BODY],
            delivery_state=DeliveryState.SENT,
        )
        record_event(
            actor=actor,
            subject=conversation,
            kind="conversation.noted",
            data={"message_id": message.pk},
        )
        events.message_added(conversation, message)
    return message


def record_call(
    *,
    actor: Actor,
    phone: str,
    direction: str,
    summary: str,
    duration_seconds: int,
    outcome: str = "answered",
    call_id: str = "",
) -> Message:
    """A phone call as a message of a phone conversation (the IVR will call this too)."""
    require(actor, "desk.write")
    if direction not in (Direction.INBOUND, Direction.OUTBOUND):
        raise ValidationFailed("A call is inbound or outbound.")
    incoming = Incoming(
        channel=Channel.PHONE,
        contact=phone,
        body=summary or f"({outcome})",
        external_id=call_id,
        meta={"duration_seconds": duration_seconds, "outcome": outcome, "call": direction},
    )
    message, _ = receive_message(merchant=actor.merchant, incoming=incoming)
    if direction == Direction.OUTBOUND and message.direction != direction:
        Message.objects.filter(pk=message.pk).update(
            direction=direction, author_kind=AuthorKind.AGENT, author_name=actor.label[:200]
        )
        message.refresh_from_db()
    return message


def assign(*, actor: Actor, conversation: Conversation, member: Member | None) -> Conversation:
    require(actor, "desk.write")
    if member is not None and member.merchant_id != actor.merchant_id:
        raise ValidationFailed("That person is not on this team.")
    with transaction.atomic():
        Conversation.objects.filter(pk=conversation.pk).update(assignee=member)
        conversation.assignee = member
        record_event(
            actor=actor,
            subject=conversation,
            kind="conversation.assigned",
            data={"member_id": member.pk if member else None},
        )
        events.conversation_changed(conversation)
    return conversation


def set_status(*, actor: Actor, conversation: Conversation, status: str) -> Conversation:
    require(actor, "desk.write")
    with transaction.atomic():
        locked = Conversation.objects.select_for_update().get(pk=conversation.pk)
        if status not in TRANSITIONS.get(locked.status, set()):
            raise InvalidTransition(f"A {locked.status} conversation cannot become {status}.")
        locked.status = status
        locked.save(update_fields=["status", "updated_at"])
        record_event(actor=actor, subject=locked, kind="conversation.status", data={"to": status})
        events.conversation_changed(locked)
    return locked


def mark_read_by_agent(*, actor: Actor, conversation: Conversation) -> None:
    require(actor, "desk.read")
    now = timezone.now()
    Conversation.objects.filter(pk=conversation.pk).update(agent_read_at=now)
    events.read(conversation, side="agent", at=now)


def mark_read_by_customer(*, conversation: Conversation) -> None:
    now = timezone.now()
    with transaction.atomic():
        Conversation.objects.filter(pk=conversation.pk).update(customer_read_at=now)
        scoped(Message, conversation.merchant_id).filter(
            conversation=conversation,
            direction=Direction.OUTBOUND,
            delivery_state__in=[DeliveryState.SENT, DeliveryState.DELIVERED],
        ).update(delivery_state=DeliveryState.READ)
        events.read(conversation, side="customer", at=now)


# Which states a new delivery report may replace: a late "sent" never undoes "delivered".
_MAY_FOLLOW = {
    DeliveryState.SENT: [DeliveryState.QUEUED, DeliveryState.FAILED],
    DeliveryState.DELIVERED: [DeliveryState.QUEUED, DeliveryState.SENT, DeliveryState.FAILED],
    DeliveryState.READ: [DeliveryState.SENT, DeliveryState.DELIVERED],
    DeliveryState.FAILED: [DeliveryState.QUEUED, DeliveryState.SENT],
}


def set_delivery_state(*, message_id: int, state: str, error: str = "") -> bool:
    """Called by senders and delivery-report webhooks; never moves a message backwards."""
    fields: dict[str, Any] = {"delivery_state": state, "delivery_error": error[:500]}
    if state == DeliveryState.SENT:
        fields["sent_at"] = timezone.now()
    earlier = _MAY_FOLLOW.get(state, [])  # type: ignore[call-overload]
    changed = Message.objects.filter(pk=message_id, delivery_state__in=earlier).update(**fields)
    return bool(changed)


# --- The assistant: bot_replies decides when the bot speaks and words it; these write ------


def record_bot_turn(
    *, conversation: Conversation, message: Message, turn: BotTurn, site_url: str = ""
) -> list[Message]:
    """One bot turn answering the customer's `message`: its replies (live in the widget),
    whom and what it identified, then the hand-over to a person or the wait for the
    customer. The conversation is written once. Returns what the bot said."""
    with transaction.atomic():
        locked = Conversation.objects.select_for_update().get(pk=conversation.pk)
        with translation.override(DJANGO_LANGUAGE.get(turn.language, "en")):
            name = _("Assistant")
        said = [
            record_bot_reply(conversation=locked, body=text, author_name=name)
            for text in bot_replies.with_links(turn, site_url)
        ]
        _link_bot_findings(locked, turn)
        if turn.handover:
            _bot_hands_over(locked, message, turn)
        else:
            locked.status = ConversationStatus.PENDING
        if said:
            locked.last_message_at = said[-1].created_at
        locked.save(update_fields=["status", "last_message_at", "intent", "customer", "updated_at"])
        for reply in said:
            events.message_added(locked, reply)
        events.conversation_changed(locked)
    return said


def record_bot_reply(*, conversation: Conversation, body: str, author_name: str) -> Message:
    """One of the assistant's messages to the customer: sent when stored (web chat is
    delivered by the live feed and the poll). Announced by the caller's turn."""
    return Message.objects.create(
        merchant_id=conversation.merchant_id,
        conversation=conversation,
        channel=conversation.channel,
        direction=Direction.OUTBOUND,
        author_kind=AuthorKind.BOT,
        author_name=author_name,
        body=body,
        delivery_state=DeliveryState.SENT,
        sent_at=timezone.now(),
    )


def hand_over_after_bot_failure(*, conversation: Conversation, message: Message) -> Conversation:
    """The assistant failed on `message`: a person gets it (a note saying so, the ticket)."""
    with transaction.atomic():
        _to_person(conversation, message, note="")
        Conversation.objects.filter(pk=conversation.pk).update(status=conversation.status)
    return conversation


def _link_bot_findings(conversation: Conversation, turn: BotTurn) -> None:
    """Whom and what the bot identified (order number + phone, the cases it reported) is
    linked to the conversation, so the agent's 360 panel shows them."""
    summary = turn.summary
    if conversation.customer_id is None and summary.get("customer_id"):
        conversation.customer_id = summary["customer_id"]
    scope = {"merchant_id": conversation.merchant_id}
    orders = Order.objects.filter(pk=summary.get("order_id") or 0, **scope)
    cases = Case.objects.filter(pk__in=summary.get("case_ids") or [], **scope)
    link_found(conversation, Found(orders=list(orders), cases=list(cases)))


def _bot_hands_over(conversation: Conversation, message: Message, turn: BotTurn) -> None:
    if not turn.replies:
        # Handed over by an earlier turn while this message waited: a person has it already.
        conversation.status = ConversationStatus.OPEN
        desk.after_customer_message(conversation, message)
        return
    conversation.intent = bot_replies.topic(conversation, message)[:32]
    with translation.override(bot_replies.team_language(conversation)):
        note = bot_replies.handover_note(turn)
    _to_person(conversation, message, note=note, case_id=bot_replies.case_of(conversation))
    record_event(
        actor=Actor.system(conversation.merchant, label="assistant:bot"),
        subject=conversation,
        kind="conversation.bot_handover",
        data={"reason": turn.handover_reason, "message_id": message.pk},
    )


def _to_person(
    conversation: Conversation, message: Message, *, note: str, case_id: int | None = None
) -> None:
    """The agent's note (what the bot understood, or that it failed) and the ticket; the
    conversation's status becomes open here and is saved by the caller."""
    with transaction.atomic(), translation.override(bot_replies.team_language(conversation)):
        conversation.status = ConversationStatus.OPEN
        stored = Message.objects.create(
            merchant_id=conversation.merchant_id,
            conversation=conversation,
            channel=conversation.channel,
            direction=Direction.NOTE,
            author_kind=AuthorKind.BOT,
            author_name=_("Assistant"),
            body=note if note else _("The assistant failed on this message."),
            delivery_state=DeliveryState.SENT,
        )
        events.message_added(conversation, stored)
        desk.after_customer_message(conversation, message, case_id=case_id)
