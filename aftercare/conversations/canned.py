"""Canned replies (S6): prepared answers per language, with variables filled from the
conversation when an agent picks one.

A body names variables as {customer_name}. Only the names in VARIABLES are allowed, checked on
save (`validate_body`); filling is a plain substitution of those names with strings, so a body
can reach nothing else (no attribute lookups, no template tags). A variable the conversation
has no value for is left visible as [order_number] so the agent sees what to fill in by hand
before sending.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from django.utils import translation

from aftercare.commerce.models import Order, Shipment
from aftercare.conversations.models import CannedReply, Conversation
from aftercare.core.errors import ValidationFailed
from aftercare.merchants.models import Member
from aftercare.returns.models import Case
from aftercare.returns.states import TERMINAL_STATUSES

VARIABLES: dict[str, str] = {
    "customer_name": "The customer's name",
    "shop_name": "The merchant's name",
    "agent_name": "The agent's name",
    "order_number": "The order the conversation is about (or the customer's latest)",
    "tracking_number": "That order's latest tracking number",
    "carrier": "Its carrier",
    "case_number": "The open request the conversation is about, e.g. RMA-2026-000123",
    "case_status": "That request's status, in words",
    "refund_amount": "That request's refund, e.g. 99.00",
    "currency": "The merchant's currency code",
}
PLACEHOLDER = re.compile(r"\{([^{}]*)\}")
DJANGO_LANGUAGE = {"en": "en", "zh-Hans": "zh-hans", "zh-Hant": "zh-hant"}


@dataclass(frozen=True)
class Suggestion:
    key: str
    title: str
    language: str
    text: str


def validate_body(body: str) -> None:
    unknown = sorted({name for name in PLACEHOLDER.findall(body) if name not in VARIABLES})
    if unknown:
        raise ValidationFailed(
            "A canned reply may only use these variables: "
            + ", ".join("{" + name + "}" for name in VARIABLES)
            + ". Unknown: "
            + ", ".join("{" + name + "}" for name in unknown),
            errors=[{"loc": ["body"], "unknown": unknown}],
        )


def fill(body: str, values: dict[str, str]) -> str:
    def value(match: re.Match[str]) -> str:
        name = match.group(1)
        if name not in VARIABLES:
            return match.group(0)
        return values.get(name) or f"[{name}]"

    return PLACEHOLDER.sub(value, body)


def suggestions(conversation: Conversation, *, agent: Member | None) -> list[Suggestion]:
    """The merchant's canned replies in the conversation's language (else the merchant's),
    filled for this conversation; those for its intent first."""
    language = reply_language(conversation)
    rows = _rows_in(conversation.merchant_id, language, conversation.merchant.default_language)
    values = values_for(conversation, agent=agent, language=language)
    rows.sort(key=lambda row: (row.intent != conversation.intent or not row.intent, row.title))
    return [Suggestion(r.key, r.title, r.language, fill(r.body, values)) for r in rows]


def reply_language(conversation: Conversation) -> str:
    spoken = conversation.language
    return spoken if spoken in DJANGO_LANGUAGE else conversation.merchant.default_language


def _rows_in(merchant_id: int, language: str, fallback: str) -> list[CannedReply]:
    """One row per key: in `language` when written in it, else in `fallback`."""
    rows = CannedReply.objects.filter(merchant_id=merchant_id, language__in={language, fallback})
    chosen: dict[str, CannedReply] = {}
    for row in rows:
        if row.key not in chosen or row.language == language:
            chosen[row.key] = row
    return list(chosen.values())


def values_for(
    conversation: Conversation, *, agent: Member | None, language: str
) -> dict[str, str]:
    merchant = conversation.merchant
    customer = conversation.customer
    case = _case_of(conversation)
    order = _order_of(conversation, case)
    values = {
        "customer_name": customer.name if customer else conversation.contact_name,
        "shop_name": merchant.name,
        "agent_name": (agent.display_name or agent.user.get_username()) if agent else "",
        "currency": merchant.currency,
        "order_number": order.external_id if order else "",
    }
    values.update(_shipment_values(order))
    if case is not None:
        with translation.override(DJANGO_LANGUAGE.get(language, "en")):
            status = str(case.get_status_display())
        values.update(
            case_number=case.number or "",
            case_status=status,
            refund_amount=f"{case.refund_total:.2f}" if case.refund_total else "",
        )
    return values


def _order_of(conversation: Conversation, case: Case | None) -> Order | None:
    linked = conversation.links.filter(order__isnull=False).order_by("-pk").first()
    if linked is not None:
        return linked.order
    if case is not None:
        return case.order
    if conversation.customer_id is None:
        return None
    return (
        Order.objects.filter(merchant_id=conversation.merchant_id, customer=conversation.customer)
        .order_by("-placed_at", "-pk")
        .first()
    )


def _case_of(conversation: Conversation) -> Case | None:
    linked = (
        conversation.links.filter(case__isnull=False)
        .exclude(case__status__in=TERMINAL_STATUSES)
        .order_by("-pk")
        .first()
    )
    if linked is not None:
        return linked.case
    if conversation.customer_id is None:
        return None
    return (
        Case.objects.filter(merchant_id=conversation.merchant_id, customer=conversation.customer)
        .exclude(status__in=TERMINAL_STATUSES)
        .order_by("-pk")
        .first()
    )


def _shipment_values(order: Order | None) -> dict[str, Any]:
    if order is None:
        return {}
    shipment = Shipment.objects.filter(order=order).order_by("-shipped_at", "-pk").first()
    if shipment is None:
        return {}
    return {"tracking_number": shipment.tracking_number, "carrier": shipment.carrier.upper()}
