"""What the bot says about cases, orders and returns: plain sentences from the rows, in the
language active for the turn (bot.py wraps each turn in `translation.override`).

Reads only. Dates are the merchant's local dates; money is the case's amount and currency.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

from django.urls import reverse
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from aftercare.assistant.models import FaqEntry
from aftercare.commerce.models import Order, OrderStatus
from aftercare.core.errors import DomainError
from aftercare.merchants.models import Merchant
from aftercare.merchants.queries import scoped
from aftercare.policies.domain import Outcome, RequestLine
from aftercare.policies.engine import evaluate
from aftercare.policies.facts import build_facts
from aftercare.policies.plan import plan_for
from aftercare.policies.queries import active_version
from aftercare.policies.wording import normalise_language, render_line
from aftercare.returns import queries
from aftercare.returns.models import Case
from aftercare.returns.states import TERMINAL_STATUSES, CaseStatus

S = CaseStatus
SIZE_GUIDE_KEY = "size-exchange-guide"  # a merchant's own FAQ entry wins over our text
# Which request the customer's intent asks for, for the eligibility check.
REQUEST_TYPE = {
    "exchange_request": "exchange",
    "repair_request": "repair",
    "refund_request": "return_refund",
    "return_request": "return_refund",
}
# Like the portal's preview: with no reason given, ask about the strictest common case.
PREVIEW_REASON = "changed_mind"


def local_date(merchant: Merchant, when: datetime | None) -> str:
    if when is None:
        return ""
    day = when.astimezone(ZoneInfo(merchant.timezone or "UTC"))
    if (get_language() or "en").startswith("zh"):
        return f"{day.month}月{day.day}日"
    return f"{day.day} {day:%b}"


def amount(value: Decimal, currency: str) -> str:
    return f"{value:.2f} {currency}"


def portal_link(merchant: Merchant) -> str:
    """The portal's order page: it shows the order's requests and the request form, and
    sends a browser that has not verified the order yet to sign in first. (The portal reads
    no query parameters, so the link cannot carry the order, lines or reason.)"""
    return reverse("portal_order", args=[merchant.slug])


def _entered(case: Case) -> dict[str, datetime]:
    """status -> when the case last entered it, from its timeline."""
    out: dict[str, datetime] = {}
    for event in queries.timeline(case):
        if event.kind.startswith("status:"):
            out[event.kind.removeprefix("status:")] = event.created_at
    return out


def case_status_sentence(case: Case) -> str:
    """One or two sentences a customer understands, for the case's current status."""
    merchant, status = case.merchant, case.status
    when = _entered(case).get(status) or case.updated_at
    values = {
        "number": case.number or str(case.pk),
        "date": local_date(merchant, when),
        "amount": amount(case.refund_total, case.currency),
        "review_due": local_date(merchant, case.review_due_at),
        "ship_due": local_date(merchant, case.customer_ship_due_at),
        "inspection_due": local_date(merchant, case.inspection_due_at),
        "refund_due": local_date(merchant, case.refund_due_at),
        "tracking": case.return_tracking_number,
    }
    template = _template(status, values)
    return template % values


def _template(status: str, values: dict[str, str]) -> str:
    if status in (S.SUBMITTED, S.UNDER_REVIEW):
        if values["review_due"]:
            return _(
                "We have your request %(number)s and are reviewing it; you will hear from us "
                "by %(review_due)s."
            )
        return _("We have your request %(number)s and are reviewing it.")
    if status == S.AWAITING_RETURN_SHIPMENT:
        if values["ship_due"]:
            return _(
                "Your request %(number)s is approved. Please send the item back by "
                "%(ship_due)s; the return address is on your request page."
            )
        return _(
            "Your request %(number)s is approved. Please send the item back; the return "
            "address is on your request page."
        )
    if status == S.IN_TRANSIT:
        return _("Your return parcel for %(number)s is on its way to us (tracking %(tracking)s).")
    if status in (S.RECEIVED, S.INSPECTING):
        if values["inspection_due"]:
            return _(
                "We received your parcel for %(number)s on %(date)s and will finish checking "
                "it by %(inspection_due)s."
            )
        return _("We received your parcel for %(number)s on %(date)s and are checking it now.")
    if status == S.REFUND_PROCESSING:
        if values["refund_due"]:
            return _(
                "Your refund of %(amount)s for %(number)s is on its way; it will be sent by "
                "%(refund_due)s at the latest."
            )
        return _("Your refund of %(amount)s for %(number)s is being processed.")
    return _simple_template(status)


