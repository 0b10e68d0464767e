"""The conversations API, mounted by aftercare/api.py: `router` at /conversations and
`customers_router` at /customers (the customer 360 lookup).

Reads need "desk.read", replies/notes/assignment/calls/raw email "desk.write". The public
sides of channels (web-chat widget, SMS webhooks) are not here: they authenticate with a
chat token or a webhook signature, not an API key, and live in views_public.py.
"""

from __future__ import annotations

import json
import time
from typing import Any

from django.core.exceptions import RequestDataTooBig
from django.http import HttpRequest, HttpResponse
from ninja import Query, Router, Status
from ninja.responses import NinjaJSONEncoder

from aftercare.conversations import actions, canned, email_in, lookup_rows, queries
from aftercare.conversations.errors import EmailTooLarge, MalformedEmail
from aftercare.conversations.models import Conversation, Message
from aftercare.conversations.schemas import (
    AssignIn,
    CallIn,
    CannedReplyOut,
    ConversationDetailOut,
    ConversationFilters,
    ConversationOut,
    Customer360Out,
    MessageOut,
    ReceivedOut,
    StatusIn,
    TextIn,
)
from aftercare.core.api import PageOut, actor_of, page_of, require
from aftercare.core.errors import NotFound
from aftercare.merchants.models import Member
from aftercare.merchants.queries import get_scoped

router = Router(tags=["conversations"])
customers_router = Router(tags=["customers"])


@customers_router.get(
    "/lookup",
    response=Customer360Out,
    summary="Customer 360 from a phone, email, order, tracking or case number",
)
def customer_lookup(request: HttpRequest, q: str = "") -> HttpResponse:
    started = time.perf_counter()
    actor = actor_of(request)
    require(actor, "desk.read")
    body = lookup_rows.lookup_body(actor.merchant, q[:200])
    if body is None:
        raise NotFound("No customer matches that phone, email, order, tracking or case number.")
    # The rows already have the Customer360Out shape (a test holds them to it): encoding them
    # directly skips validating and dumping ~60 values through pydantic on every lookup.
    response = HttpResponse(
        json.dumps(body, cls=NinjaJSONEncoder), content_type="application/json; charset=utf-8"
    )
    # Server-side time, encoding included, read by bench/lookup.py (and browsers' devtools).
    response["Server-Timing"] = f"app;dur={(time.perf_counter() - started) * 1000:.3f}"
    return response


@router.get("", response=PageOut[ConversationOut], summary="The inbox across channels")
def list_conversations(request: HttpRequest, filters: Query[ConversationFilters]) -> Any:
    actor = actor_of(request)
    require(actor, "desk.read")
    rows = queries.inbox(
        actor,
        status=filters.status or "",
        channel=filters.channel or "",
        intent=filters.intent or "",
        assignee=filters.assignee or "",
        customer_id=filters.customer_id,
    )
    return page_of(rows, limit=filters.limit, offset=filters.offset)


# Fixed paths before /{conversation_id}, which would otherwise claim them.
@router.post("/calls", response={201: MessageOut}, summary="Record a phone call")
def record_call(request: HttpRequest, payload: CallIn) -> Any:
    actor = actor_of(request)
    message = actions.record_call(
        actor=actor,
        phone=payload.phone,
        direction=payload.direction,
        summary=payload.summary,
        duration_seconds=payload.duration_seconds,
        outcome=payload.outcome,
        call_id=payload.call_id,
    )
    return Status(201, message)


@router.post(
    "/email/inbound",
    response={201: ReceivedOut, 200: ReceivedOut},
    summary='Receive one raw MIME email (message/rfc822, or JSON {"raw": "..."})',
    openapi_extra={
        "requestBody": {
            "content": {"message/rfc822": {"schema": {"type": "string", "format": "binary"}}}
        }
    },
)
def email_inbound(request: HttpRequest) -> Any:
    actor = actor_of(request)
    require(actor, "desk.write")
    message, created = email_in.receive_email(_raw_mime(request), merchant=actor.merchant)
    return Status(201 if created else 200, _received(message, created))


