"""The agent's desk: the inbox across channels and one conversation with the customer 360.

Every button posts to one endpoint that calls one action with the signed-in member as the
actor; a refusal comes back as a message and has changed nothing. New messages arrive over
the realtime feed (/ws/feed/); without a WebSocket the page polls `conversation_messages`.
"""

from __future__ import annotations

from functools import partial
from typing import Any

import nh3
from django.contrib.messages import get_messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from aftercare.assistant.labels import Intent
from aftercare.conversations import actions, canned, lookup, lookup_rows, queries
from aftercare.conversations.models import Conversation
from aftercare.conversations.states import Channel, ConversationStatus
from aftercare.core.errors import DomainError
from aftercare.merchants.models import Member
from aftercare.merchants.queries import actor_for_user, scoped
from aftercare.returns.models import Case
from aftercare.web.access import context_for, member_required
from aftercare.web.case_views import case_card
from aftercare.web.problems import messages_for

INBOX_LIMIT = 100
# What a message's HTML may keep when shown: text formatting and links, nothing active.
SAFE_TAGS = {
    "p",
    "br",
    "b",
    "strong",
    "i",
    "em",
    "u",
    "ul",
    "ol",
    "li",
    "a",
    "blockquote",
    "span",
    "div",
    "table",
    "tr",
    "td",
    "th",
    "tbody",
    "thead",
}


def sanitise(html: str) -> str:
    return nh3.clean(html, tags=SAFE_TAGS, link_rel="noopener noreferrer nofollow")


@member_required
def inbox(request: HttpRequest, membership: Member) -> HttpResponse:
    actor = actor_for_user(request.user)
    assert actor is not None
    filters = _filters(request)
    rows = list(
        queries.inbox(
            actor,
            assignee=filters["assignee"],
            channel=filters["channel"],
            intent=filters["intent"],
            status=filters["status"],
            queue=filters["queue"],
        )[:INBOX_LIMIT]
    )
    context = context_for(
        membership,
        section="inbox",
        conversations=rows,
        filters=filters,
        channels=Channel.choices,
        intents=Intent.choices,
        statuses=ConversationStatus.choices,
    )
    template = (
        "conversations/_inbox_rows.html"
        if request.GET.get("part") == "rows"
        else ("conversations/inbox.html")
    )
    return render(request, template, context)


def _filters(request: HttpRequest) -> dict[str, str]:
    """The inbox filters from the query string; unknown values are ignored (plain links)."""
    allowed = {
        "assignee": {"me", "unassigned"},
        "channel": set(Channel.values),
        "intent": set(Intent.values),
        "status": set(ConversationStatus.values),
        "queue": {"my_groups", "overdue"},
    }
    return {
        name: value if (value := request.GET.get(name, "")) in choices else ""
        for name, choices in allowed.items()
    }


def _conversation_or_404(membership: Member, conversation_id: int) -> Conversation:
    try:
        return queries.conversation_detail(membership.merchant, conversation_id)
    except DomainError:
        raise Http404("No such conversation.") from None


def _panel(membership: Member, conversation: Conversation) -> lookup.Customer360 | None:
    # The customer came with the conversation (select_related): the panel is one statement.
    if conversation.customer is None:
        return None
    return lookup.customer_360(membership.merchant, conversation.customer)


def _messages(conversation: Conversation) -> list[dict[str, Any]]:
    return [
        {"message": m, "html": sanitise(m.body_html) if m.body_html else ""}
        for m in conversation.messages.all()
    ]


@member_required
def conversation_page(
    request: HttpRequest, membership: Member, conversation_id: int
) -> HttpResponse:
    conversation = _conversation_or_404(membership, conversation_id)
    actor = actor_for_user(request.user)
    assert actor is not None
    actions.mark_read_by_agent(actor=actor, conversation=conversation)
    context = _context(membership, conversation)
    context["case_cards"] = _case_cards(membership, conversation, context["view"], context["links"])
    # A case step posted without htmx comes back here; its refusal rides in the session.
    context["case_errors"] = [str(m) for m in get_messages(request)]
    return render(request, "conversations/conversation.html", context)


