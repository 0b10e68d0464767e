"""The agent's case pages: a list with a status filter, and one case with its decision trace,
deadlines, timeline and one htmx endpoint per action.

Every button calls a returns action with the signed-in member as the actor; a refusal (409,
422, 403) comes back as a message in the panel and the action has changed nothing.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from django.contrib import messages
from django.db import transaction
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_POST

from aftercare.core.actors import Actor
from aftercare.core.errors import DomainError
from aftercare.merchants.models import Member
from aftercare.merchants.queries import actor_for_user
from aftercare.merchants.roles import role_allows
from aftercare.returns import actions, attachments, exchange, inspection, queries
from aftercare.returns.deadlines import stage_clock
from aftercare.returns.models import Case
from aftercare.returns.states import CaseStatus, CaseType
from aftercare.web.access import context_for, member_required
from aftercare.web.case_display import (
    explanation,
    line_explanations,
    replacement_choices,
    timeline_entries,
)
from aftercare.web.problems import messages_for

LIST_LIMIT = 100


@member_required
def case_list(request: HttpRequest, membership: Member) -> HttpResponse:
    status = request.GET.get("status", "")
    # An unknown status is ignored rather than an error: the filter is a plain link.
    chosen = status if status in CaseStatus.values else None
    cases = list(queries.cases_of(membership.merchant, status=chosen)[:LIST_LIMIT])
    context = context_for(
        membership,
        section="cases",
        cases=cases,
        statuses=CaseStatus.choices,
        status=chosen or "",
    )
    return render(request, "web/case_list.html", context)


def _case_or_404(membership: Member, case_id: int) -> Case:
    try:
        return queries.get_case(membership.merchant, case_id)
    except DomainError:
        raise Http404("No such case.") from None


@dataclass(frozen=True)
class CaseActions:
    """The steps offered on a case: those of its status that the member's role allows. The
    action itself still checks (the amount may be above the member's authority) and a refusal
    comes back as a message."""

    can_decide: bool = False
    can_receive: bool = False
    can_start_inspection: bool = False
    can_inspect: bool = False
    exchange_rows: list[tuple[Any, list[Any], int]] = field(default_factory=list)
    can_complete_exchange: bool = False

    @property
    def any(self) -> bool:
        return (
            self.can_decide
            or self.can_receive
            or self.can_start_inspection
            or self.can_inspect
            or bool(self.exchange_rows)
            or self.can_complete_exchange
        )


def case_actions(membership: Member, case: Case) -> CaseActions:
    # The permissions the actions require (returns/actions.py, inspection.py, exchange.py).
    writes = role_allows(membership.role, "cases.write")
    inspects = role_allows(membership.role, "cases.inspect")
    status = case.status
    can_exchange = (
        writes and case.type == CaseType.EXCHANGE and status == CaseStatus.INSPECTION_PASSED
    )
    return CaseActions(
        can_decide=writes and status in (CaseStatus.SUBMITTED, CaseStatus.UNDER_REVIEW),
        can_receive=inspects
        and status in (CaseStatus.AWAITING_RETURN_SHIPMENT, CaseStatus.IN_TRANSIT),
        can_start_inspection=inspects and status == CaseStatus.RECEIVED,
        can_inspect=inspects and status in (CaseStatus.RECEIVED, CaseStatus.INSPECTING),
        exchange_rows=_exchange_rows(membership, case) if can_exchange else [],
        can_complete_exchange=writes and status == CaseStatus.EXCHANGE_PROCESSING,
    )


def _case_context(membership: Member, case: Case, **extra: Any) -> dict[str, Any]:
    sentences = line_explanations(case)
    return context_for(
        membership,
        section="cases",
        case=case,
        case_lines=[(line, sentences.get(line.order_line_id, "")) for line in case.lines.all()],
        explanation=explanation(case),
        timeline=timeline_entries(case, for_customer=False),
        acts=case_actions(membership, case),
        **extra,
    )


def case_card(membership: Member, case: Case, *, back: str, **extra: Any) -> dict[str, Any]:
    """A case in a few lines with its action buttons, for another page (the conversation's
    side panel). Its forms post to the same endpoints as the case page, and come back to
    `back` (or swap the card in place over htmx)."""
    return context_for(
        membership,
        case=case,
        clock=stage_clock(case),
        acts=case_actions(membership, case),
        back=back,
        **extra,
    )


def _exchange_rows(membership: Member, case: Case) -> list[tuple[Any, list[Any], int]]:
    """Each line with the products it may be exchanged for and the one to preselect: what
    the customer asked for, else the same product again."""
    lines = list(case.lines.all())
    choices = replacement_choices(membership.merchant, [line.order_line for line in lines])
    rows = []
    for line in lines:
        offered = choices[line.order_line_id]
        wished = line.replacement_product
        if wished is not None and wished not in offered:
            offered = [*offered, wished]  # another category: still the customer's wish
        rows.append((line, offered, wished.pk if wished else line.order_line.product_id))
    return rows


@member_required
def case_detail(request: HttpRequest, membership: Member, case_id: int) -> HttpResponse:
    case = _case_or_404(membership, case_id)
    return render(request, "web/case_detail.html", _case_context(membership, case))


Step = Callable[[Actor, Case, HttpRequest], object]


def _run(request: HttpRequest, membership: Member, case_id: int, step: Step) -> HttpResponse:
    """Run one action. htmx gets the panel (or the card) back, with the message on a refusal
    and status 200 so htmx swaps it in; a plain form post gets a redirect (to `next` when a
    card on another page sent it, the message riding along), or the page with the status."""
    case = _case_or_404(membership, case_id)
    actor = actor_for_user(request.user)
    assert actor is not None  # member_required found the membership
    errors: list[str] = []
    status = 200
    try:
        step(actor, case, request)
    except DomainError as error:
        errors, status = messages_for(error), error.status
    case = _case_or_404(membership, case_id)
    back = _back(request)
    if request.headers.get("HX-Request"):
        response = _fragment(request, membership, case, errors, back)
        if errors:
            response["X-Problem-Status"] = str(status)
        return response
    if back:
        for message in errors:
            messages.error(request, message)
        return HttpResponseRedirect(back)
    if not errors:
        return HttpResponseRedirect(reverse("case_detail", args=[case_id]))
    context = _case_context(membership, case, errors=errors)
    return render(request, "web/case_detail.html", context, status=status)


def _back(request: HttpRequest) -> str:
    """The page a card was on (this site only), or "" for the case page's own forms."""
    back = request.POST.get("next", "")
    if back and url_has_allowed_host_and_scheme(back, allowed_hosts={request.get_host()}):
        return back
    return ""


def _fragment(
    request: HttpRequest, membership: Member, case: Case, errors: list[str], back: str
) -> HttpResponse:
    if request.POST.get("panel") == "card":
        context = case_card(membership, case, back=back, errors=errors)
        return render(request, "web/_case_card.html", context)
    context = _case_context(membership, case, errors=errors)
    return render(request, "web/_case_panel.html", context)


def _approve(actor: Actor, case: Case, request: HttpRequest) -> object:
    return actions.approve_case(actor=actor, case=case, note_text=request.POST.get("note", ""))


def _reject(actor: Actor, case: Case, request: HttpRequest) -> object:
    return actions.reject_case(actor=actor, case=case, reason=request.POST.get("reason", ""))


def _receive(actor: Actor, case: Case, request: HttpRequest) -> object:
    return inspection.receive_return(actor=actor, case=case, note_text=request.POST.get("note", ""))


def _start_inspection(actor: Actor, case: Case, request: HttpRequest) -> object:
    return inspection.start_inspection(actor=actor, case=case)


def _inspect(actor: Actor, case: Case, request: HttpRequest) -> object:
    """One result for every line: passed with everything received, or failed with the reason
    and the photo the action requires as evidence (stored in the same transaction)."""
    passed = request.POST.get("result") == "pass"
    reason = request.POST.get("reason", "")
    photo = request.FILES.get("photo")
    with transaction.atomic():
        photo_ids: tuple[int, ...] = ()
        if not passed and photo is not None:
            stored = attachments.add_attachment(
                actor=actor, case=case, file=photo, name=photo.name or "photo", size=photo.size or 0
            )
            photo_ids = (stored.pk,)
        results = [
            inspection.LineResult(
                case_line_id=line.pk,
                received_quantity=line.quantity,
                condition=line.stated_condition,
                passed=passed,
                reason=reason,
                photo_ids=photo_ids,
            )
            for line in case.lines.all()
        ]
        return inspection.record_inspection(actor=actor, case=case, results=results)


def _exchange(actor: Actor, case: Case, request: HttpRequest) -> object:
    """Every line goes out as the product chosen for it, in the quantity returned."""
    items = []
    for line in case.lines.all():
        raw = request.POST.get(f"product_{line.pk}", "").strip()
        product_id = int(raw) if raw.isdigit() else 0  # 0 names no product: the action says so
        items.append(exchange.ExchangeRequest(line.pk, product_id, line.quantity))
    return exchange.start_exchange(actor=actor, case=case, items=items)


def _complete_exchange(actor: Actor, case: Case, request: HttpRequest) -> object:
    external_id = request.POST.get("external_order_id", "").strip()[:64]
    return exchange.complete_exchange(actor=actor, case=case, external_order_id=external_id)


@require_POST
@member_required
def send_replacement(request: HttpRequest, membership: Member, case_id: int) -> HttpResponse:
    return _run(request, membership, case_id, _exchange)


@require_POST
@member_required
def replacement_shipped(request: HttpRequest, membership: Member, case_id: int) -> HttpResponse:
    return _run(request, membership, case_id, _complete_exchange)


@require_POST
@member_required
def approve(request: HttpRequest, membership: Member, case_id: int) -> HttpResponse:
    return _run(request, membership, case_id, _approve)


@require_POST
@member_required
def reject(request: HttpRequest, membership: Member, case_id: int) -> HttpResponse:
    return _run(request, membership, case_id, _reject)


@require_POST
@member_required
def receive(request: HttpRequest, membership: Member, case_id: int) -> HttpResponse:
    return _run(request, membership, case_id, _receive)


@require_POST
@member_required
def start_inspection(request: HttpRequest, membership: Member, case_id: int) -> HttpResponse:
    return _run(request, membership, case_id, _start_inspection)


@require_POST
@member_required
def inspect(request: HttpRequest, membership: Member, case_id: int) -> HttpResponse:
    return _run(request, membership, case_id, _inspect)
