"""The customer portal: find an order, see what may be returned, ask, and follow the case.

Every change goes through the returns actions with the customer as the actor; these views
only read, check that the case belongs to the order verified in this session, and turn
domain errors into messages on the form (the action changed nothing when it raised).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.core.files.uploadedfile import UploadedFile
from django.db.models import Count, Max
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect, JsonResponse
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from aftercare.commerce.models import Order
from aftercare.conversations import chat
from aftercare.core.actors import Actor
from aftercare.core.errors import DomainError
from aftercare.merchants.models import Merchant
from aftercare.merchants.queries import scoped
from aftercare.refunds import retention
from aftercare.returns import actions, attachments, disputes, inspection, queries
from aftercare.returns.models import Case, ItemCondition
from aftercare.returns.moves import CUSTOMER_ROLE
from aftercare.returns.states import CANCELLABLE_STATUSES, CaseStatus, CaseType, ReasonCode
from aftercare.web import portal_access
from aftercare.web.case_display import (
    explanation,
    line_explanations,
    order_eligibility,
    replacement_choices,
    timeline_entries,
)
from aftercare.web.problems import messages_for

APPEALABLE = (CaseStatus.REJECTED, CaseStatus.INSPECTION_FAILED)
MAX_PHOTOS = 5


def _merchant(slug: str) -> Merchant:
    return get_object_or_404(Merchant, slug=slug)


def _customer_actor(merchant: Merchant, order: Order) -> Actor:
    return Actor(
        merchant=merchant, label=f"customer:{order.customer.external_id}", role=CUSTOMER_ROLE
    )


def _verified_order(request: HttpRequest, merchant: Merchant) -> Order | None:
    order_id = portal_access.granted_order_id(request, merchant)
    if order_id is None:
        return None
    return scoped(Order, merchant).select_related("customer", "store").filter(pk=order_id).first()


def _chat_token(merchant: Merchant, order: Order) -> str:
    """The web chat of the customer this session verified: their conversation is linked to
    them, and the desk knows who writes without asking."""
    return chat.issue_token(merchant, customer=order.customer)


def _lookup_url(merchant: Merchant) -> str:
    return reverse("portal_lookup", args=[merchant.slug])


def _case_url(merchant: Merchant, case: Case) -> str:
    return reverse("portal_case", args=[merchant.slug, case.pk])


@require_http_methods(["GET", "POST"])
def lookup(request: HttpRequest, merchant_slug: str) -> HttpResponse:
    merchant = _merchant(merchant_slug)
    context: dict[str, Any] = {"merchant": merchant, "order_number": "", "contact": ""}
    if request.method == "GET":
        return render(request, "portal/lookup.html", context)
    number = portal_access.clean_number(request.POST.get("order_number", ""))
    contact = request.POST.get("contact", "")[:200]
    context.update(order_number=number, contact=contact)
    if not portal_access.take_attempt(merchant, portal_access.client_ip(request), number):
        context["error"] = _("Too many attempts. Please wait ten minutes and try again.")
        return render(request, "portal/lookup.html", context, status=429)
    order = portal_access.find_order(merchant, number, contact)
    if order is None:
        context["error"] = _(
            "We could not find an order with that number and phone number or email. "
            "Please check both and try again."
        )
        return render(request, "portal/lookup.html", context, status=404)
    portal_access.grant(request, merchant, order)
    return HttpResponseRedirect(reverse("portal_order", args=[merchant.slug]))


def _order_context(merchant: Merchant, order: Order, **extra: Any) -> dict[str, Any]:
    eligibility = order_eligibility(merchant, order)
    cases = list(queries.cases_of(merchant, order_id=order.pk))
    open_lines = [item for item in eligibility or [] if item.available > 0]
    choices = replacement_choices(merchant, [item.line for item in open_lines])
    return {
        "merchant": merchant,
        "order": order,
        "eligibility": eligibility,
        "request_rows": [(item, choices[item.line.pk]) for item in open_lines],
        "can_request": bool(eligibility) and any(e.available > 0 for e in eligibility or []),
        "cases": cases,
        "types": CaseType.choices,
        "reasons": ReasonCode.choices,
        "conditions": ItemCondition.choices,
        "form": {},
        "chat_token": _chat_token(merchant, order),
        "live_stamp": cases_stamp(merchant, order),
        **extra,
    }


def cases_stamp(merchant: Merchant, order: Order) -> str:
    """What changes whenever one of the order's cases does (a new case, any status move, a
    tracking number): the pages render it, and the page script reloads when it moves."""
    found = (
        queries.cases_of(merchant, order_id=order.pk)
        .order_by()
        .aggregate(count=Count("pk"), last=Max("updated_at"))
    )
    last = found["last"].isoformat() if found["last"] else "-"
    return f"{found['count']}@{last}"


@require_GET
def live_state(request: HttpRequest, merchant_slug: str) -> HttpResponse:
    """The stamp of the verified order's cases, polled by portal_live.js; no session: 404."""
    merchant = _merchant(merchant_slug)
    order = _verified_order(request, merchant)
    if order is None:
        raise Http404("No order in this session.")
    response = JsonResponse({"stamp": cases_stamp(merchant, order)})
    response["Cache-Control"] = "no-store"
    return response


