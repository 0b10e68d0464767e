"""What the portal and the console show of cases: eligibility in plain words, the timeline,
the policy's explanation in the reader's language. Reads only; nothing here writes."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.utils.translation import get_language
from django.utils.translation import gettext as _

from aftercare.commerce.models import Order, OrderLine, Product
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
from aftercare.returns.states import CaseStatus

# The eligibility preview asks the policy about a plain return with no fault claimed: the
# strictest common case. A fault reason (defect, wrong item) can only widen what is allowed,
# and the real request is judged again with the reason the customer picks.
PREVIEW_TYPE = "return_refund"
PREVIEW_REASON = "changed_mind"


def wording_language() -> str:
    """The policy wording's language for whoever reads the page now."""
    return normalise_language(get_language())


@dataclass(frozen=True)
class LineEligibility:
    line: OrderLine
    available: int
    outcome: str  # eligible | needs_review | not_eligible | none_left
    sentence: str


def order_eligibility(merchant: Merchant, order: Order) -> list[LineEligibility] | None:
    """Each line's eligibility as the active policy would judge a return today (None: the
    merchant has no active policy). The same facts, engine and wording as the evaluate API
    and create_case, so the preview and the decision cannot drift apart."""
    version = active_version(merchant)
    if version is None:
        return None
    lines = list(order.lines.select_related("product").order_by("line_no"))
    history = queries.order_history(order.pk)
    available = {
        line.pk: line.quantity - history.returned_quantity.get(line.pk, 0) for line in lines
    }
    wanted = [
        RequestLine(line_id=line.pk, quantity=available[line.pk], stated_condition="unopened")
        for line in lines
        if available[line.pk] > 0
    ]
    sentences: dict[int, tuple[str, str]] = {}
    if wanted:
        try:
            facts = build_facts(
                merchant=merchant,
                order_id=order.pk,
                lines=wanted,
                request_type=PREVIEW_TYPE,
                reason=PREVIEW_REASON,
                history=history,
            )
        except DomainError:
            return None
        decision = evaluate(plan_for(version.pk, version.stamp, version.spec), facts)
        language = wording_language()
        for decided in decision.lines:
            sentences[decided.line_id] = (
                str(decided.outcome),
                render_line(decided, decision, language),
            )
    result = []
    for line in lines:
        outcome, sentence = sentences.get(
            line.pk, ("none_left", _("Everything on this line is already in a request."))
        )
        result.append(LineEligibility(line, available[line.pk], outcome, sentence))
    return result


ELIGIBLE = str(Outcome.ELIGIBLE)


@dataclass(frozen=True)
class TimelineEntry:
    at: datetime
    title: str
    detail: str
    actor: str


# Status moves whose reason the customer should read (why it was refused or stopped).
_REASON_SHOWN = {
    CaseStatus.REJECTED,
    CaseStatus.INSPECTION_FAILED,
    CaseStatus.CANCELLED,
    CaseStatus.DISPUTED,
}


def _title(kind: str, data: dict[str, Any]) -> str:
    if kind.startswith("status:"):
        status = kind.removeprefix("status:")
        return str(CaseStatus(status).label) if status in CaseStatus.values else status
    return {
        "case:created": _("Request submitted"),
        "attachment_added": _("File added"),
        "info_requested": _("More information requested"),
    }.get(kind, kind)


def timeline_entries(case: Case, *, for_customer: bool) -> list[TimelineEntry]:
    """The case's audit rows as titled entries. Customers see who only as "you" or the shop,
    and reasons only where they explain a refusal; agents see everything."""
    entries = []
    for event in queries.timeline(case):
        status = event.kind.removeprefix("status:") if event.kind.startswith("status:") else ""
        if for_customer:
            actor = _("You") if event.actor_label.startswith("customer:") else case.merchant.name
            detail = event.reason if status in _REASON_SHOWN else ""
        else:
            actor, detail = event.actor_label, event.reason
        entries.append(
            TimelineEntry(event.created_at, _title(event.kind, event.data), detail, actor)
        )
    return entries


def explanation(case: Case) -> list[str]:
    """The policy's trace for the whole request, in the reader's language (the case keeps it
    in every language, so no re-evaluation is needed)."""
    sentences = case.decision.get("explanations", {}).get(wording_language())
    return list(sentences or [])


def line_explanations(case: Case) -> dict[int, str]:
    """order line id -> the policy's sentence for that line, in the reader's language."""
    language = wording_language()
    out: dict[int, str] = {}
    for line in case.decision.get("lines", []):
        line_id = line.get("line_id") or line.get("order_line_id")
        text = (line.get("explanations") or {}).get(language)
        if line_id is not None and text:
            out[int(line_id)] = text
    return out


# At most this many products offered as the replacement of one line: a page for a phone.
REPLACEMENT_CHOICES = 30


def replacement_choices(merchant: Merchant, lines: list[OrderLine]) -> dict[int, list[Product]]:
    """What a customer may ask for instead of each line in an exchange: products of the same
    category (sizes and colours of a style share it), the line's own product first ("the
    same again", for a faulty one). One query, whatever the number of lines."""
    categories = {line.product.category for line in lines}
    same_category: dict[str, list[Product]] = {}
    products = scoped(Product, merchant).filter(category__in=categories).order_by("name", "pk")
    for product in products[: REPLACEMENT_CHOICES * max(len(categories), 1) * 4]:
        same_category.setdefault(product.category, []).append(product)
    choices = {}
    for line in lines:
        others = [
            p for p in same_category.get(line.product.category, []) if p.pk != line.product_id
        ]
        choices[line.pk] = [line.product, *others][:REPLACEMENT_CHOICES]
    return choices
