"""The public sides of channels: the web-chat widget's endpoints and the SMS webhooks.

They authenticate with a chat token (chat.py) or a webhook signature (sms_in.py), not with a
session or an API key, so they are plain views (CSRF-exempt: nothing here rides on a
cookie) answering JSON, and problem+json when refused.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, render
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET, require_POST

from aftercare.commerce.models import Order
from aftercare.conversations import actions, bot_replies, chat, events, queries, sms_in
from aftercare.conversations.actions import Incoming
from aftercare.conversations.errors import InvalidChatToken
from aftercare.conversations.states import Channel
from aftercare.core.api import PROBLEM_CONTENT_TYPE, problem
from aftercare.core.errors import DomainError, ValidationFailed
from aftercare.merchants.models import Merchant
from aftercare.merchants.queries import scoped
from aftercare.web.portal_access import granted_order_id

TOKEN_HEADER = "X-Chat-Token"
MAX_CHAT_BODY = 4000


def problem_response(error: DomainError) -> JsonResponse:
    body = problem(
        status=error.status,
        code=error.code,
        title=error.title,
        detail=error.detail,
        errors=error.errors,
    )
    return JsonResponse(body, status=error.status, content_type=PROBLEM_CONTENT_TYPE)


def _answers_problems(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        try:
            return view(request, *args, **kwargs)
        except DomainError as error:
            return problem_response(error)

    wrapper.__name__ = view.__name__
    wrapper.__doc__ = view.__doc__
    return wrapper


# --- Web chat ----------------------------------------------------------------------------


def _session(request: HttpRequest) -> chat.ChatSession:
    token = request.headers.get(TOKEN_HEADER) or request.GET.get("token", "")
    return chat.read_token(token)


@csrf_exempt
@require_POST
@_answers_problems
def chat_session(request: HttpRequest, merchant_slug: str) -> HttpResponse:
    """A new anonymous visitor's token (the widget on the merchant's own site)."""
    merchant = get_object_or_404(Merchant, slug=merchant_slug)
    return JsonResponse({"token": chat.issue_token(merchant)}, status=201)


@require_POST
@_answers_problems
def portal_chat_session(request: HttpRequest, merchant_slug: str) -> HttpResponse:
    """The token of the portal's signed-in customer (the order they opened): their chat is
    theirs on every device, and the desk knows who they are without asking."""
    merchant = get_object_or_404(Merchant, slug=merchant_slug)
    order_id = granted_order_id(request, merchant)
    order = None
    if order_id is not None:
        order = scoped(Order, merchant).select_related("customer").filter(pk=order_id).first()
    if order is None:
        return problem_response(InvalidChatToken("Open your order in the portal first."))
    return JsonResponse({"token": chat.issue_token(merchant, customer=order.customer)}, status=201)


@csrf_exempt
@_answers_problems
def chat_messages(request: HttpRequest) -> HttpResponse:
    """GET: the visitor's messages after ?after=<id> (the polling fallback). POST: send one."""
    session = _session(request)
    if request.method == "POST":
        return _chat_send(request, session)
    if request.method != "GET":
        return HttpResponse(status=405)
    conversation = chat.current_conversation(session)
    after = request.GET.get("after", "0")
    after_id = int(after) if after.isdigit() else 0
    if conversation is None:
        return JsonResponse({"conversation_id": None, "messages": [], "agent_read_at": None})
    rows = queries.customer_messages_after(conversation, after_id)
    return JsonResponse(
        {
            "conversation_id": conversation.pk,
            "messages": [events.message_payload(m) for m in rows],
            "agent_read_at": _iso(conversation.agent_read_at),
        }
    )


def _iso(value: Any) -> str | None:
    return value.isoformat() if value else None


def _chat_send(request: HttpRequest, session: chat.ChatSession) -> HttpResponse:
    body = _json(request).get("body", "")
    if not isinstance(body, str) or not body.strip():
        raise ValidationFailed("Type a message first.")
    if len(body) > MAX_CHAT_BODY:
        raise ValidationFailed(f"A chat message is at most {MAX_CHAT_BODY} characters.")
    incoming = Incoming(
        channel=Channel.WEB_CHAT,
        contact=session.visitor,
        # An anonymous visitor gets a short handle the desk can say out loud.
        contact_name=session.customer.name if session.customer else f"Visitor {session.handle}",
        body=body.strip(),
        conversation=chat.current_conversation(session),
        customer=session.customer,
    )
    message, created = actions.receive_message(merchant=session.merchant, incoming=incoming)
    if created:
        # The assistant's replies reach the widget live (or by its next poll), after this one.
        bot_replies.answer(
            message,
            signed_in_customer_id=session.customer.pk if session.customer else None,
            site_url=request.build_absolute_uri("/").rstrip("/"),
        )
    return JsonResponse(events.message_payload(message), status=201)


def _json(request: HttpRequest) -> dict[str, Any]:
    try:
        data = json.loads(request.body or b"{}")
    except ValueError as error:
        raise ValidationFailed("The body must be JSON.") from error
    return data if isinstance(data, dict) else {}


@csrf_exempt
@require_POST
@_answers_problems
def chat_read(request: HttpRequest) -> HttpResponse:
    session = _session(request)
    conversation = chat.current_conversation(session)
    if conversation is not None:
        actions.mark_read_by_customer(conversation=conversation)
    return HttpResponse(status=204)


@csrf_exempt
@require_POST
@_answers_problems
def chat_typing(request: HttpRequest) -> HttpResponse:
    session = _session(request)
    conversation = chat.current_conversation(session)
    if conversation is not None:
        events.typing(conversation, side="customer")
    return HttpResponse(status=204)


@require_GET
def chat_demo(request: HttpRequest, merchant_slug: str) -> HttpResponse:
    """A page with the widget, as a merchant's site would embed it (and the portal does)."""
    merchant = get_object_or_404(Merchant, slug=merchant_slug)
    return render(request, "conversations/chat_page.html", {"merchant": merchant})


# --- SMS webhooks ------------------------------------------------------------------------


@csrf_exempt
@require_POST
@_answers_problems
def sms_webhook(request: HttpRequest) -> HttpResponse:
    event, created = sms_in.receive_generic(
        request.body, request.headers.get("Aftercare-Signature")
    )
    return JsonResponse({"received": True, "duplicate": not created, "status": event.status})


@csrf_exempt
@require_POST
@_answers_problems
def twilio_sms_webhook(request: HttpRequest) -> HttpResponse:
    params = {key: request.POST.getlist(key) for key in request.POST}
    sms_in.receive_twilio(
        request.build_absolute_uri(), params, request.headers.get("X-Twilio-Signature")
    )
    # An empty TwiML answer: we reply later, from the console, not automatically.
    return HttpResponse("<Response></Response>", content_type="text/xml")