def order_page(request: HttpRequest, merchant_slug: str) -> HttpResponse:
    merchant = _merchant(merchant_slug)
    order = _verified_order(request, merchant)
    if order is None:
        return HttpResponseRedirect(_lookup_url(merchant))
    return render(request, "portal/order.html", _order_context(merchant, order))


@dataclass(frozen=True)
class _RequestForm:
    type: str
    reason: str
    description: str
    lines: list[actions.LineRequest]
    photos: list[UploadedFile]


def _read_request_form(request: HttpRequest, order: Order) -> _RequestForm:
    """Lines come as qty_<order line id> / condition_<order line id>; a blank or zero quantity
    means "not this line". Anything that is not a whole number counts as zero here and the
    action refuses an empty request with a message."""
    lines = []
    exchange = request.POST.get("type") == CaseType.EXCHANGE
    for line in order.lines.all():
        raw = request.POST.get(f"qty_{line.pk}", "").strip()
        quantity = int(raw) if raw.isdigit() else 0
        if quantity > 0:
            condition = request.POST.get(f"condition_{line.pk}", ItemCondition.UNOPENED)
            lines.append(
                actions.LineRequest(
                    order_line_id=line.pk,
                    quantity=quantity,
                    stated_condition=condition,
                    replacement_product_id=_replacement(request, line.pk) if exchange else None,
                )
            )
    return _RequestForm(
        type=request.POST.get("type", ""),
        reason=request.POST.get("reason", ""),
        description=request.POST.get("description", ""),
        lines=lines,
        photos=request.FILES.getlist("photos")[:MAX_PHOTOS],
    )


def _replacement(request: HttpRequest, line_id: int) -> int | None:
    # Not a number: no wish (the action checks that a number names one of the merchant's).
    raw = request.POST.get(f"replacement_{line_id}", "").strip()
    return int(raw) if raw.isdigit() else None


def _open_case(actor: Actor, order: Order, form: _RequestForm) -> Case:
    return attachments.create_case_with_files(
        actor=actor,
        files=[(photo, photo.name or "photo", photo.size or 0) for photo in form.photos],
        order_id=order.pk,
        lines=form.lines,
        type=form.type,
        reason=form.reason,
        description=form.description,
    )


@require_POST
def start_case(request: HttpRequest, merchant_slug: str) -> HttpResponse:
    merchant = _merchant(merchant_slug)
    order = _verified_order(request, merchant)
    if order is None:
        return HttpResponseRedirect(_lookup_url(merchant))
    form = _read_request_form(request, order)
    if not form.lines:
        errors = [_("Choose at least one item and how many.")]
        context = _order_context(merchant, order, errors=errors, form=request.POST)
        return render(request, "portal/order.html", context, status=422)
    answer = request.POST.get("retention", "")
    if not answer or answer.startswith("accept:"):
        offered = _retention_step(request, merchant, order, form, answer)
        if offered is not None:
            return offered
    try:
        case = _open_case(_customer_actor(merchant, order), order, form)
    except DomainError as error:
        context = _order_context(merchant, order, errors=messages_for(error), form=request.POST)
        return render(request, "portal/order.html", context, status=error.status)
    _record_retention_answer(request, order, case, form)
    return HttpResponseRedirect(_case_url(merchant, case))


