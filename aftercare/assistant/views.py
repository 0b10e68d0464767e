"""Console endpoint of the assistant: an agent corrects what a message meant (A2).

The correction is stored as a training example (`correct_message_labels`); the next
`aftercare assistant train` learns from it. The message itself keeps the analysis it was
given, so the conversation shows what the model said and the agent's fix beside it.
"""

from __future__ import annotations

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_POST

from aftercare.assistant.actions import correct_message_labels
from aftercare.conversations.models import Message
from aftercare.conversations.states import Direction
from aftercare.core.errors import DomainError, Forbidden
from aftercare.merchants.models import Member
from aftercare.merchants.queries import actor_for_user, scoped
from aftercare.web.access import member_required
from aftercare.web.problems import messages_for


@require_POST
@member_required
def correct_message(request: HttpRequest, membership: Member, message_id: int) -> HttpResponse:
    message = (
        scoped(Message, membership.merchant)
        .filter(pk=message_id, direction=Direction.INBOUND)
        .first()
    )
    if message is None:
        raise Http404("No such message.")
    actor = actor_for_user(request.user)
    assert actor is not None  # member_required found the membership
    context: dict[str, object] = {"message": message}
    try:
        if not actor.can("assistant.use"):
            raise Forbidden("Your role may not correct the assistant.")
        context["correction"] = correct_message_labels(
            actor=actor,
            text=message.body,
            intent=request.POST.get("intent", ""),
            reason=request.POST.get("reason", "") or "other",
            language=str(message.analysis.get("language", "")),
        )
        status = 200
    except DomainError as error:
        context["errors"] = messages_for(error)
        status = error.status
    return render(request, "assistant/_correction.html", context, status=status)