def _simple_template(status: str) -> str:
    table = {
        S.APPROVED: _("Your request %(number)s was approved on %(date)s."),
        S.INSPECTION_PASSED: _("Your items for %(number)s passed our check on %(date)s."),
        S.INSPECTION_FAILED: _(
            "Our check of the items for %(number)s found a problem on %(date)s. You can see "
            "why and appeal on your request page."
        ),
        S.REJECTED: _(
            "We could not approve request %(number)s (%(date)s). You can see why and appeal "
            "on your request page."
        ),
        S.REFUNDED: _("Your refund of %(amount)s for %(number)s was sent on %(date)s."),
        S.EXCHANGE_PROCESSING: _("We are preparing the replacement for %(number)s."),
        S.EXCHANGED: _("The replacement for %(number)s was sent on %(date)s."),
        S.REPAIRING: _("Your item for %(number)s is being repaired."),
        S.REPAIRED: _("Your item for %(number)s was repaired on %(date)s."),
        S.DISPUTED: _(
            "Your appeal on %(number)s is with a supervisor; we will let you know the outcome."
        ),
        S.RESOLVED_BY_NEGOTIATION: _(
            "Request %(number)s was settled as agreed with you on %(date)s."
        ),
        S.CANCELLED: _("Request %(number)s was cancelled on %(date)s."),
        S.CLOSED: _("Request %(number)s is complete (closed on %(date)s)."),
    }
    return table.get(S(status), _("Request %(number)s is being handled."))


def cases_to_report(
    merchant: Merchant, *, order: Order | None, customer_id: int | None
) -> list[Case]:
    """The order's cases, or the customer's: open ones first, at most three."""
    if order is not None:
        cases = list(queries.cases_of(merchant, order_id=order.pk)[:10])
    elif customer_id is not None:
        cases = list(queries.cases_of(merchant, customer_id=customer_id)[:10])
    else:
        return []
    cases.sort(key=lambda c: c.status in TERMINAL_STATUSES)  # stable: newest first within
    return cases[:3]


def order_status_sentence(order: Order) -> str:
    merchant = order.merchant
    shipment = order.shipments.order_by("-pk").first()
    values = {"number": order.external_id, "tracking": "", "date": ""}
    if order.status == OrderStatus.DELIVERED:
        values["date"] = local_date(merchant, getattr(shipment, "delivered_at", None))
        if values["date"]:
            return _("Order %(number)s was delivered on %(date)s.") % values
        return _("Order %(number)s has been delivered.") % values
    if shipment is not None and shipment.tracking_number:
        values["tracking"] = shipment.tracking_number
        values["date"] = local_date(merchant, shipment.shipped_at)
        return (
            _("Order %(number)s was sent on %(date)s; the tracking number is %(tracking)s.")
            % values
        )
    if order.status == OrderStatus.CANCELLED:
        return _("Order %(number)s was cancelled.") % values
    return (
        _(
            "Order %(number)s has not been sent yet; we will send you the tracking number as "
            "soon as it leaves our warehouse."
        )
        % values
    )


@dataclass(frozen=True)
class Eligibility:
    eligible: list[str]  # "2 x Kettle: <policy sentence>"
    refused: list[str]
    no_policy: bool = False


def eligibility(merchant: Merchant, order: Order, *, intent: str, reason: str) -> Eligibility:
    """What the active policy says about asking for the whole order back today, line by
    line, with the customer's reason when the classifier found one (the same facts, engine
    and wording as the portal and create_case)."""
    version = active_version(merchant)
    if version is None:
        return Eligibility([], [], no_policy=True)
    lines = list(order.lines.order_by("line_no"))
    history = queries.order_history(order.pk)
    left = {line.pk: line.quantity - history.returned_quantity.get(line.pk, 0) for line in lines}
    wanted = [
        RequestLine(line_id=line.pk, quantity=left[line.pk], stated_condition="unopened")
        for line in lines
        if left[line.pk] > 0
    ]
    if not wanted:
        return Eligibility([], [_("Everything on this order is already in a request.")])
    try:
        facts = build_facts(
            merchant=merchant,
            order_id=order.pk,
            lines=wanted,
            request_type=REQUEST_TYPE.get(intent, "return_refund"),
            reason=reason if reason and reason != "other" else PREVIEW_REASON,
            history=history,
        )
    except DomainError:
        return Eligibility([], [], no_policy=True)
    decision = evaluate(plan_for(version.pk, version.stamp, version.spec), facts)
    names = {line.pk: line.name for line in lines}
    language = normalise_language(get_language())
    ok: list[str] = []
    refused: list[str] = []
    for decided in decision.lines:
        sentence = f"{names.get(decided.line_id, '')}: {render_line(decided, decision, language)}"
        (refused if decided.outcome == Outcome.NOT_ELIGIBLE else ok).append(sentence)
    return Eligibility(ok, refused)


def size_guide(merchant: Merchant, language: str) -> str:
    """The merchant's own size-exchange FAQ answer if it has one, else our default text."""
    entry = scoped(FaqEntry, merchant).filter(key=SIZE_GUIDE_KEY, is_active=True).first()
    if entry is not None:
        answers = entry.answers or {}
        text = answers.get(language) or answers.get("en")
        if text:
            return str(text)
    return _(
        "About sizes: if it does not fit, you can exchange it for another size as long as it "
        "is unworn with the tags on. Tell us the size you usually wear and your height and "
        "weight, and we will help you pick the right one."
    )