def _retention_step(
    request: HttpRequest, merchant: Merchant, order: Order, form: _RequestForm, answer: str
) -> HttpResponse | None:
    """R6: show the merchant's offers before a customer-side refund is sent, or take one."""
    chosen = [(line.order_line_id, line.quantity) for line in form.lines]
    if not answer:
        shown = retention.offers_for(
            order, request_type=form.type, reason=form.reason, chosen=chosen
        )
        if not shown:
            return None
        posted = [
            (key, value)
            for key, value in request.POST.items()
            if key not in ("csrfmiddlewaretoken", "retention")
        ]
        context = {"merchant": merchant, "order": order, "shown": shown, "posted": posted}
        return render(request, "portal/retention.html", context)
    offer_id = answer.removeprefix("accept:")
    try:
        response = retention.accept(
            actor=_customer_actor(merchant, order),
            order=order,
            offer_id=int(offer_id) if offer_id.isdigit() else 0,
            reason=form.reason,
            chosen=chosen,
            request_type=form.type,
        )
    except DomainError as error:
        context = _order_context(merchant, order, errors=messages_for(error), form=request.POST)
        return render(request, "portal/order.html", context, status=error.status)
    if response.offer.kind == "exchange":
        form_data = {**request.POST.dict(), "type": CaseType.EXCHANGE}
        notice = [_("Choose what you would like instead, then send the request.")]
        context = _order_context(merchant, order, errors=notice, form=form_data)
        return render(request, "portal/order.html", context)
    context = {"merchant": merchant, "order": order, "response": response}
    return render(request, "portal/retention_done.html", context)


def _record_retention_answer(
    request: HttpRequest, order: Order, case: Case, form: _RequestForm
) -> None:
    if request.POST.get("retention") == "declined":
        offer_ids = [int(x) for x in request.POST.getlist("offer") if x.isdigit()]
        retention.record_refusal(
            order=order, case_id=case.pk, offer_ids=offer_ids, reason=form.reason
        )
    if form.type == CaseType.EXCHANGE:
        retention.link_exchange(order=order, case_id=case.pk)


def _owned_case(request: HttpRequest, merchant: Merchant, case_id: int) -> tuple[Order, Case]:
    """The case, if it belongs to the order verified in this session; otherwise 404 (the same
    answer whether the case exists or not)."""
    order = _verified_order(request, merchant)
    if order is None:
        raise Http404("No such case.")
    try:
        case = queries.get_case(merchant, case_id)
    except DomainError:
        raise Http404("No such case.") from None
    if case.order_id != order.pk:
        raise Http404("No such case.")
    return order, case


def _case_context(merchant: Merchant, order: Order, case: Case, **extra: Any) -> dict[str, Any]:
    sentences = line_explanations(case)
    return {
        "merchant": merchant,
        "order": order,
        "case": case,
        "timeline": timeline_entries(case, for_customer=True),
        "explanation": explanation(case),
        "case_lines": [(line, sentences.get(line.order_line_id, "")) for line in case.lines.all()],
        "can_ship": case.status == CaseStatus.AWAITING_RETURN_SHIPMENT,
        "can_cancel": case.status in CANCELLABLE_STATUSES,
        "can_appeal": case.status in APPEALABLE,
        "now": timezone.now(),
        "chat_token": _chat_token(merchant, order),
        "live_stamp": cases_stamp(merchant, order),
        **extra,
    }


def case_page(request: HttpRequest, merchant_slug: str, case_id: int) -> HttpResponse:
    merchant = _merchant(merchant_slug)
    order, case = _owned_case(request, merchant, case_id)
    return render(request, "portal/case.html", _case_context(merchant, order, case))


def _case_step(request: HttpRequest, merchant_slug: str, case_id: int, step: str) -> HttpResponse:
    """One customer step on the case; on a refusal the page comes back with the message."""
    merchant = _merchant(merchant_slug)
    order, case = _owned_case(request, merchant, case_id)
    actor = _customer_actor(merchant, order)
    try:
        if step == "ship":
            inspection.mark_shipped(
                actor=actor,
                case=case,
                tracking_number=request.POST.get("tracking_number", ""),
                carrier=request.POST.get("carrier", ""),
            )
        elif step == "cancel":
            actions.cancel_case(
                actor=actor, case=case, reason="cancelled by the customer in the portal"
            )
        else:
            disputes.appeal(actor=actor, case=case, reason=request.POST.get("reason", ""))
    except DomainError as error:
        case = queries.get_case(merchant, case.pk)
        context = _case_context(merchant, order, case, errors=messages_for(error))
        return render(request, "portal/case.html", context, status=error.status)
    return HttpResponseRedirect(_case_url(merchant, case))


@require_POST
def ship(request: HttpRequest, merchant_slug: str, case_id: int) -> HttpResponse:
    return _case_step(request, merchant_slug, case_id, "ship")


@require_POST
def cancel(request: HttpRequest, merchant_slug: str, case_id: int) -> HttpResponse:
    return _case_step(request, merchant_slug, case_id, "cancel")


@require_POST
def appeal(request: HttpRequest, merchant_slug: str, case_id: int) -> HttpResponse:
    return _case_step(request, merchant_slug, case_id, "appeal")
