"""Console pages of refunds (htmx, one endpoint per action) and the webhook callback."""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal, InvalidOperation
from typing import Any

from django.http import HttpRequest, HttpResponse, HttpResponseRedirect, JsonResponse
from django.shortcuts import render
from django.urls import reverse
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET, require_POST

from aftercare.core.actors import Actor
from aftercare.core.api import problem
from aftercare.core.errors import DomainError, NotFound, ValidationFailed
from aftercare.core.inbox import SIGNATURE_HEADER
from aftercare.merchants.models import Member
from aftercare.merchants.queries import actor_for_user
from aftercare.refunds import actions, execution, queries
from aftercare.refunds.callbacks import receive_callback
from aftercare.refunds.models import GrantKind
from aftercare.web.access import context_for, member_required
from aftercare.web.problems import messages_for

QUEUE_SIZE = 50


def _actor(request: HttpRequest) -> Actor:
    actor = actor_for_user(request.user)
    assert actor is not None  # member_required found the membership
    return actor


def _readable(request: HttpRequest) -> Actor:
    actor = _actor(request)
    actions.require(actor, "refunds.read")
    return actor


def _denied(request: HttpRequest, membership: Member, error: DomainError) -> HttpResponse:
    context = context_for(membership, section="refunds", errors=messages_for(error))
    return render(request, "refunds/denied.html", context, status=error.status)


@require_GET
@member_required
def index(request: HttpRequest, membership: Member) -> HttpResponse:
    """The queues: supervisor and finance approvals, failures, manual payments; then recent."""
    try:
        _readable(request)
    except DomainError as error:
        return _denied(request, membership, error)
    merchant_id = membership.merchant_id
    context = context_for(
        membership,
        section="refunds",
        queues=[
            ("supervisor", queries.approval_queue(merchant_id, stage="supervisor")[:QUEUE_SIZE]),
            ("finance", queries.approval_queue(merchant_id, stage="finance")[:QUEUE_SIZE]),
            ("failed", queries.failed_queue(merchant_id)[:QUEUE_SIZE]),
            ("manual", queries.manual_queue(merchant_id)[:QUEUE_SIZE]),
        ],
        recent=queries.grants(merchant_id)[:QUEUE_SIZE],
    )
    return render(request, "refunds/index.html", context)


def _grant_context(membership: Member, grant_id: int, **extra: Any) -> dict[str, Any]:
    grant = queries.grants(membership.merchant_id).filter(pk=grant_id).first()
    if grant is None:
        raise NotFound("No grant matches.")
    return context_for(
        membership,
        section="refunds",
        grant=grant,
        execution=getattr(grant, "execution", None),
        lines=grant.lines.select_related("order_line"),
        ledger=queries.ledger_of(membership.merchant_id, grant_id=grant.pk),
        refunded=queries.refunded_total(grant_id=grant.pk),
        **extra,
    )


@require_GET
@member_required
def grant_detail(request: HttpRequest, membership: Member, grant_id: int) -> HttpResponse:
    try:
        _readable(request)
        context = _grant_context(membership, grant_id)
    except DomainError as error:
        return _denied(request, membership, error)
    return render(request, "refunds/grant_detail.html", context)


Step = Callable[[Actor, int, HttpRequest], object]


def _run(request: HttpRequest, membership: Member, grant_id: int, step: Step) -> HttpResponse:
    """Run one action; success redirects to the grant, a refusal shows it with the message."""
    try:
        step(_actor(request), grant_id, request)
    except DomainError as error:
        try:
            context = _grant_context(membership, grant_id, errors=messages_for(error))
        except NotFound as missing:
            return _denied(request, membership, missing)
        return render(request, "refunds/grant_detail.html", context, status=error.status)
    return HttpResponseRedirect(reverse("refunds_grant", args=[grant_id]))


def _action(step: Step) -> Callable[..., HttpResponse]:
    @require_POST
    @member_required
    def view(request: HttpRequest, membership: Member, grant_id: int) -> HttpResponse:
        return _run(request, membership, grant_id, step)

    return view


approve = _action(lambda actor, pk, request: actions.approve_grant(actor=actor, grant_id=pk))
cancel = _action(
    lambda actor, pk, request: actions.cancel_grant(
        actor=actor, grant_id=pk, reason=request.POST.get("reason", "")
    )
)
execute = _action(lambda actor, pk, request: execution.execute_grant(actor=actor, grant_id=pk))
retry = _action(lambda actor, pk, request: execution.retry_execution(actor=actor, grant_id=pk))
mark_paid = _action(
    lambda actor, pk, request: execution.mark_paid(
        actor=actor, grant_id=pk, reference=request.POST.get("reference", "")
    )
)


# --- The refunds panel of the console case page ------------------------------------------------


def _case_panel_context(membership: Member, case_id: int, **extra: Any) -> dict[str, Any]:
    from aftercare.returns.models import Case

    case = Case.objects.filter(pk=case_id, merchant_id=membership.merchant_id).first()
    if case is None:
        raise NotFound("No case matches.")
    return context_for(
        membership,
        section="refunds",
        case=case,
        grants=queries.grants(membership.merchant_id).filter(case_id=case.pk),
        refunded=queries.refunded_total(case_id=case.pk),
        kinds=GrantKind.choices,
        **extra,
    )


@require_GET
@member_required
def case_panel(request: HttpRequest, membership: Member, case_id: int) -> HttpResponse:
    try:
        _readable(request)
        context = _case_panel_context(membership, case_id)
    except DomainError:
        return HttpResponse("")  # the case page shows nothing of refunds to whoever may not read
    return render(request, "refunds/_case_refunds.html", context)


@require_POST
@member_required
def case_grant(request: HttpRequest, membership: Member, case_id: int) -> HttpResponse:
    """Grant compensation on a case from its page: the same action and limits as the API."""
    errors: list[str] = []
    status = 200
    try:
        context = _case_panel_context(membership, case_id)
        actions.grant_refund(
            actor=_actor(request),
            order_id=context["case"].order_id,
            case_id=case_id,
            kind=request.POST.get("kind", ""),
            amount=_amount(request.POST.get("amount", "")),
            reason=request.POST.get("reason", ""),
            coupon_code=request.POST.get("coupon_code", ""),
            part_description=request.POST.get("part_description", ""),
        )
    except DomainError as error:
        errors, status = messages_for(error), error.status
        if error.status == 404:
            return HttpResponse("", status=404)
    context = _case_panel_context(membership, case_id, errors=errors)
    response = render(request, "refunds/_case_refunds.html", context)
    if errors:
        response["X-Problem-Status"] = str(status)
    return response


def _amount(text: str) -> Decimal:
    try:
        return Decimal(text.strip() or "0").quantize(Decimal("0.01"))
    except InvalidOperation:
        raise ValidationFailed(
            "The amount is not a number.",
            errors=[{"loc": ["amount"], "msg": "not a number", "type": "invalid"}],
        ) from None


# --- The merchant's callback (no session: signed) ---------------------------------------------


@csrf_exempt
@require_POST
def callback(request: HttpRequest, merchant_id: int) -> HttpResponse:
    try:
        body = receive_callback(
            merchant_id=merchant_id,
            body=request.body,
            signature=request.headers.get(SIGNATURE_HEADER),
        )
    except DomainError as error:
        answer = problem(
            status=error.status, code=error.code, title=error.title, detail=error.detail
        )
        response = JsonResponse(answer, status=error.status)
        response["Content-Type"] = "application/problem+json"
        return response
    return JsonResponse(body)
