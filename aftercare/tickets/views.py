"""Console pages of tickets: the queue (sorted by SLA urgency, live countdowns), one ticket
with its clocks beside the case's stage clock, and the supervisor view.

Every button calls a tickets action with the signed-in member as the actor; a refusal comes
back as a message in the panel and the action has changed nothing. Live updates arrive on the
realtime feed; `feed` is the polling fallback (and what a toast reads when the socket is down).
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any

from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect, JsonResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from aftercare.core.actors import Actor
from aftercare.core.errors import DomainError, ValidationFailed
from aftercare.merchants.models import Member
from aftercare.merchants.queries import actor_for_user, scoped
from aftercare.tickets import actions, collaboration, presence, queries
from aftercare.tickets.console import page_context, ticket_context, ticket_feed
from aftercare.tickets.models import AgentState, SkillGroup, Ticket
from aftercare.tickets.states import Presence, Priority, TicketStatus
from aftercare.web.access import member_required
from aftercare.web.problems import messages_for

QUEUE_LIMIT = 200


def _actor(request: HttpRequest) -> Actor:
    actor = actor_for_user(request.user)
    assert actor is not None  # member_required found the membership
    return actor


def _forbidden(request: HttpRequest, membership: Member) -> HttpResponse:
    context = page_context(
        membership, section="tickets", errors=[_("You are not allowed to do that.")]
    )
    return render(request, "tickets/forbidden.html", context, status=403)


def _filters(request: HttpRequest) -> queries.TicketFilters:
    # Unknown values are ignored rather than errors: the filters are plain links.
    get = request.GET
    status = get.get("status", "")
    group = get.get("group", "")
    priority = get.get("priority", "")
    return queries.TicketFilters(
        mine=get.get("mine") == "1",
        unassigned=get.get("unassigned") == "1",
        overdue=get.get("overdue") == "1",
        status=status if status in TicketStatus.values else None,
        group_id=int(group) if group.isdigit() else None,
        priority=int(priority) if priority.isdigit() else None,
    )


def _queue_context(request: HttpRequest, membership: Member) -> dict[str, Any]:
    filters = _filters(request)
    rows = queries.tickets_of(membership.merchant, filters, member_id=membership.pk)
    state = AgentState.objects.filter(member=membership).first()
    return page_context(
        membership,
        section="tickets",
        tickets=list(rows[:QUEUE_LIMIT]),
        filters=filters,
        query=request.GET.urlencode(),
        groups=list(scoped(SkillGroup, membership.merchant).order_by("name")),
        statuses=TicketStatus.choices,
        priorities=Priority.choices,
        presences=Presence.choices,
        my_state=state,
        now=timezone.now(),
    )


@member_required
def queue(request: HttpRequest, membership: Member) -> HttpResponse:
    if not _actor(request).can("desk.read"):
        return _forbidden(request, membership)
    return render(request, "tickets/queue.html", _queue_context(request, membership))


@member_required
def queue_rows(request: HttpRequest, membership: Member) -> HttpResponse:
    if not _actor(request).can("desk.read"):
        return _forbidden(request, membership)
    return render(request, "tickets/_queue_rows.html", _queue_context(request, membership))


@member_required
def feed(request: HttpRequest, membership: Member) -> JsonResponse:
    """Ticket events after `after` (an audit id): the polling fallback of the live feed."""
    if not _actor(request).can("desk.read"):
        return JsonResponse({"events": [], "last": 0}, status=403)
    after = request.GET.get("after", "")
    return JsonResponse(ticket_feed(membership, int(after) if after.isdigit() else None))


def _ticket_or_404(membership: Member, ticket_id: int) -> Ticket:
    try:
        return queries.get_ticket(membership.merchant, ticket_id)
    except DomainError:
        raise Http404("No such ticket.") from None


@member_required
def detail(request: HttpRequest, membership: Member, ticket_id: int) -> HttpResponse:
    if not _actor(request).can("desk.read"):
        return _forbidden(request, membership)
    ticket = _ticket_or_404(membership, ticket_id)
    return render(request, "tickets/detail.html", ticket_context(membership, ticket))


Step = Callable[[Actor, Ticket, HttpRequest], object]


def _run(request: HttpRequest, membership: Member, ticket_id: int, step: Step) -> HttpResponse:
    """Run one action. htmx gets the panel back (with the message on a refusal); a plain form
    post gets a redirect, or the page with the real status."""
    ticket = _ticket_or_404(membership, ticket_id)
    errors: list[str] = []
    status = 200
    try:
        step(_actor(request), ticket, request)
    except DomainError as error:
        errors, status = _messages(error), error.status
    ticket = _ticket_or_404(membership, ticket_id)
    context = ticket_context(membership, ticket, errors=errors)
    if request.headers.get("HX-Request"):
        response = render(request, "tickets/_panel.html", context)
        if errors:
            response["X-Problem-Status"] = str(status)
        return response
    if not errors:
        return HttpResponseRedirect(reverse("ticket_detail", args=[ticket_id]))
    return render(request, "tickets/detail.html", context, status=status)


def _messages(error: DomainError) -> list[str]:
    sentence = {
        "agent_offline": _("That agent is offline."),
        "agent_at_capacity": _("That agent has no room for another ticket."),
        "ticket_not_live": _("The ticket is closed or merged."),
        "invalid_merge": _("These tickets cannot be merged."),
        "invalid_transition": _("That step is not possible from the ticket's status."),
    }.get(error.code)
    return [sentence] if sentence else messages_for(error)


def _int(request: HttpRequest, name: str) -> int:
    value = request.POST.get(name, "")
    if not value.isdigit():
        raise ValidationFailed(f"{name} is required.", errors=[{"loc": [name], "msg": "?"}])
    return int(value)


def _due(request: HttpRequest) -> datetime:
    # <input type="datetime-local"> sends the member's wall-clock time, without a zone.
    value = parse_datetime(request.POST.get("due_at", ""))
    if value is None:
        raise ValidationFailed("due_at", errors=[{"loc": ["due_at"], "msg": "?"}])
    if timezone.is_naive(value):
        value = timezone.make_aware(value)
    return value


STEPS: dict[str, Step] = {
    "respond": lambda a, t, r: actions.record_response(actor=a, ticket=t),
    "status": lambda a, t, r: actions.set_status(
        actor=a, ticket=t, status=r.POST.get("status", ""), reason=r.POST.get("reason", "")
    ),
    "assign": lambda a, t, r: actions.assign_ticket(
        actor=a, ticket=t, member_id=_int(r, "member_id")
    ),
    "reassign": lambda a, t, r: actions.assign_ticket(
        actor=a, ticket=t, member_id=_int(r, "member_id"), as_owner=True
    ),
    "transfer": lambda a, t, r: actions.transfer_ticket(
        actor=a, ticket=t, group_id=_int(r, "group_id")
    ),
    "escalate": lambda a, t, r: actions.escalate_ticket(
        actor=a, ticket=t, reason=r.POST.get("reason", "")
    ),
    "close": lambda a, t, r: actions.close_ticket(
        actor=a,
        ticket=t,
        resolution_code=r.POST.get("resolution_code", ""),
        note=r.POST.get("note", ""),
    ),
    "merge": lambda a, t, r: actions.merge_tickets(actor=a, ticket=t, into_id=_int(r, "into_id")),
    "note": lambda a, t, r: collaboration.add_note(actor=a, ticket=t, body=r.POST.get("body", "")),
    "follow_up": lambda a, t, r: collaboration.add_follow_up(
        actor=a,
        ticket=t,
        member_id=_int(r, "member_id"),
        text=r.POST.get("text", ""),
        due_at=_due(r),
    ),
}


@require_POST
@member_required
def act(request: HttpRequest, membership: Member, ticket_id: int, action: str) -> HttpResponse:
    step = STEPS.get(action)
    if step is None:
        raise Http404("No such action.")
    return _run(request, membership, ticket_id, step)


@member_required
def supervisor(request: HttpRequest, membership: Member) -> HttpResponse:
    if not _actor(request).can("desk.supervise"):
        return _forbidden(request, membership)
    context = page_context(
        membership,
        section="supervisor",
        agents=queries.agent_loads(membership.merchant),
        group_rows=queries.group_queues(membership.merchant),
        breached=queries.breached_tickets(membership.merchant),
        members=list(
            scoped(Member, membership.merchant).select_related("user").order_by("display_name")
        ),
        presences=Presence.choices,
    )
    return render(request, "tickets/supervisor.html", context)


@require_POST
@member_required
def set_presence(request: HttpRequest, membership: Member) -> HttpResponse:
    """The member's own presence (or, for a supervisor, any member's), then back."""
    member_id = request.POST.get("member_id", "")
    target = int(member_id) if member_id.isdigit() else membership.pk
    try:
        presence.set_presence(
            actor=_actor(request), member_id=target, presence=request.POST.get("presence", "")
        )
    except DomainError as error:
        context = page_context(membership, section="tickets", errors=_messages(error))
        return render(request, "tickets/forbidden.html", context, status=error.status)
    back = request.POST.get("next", "")
    if not url_has_allowed_host_and_scheme(back, allowed_hosts={request.get_host()}):
        back = reverse("ticket_queue")
    return HttpResponseRedirect(back)