def _case_cards(
    membership: Member,
    conversation: Conversation,
    view: lookup.Customer360 | None,
    links: list[Any],
) -> list[dict[str, Any]]:
    """The open cases the agent may act on from here: those the conversation is linked to and
    the customer's own, each with the buttons of its status (the case page's endpoints)."""
    ids = {link.case_id for link in links if link.case_id}
    ids.update(case["id"] for case in (view.open_cases if view else []))
    if not ids:
        return []
    cases = (
        scoped(Case, membership.merchant)
        .filter(pk__in=ids)
        .exclude(status__in=lookup_rows.DONE)
        .select_related("order")
        .order_by("-created_at")
    )
    back = reverse("conversation", args=[conversation.pk])
    return [case_card(membership, case, back=back) for case in cases]


def _context(membership: Member, conversation: Conversation, **extra: Any) -> dict[str, Any]:
    messages = _messages(conversation)
    return context_for(
        membership,
        section="inbox",
        conversation=conversation,
        messages=messages,
        last_id=max((m["message"].pk for m in messages), default=0),
        view=_panel(membership, conversation),
        links=list(conversation.links.all()),
        can_reply=conversation.channel != Channel.PHONE,
        statuses=ConversationStatus.choices,
        # Called by the template only where the reply box is drawn (not on every poll).
        canned=partial(canned.suggestions, conversation, agent=membership),
        **extra,
    )


@member_required
def conversation_messages(
    request: HttpRequest, membership: Member, conversation_id: int
) -> HttpResponse:
    """The message list alone: what the live feed and the polling fallback re-render."""
    conversation = _conversation_or_404(membership, conversation_id)
    return render(request, "conversations/_messages.html", _context(membership, conversation))


def _act(request: HttpRequest, membership: Member, conversation_id: int, step: Any) -> HttpResponse:
    conversation = _conversation_or_404(membership, conversation_id)
    actor = actor_for_user(request.user)
    assert actor is not None
    errors: list[str] = []
    try:
        step(actor, conversation)
    except DomainError as error:
        errors = messages_for(error)
    if not request.headers.get("HX-Request"):
        return redirect(reverse("conversation", args=[conversation_id]))
    conversation = _conversation_or_404(membership, conversation_id)
    return render(
        request,
        "conversations/_thread.html",
        _context(membership, conversation, errors=errors),
    )


@require_POST
@member_required
def reply(request: HttpRequest, membership: Member, conversation_id: int) -> HttpResponse:
    body = request.POST.get("body", "")
    return _act(
        request,
        membership,
        conversation_id,
        lambda actor, c: actions.reply(actor=actor, conversation=c, body=body),
    )


@require_POST
@member_required
def note(request: HttpRequest, membership: Member, conversation_id: int) -> HttpResponse:
    body = request.POST.get("body", "")
    return _act(
        request,
        membership,
        conversation_id,
        lambda actor, c: actions.add_note(actor=actor, conversation=c, body=body),
    )


@require_POST
@member_required
def set_status(request: HttpRequest, membership: Member, conversation_id: int) -> HttpResponse:
    status = request.POST.get("status", "")
    return _act(
        request,
        membership,
        conversation_id,
        lambda actor, c: actions.set_status(actor=actor, conversation=c, status=status),
    )


@require_POST
@member_required
def take(request: HttpRequest, membership: Member, conversation_id: int) -> HttpResponse:
    return _act(
        request,
        membership,
        conversation_id,
        lambda actor, c: actions.assign(actor=actor, conversation=c, member=membership),
    )


@require_POST
@member_required
def typing(request: HttpRequest, membership: Member, conversation_id: int) -> HttpResponse:
    from aftercare.conversations import events

    conversation = _conversation_or_404(membership, conversation_id)
    events.typing(conversation, side="agent")
    return HttpResponse(status=204)


@member_required
def customer_panel(request: HttpRequest, membership: Member) -> HttpResponse:
    """The 360 for any phone/email/order/tracking/case number (the screen pop)."""
    query = request.GET.get("q", "")[:200]
    view = lookup.lookup(membership.merchant, query) if query.strip() else None
    return render(
        request,
        "conversations/customer.html",
        context_for(membership, section="inbox", view=view, query=query),
    )