def _raw_mime(request: HttpRequest) -> bytes:
    try:
        body = request.body
    except RequestDataTooBig as error:
        raise EmailTooLarge("The email is larger than this server accepts.") from error
    if request.content_type != "application/json":
        return body
    try:
        raw = json.loads(body or b"{}").get("raw", "")
    except (ValueError, AttributeError) as error:
        raise MalformedEmail('The JSON body must be {"raw": "<the MIME message>"}.') from error
    if not isinstance(raw, str):
        raise MalformedEmail("'raw' must be the MIME message as a string.")
    return raw.encode("utf-8", errors="surrogateescape")


@router.get("/{conversation_id}", response=ConversationDetailOut, summary="A conversation")
def get_conversation(request: HttpRequest, conversation_id: int) -> Conversation:
    actor = actor_of(request)
    require(actor, "desk.read")
    return queries.conversation_detail(actor.merchant, conversation_id)


@router.get(
    "/{conversation_id}/canned-replies",
    response=list[CannedReplyOut],
    summary="The merchant's canned replies, in the conversation's language, filled for it",
)
def canned_replies(request: HttpRequest, conversation_id: int) -> Any:
    actor = actor_of(request)
    require(actor, "desk.read")
    conversation = queries.get_conversation(actor.merchant, conversation_id)
    agent = Member.objects.filter(user=actor.user, merchant_id=actor.merchant_id).first()
    return canned.suggestions(conversation, agent=agent if actor.user else None)


def _writable(request: HttpRequest, conversation_id: int) -> tuple[Any, Conversation]:
    actor = actor_of(request)
    require(actor, "desk.write")
    return actor, queries.get_conversation(actor.merchant, conversation_id)


@router.post(
    "/{conversation_id}/reply",
    response={201: MessageOut},
    summary="Answer on the conversation's channel (sent after commit)",
)
def reply(request: HttpRequest, conversation_id: int, payload: TextIn) -> Any:
    actor, conversation = _writable(request, conversation_id)
    message = actions.reply(actor=actor, conversation=conversation, body=payload.body)
    return Status(201, message)


@router.post("/{conversation_id}/notes", response={201: MessageOut}, summary="Internal note")
def add_note(request: HttpRequest, conversation_id: int, payload: TextIn) -> Any:
    actor, conversation = _writable(request, conversation_id)
    return Status(201, actions.add_note(actor=actor, conversation=conversation, body=payload.body))


@router.post("/{conversation_id}/assign", response=ConversationOut, summary="Assign")
def assign(request: HttpRequest, conversation_id: int, payload: AssignIn) -> Conversation:
    actor, conversation = _writable(request, conversation_id)
    member = None
    if payload.member_id is not None:
        member = get_scoped(Member, actor.merchant, pk=payload.member_id)
    return actions.assign(actor=actor, conversation=conversation, member=member)


@router.post("/{conversation_id}/status", response=ConversationOut, summary="Open/pend/close")
def set_status(request: HttpRequest, conversation_id: int, payload: StatusIn) -> Conversation:
    actor, conversation = _writable(request, conversation_id)
    return actions.set_status(actor=actor, conversation=conversation, status=payload.status)


@router.post("/{conversation_id}/read", response=ConversationOut, summary="Mark read by agent")
def mark_read(request: HttpRequest, conversation_id: int) -> Conversation:
    actor = actor_of(request)
    require(actor, "desk.read")
    conversation = queries.get_conversation(actor.merchant, conversation_id)
    actions.mark_read_by_agent(actor=actor, conversation=conversation)
    return queries.get_conversation(actor.merchant, conversation_id)


def _received(message: Message, created: bool) -> dict[str, Any]:
    return {
        "message_id": message.pk,
        "conversation_id": message.conversation_id,
        "created": created,
    }
