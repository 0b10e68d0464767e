"""Retention offers (R6): before a customer-side refund is submitted, the portal offers the
merchant's alternatives (keep the item with a partial refund, exchange instead, a coupon).
The answer is recorded; acceptance rates come from queries.retention_acceptance().

Offers match by reason (empty list: every customer-side reason), product category (blank:
any) and the value of the chosen items (min/max). Accepting a coupon or a partial refund grants
it at once on the order (the merchant configured the offer, so it needs no approval; the
paid-amount caps still apply); accepting an exchange sends the customer back to the form.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal

from django.db import IntegrityError, transaction

from aftercare.commerce.models import Order, OrderLine
from aftercare.core.actors import Actor
from aftercare.core.errors import Conflict, NotFound
from aftercare.policies.spec import MERCHANT_FAULT_REASONS
from aftercare.refunds import queries
from aftercare.refunds.actions import _grant
from aftercare.refunds.models import (
    GrantKind,
    GrantSource,
    OfferKind,
    RetentionOffer,
    RetentionResponse,
)

CENT = Decimal("0.01")
REFUND_TYPES = frozenset({"return_refund", "refund_only"})


@dataclass(frozen=True)
class Shown:
    offer: RetentionOffer
    value: Decimal  # the partial refund or coupon amount; 0 for an exchange


def is_customer_side(reason: str) -> bool:
    return reason not in {str(r) for r in MERCHANT_FAULT_REASONS}


def items_value(order: Order, chosen: Sequence[tuple[int, int]]) -> Decimal:
    """What the chosen (order line id, quantity) pairs were paid."""
    paid = queries.line_paid(order)
    quantities = dict(OrderLine.objects.filter(order=order).values_list("pk", "quantity"))
    total = Decimal("0.00")
    for line_id, quantity in chosen:
        if line_id in paid and quantities.get(line_id):
            total += paid[line_id] * min(quantity, quantities[line_id]) / quantities[line_id]
    return total.quantize(CENT)


def offers_for(
    order: Order, *, request_type: str, reason: str, chosen: Sequence[tuple[int, int]]
) -> list[Shown]:
    if request_type not in REFUND_TYPES or not is_customer_side(reason) or not chosen:
        return []
    value = items_value(order, chosen)
    categories = set(
        OrderLine.objects.filter(order=order, pk__in=[line for line, _ in chosen]).values_list(
            "product__category", flat=True
        )
    )
    shown = []
    for offer in RetentionOffer.objects.filter(merchant_id=order.merchant_id, active=True):
        if offer.reasons and reason not in offer.reasons:
            continue
        if offer.category and offer.category not in categories:
            continue
        if value < offer.min_order_value or (
            offer.max_order_value is not None and value > offer.max_order_value
        ):
            continue
        amount = (value * offer.percent / 100).quantize(CENT)
        if offer.kind == OfferKind.EXCHANGE:
            amount = Decimal("0.00")
        elif amount <= 0:
            continue
        shown.append(Shown(offer=offer, value=amount))
    return shown


def accept(
    *,
    actor: Actor,
    order: Order,
    offer_id: int,
    reason: str,
    chosen: Sequence[tuple[int, int]],
    request_type: str = "return_refund",
) -> RetentionResponse:
    """The customer takes an offer. A coupon or a partial refund is granted now, once."""
    shown = {
        item.offer.pk: item
        for item in offers_for(order, request_type=request_type, reason=reason, chosen=chosen)
    }
    if offer_id not in shown:
        raise NotFound("That offer is not available for this request.")
    item = shown[offer_id]
    try:
        with transaction.atomic():
            grant = None
            if item.offer.kind != OfferKind.EXCHANGE:
                kind = (
                    GrantKind.COUPON
                    if item.offer.kind == OfferKind.COUPON
                    else GrantKind.PARTIAL_REFUND
                )
                grant = _grant(
                    actor=Actor.system(order.merchant, label=f"retention offer {offer_id}"),
                    order_id=order.pk,
                    kind=kind,
                    amount=item.value,
                    case_id=None,
                    lines=(),
                    shipping_amount=Decimal("0.00"),
                    reason=f"retention: {item.offer.kind}",
                    source=GrantSource.RETENTION,
                    coupon_code="",
                    part_description="",
                    breakdown={
                        "offer_id": offer_id,
                        "percent": str(item.offer.percent),
                        "customer": actor.label,
                    },
                )
            return RetentionResponse.objects.create(
                merchant_id=order.merchant_id,
                offer=item.offer,
                order=order,
                accepted=True,
                value=item.value,
                reason=reason,
                grant=grant,
            )
    except IntegrityError:
        raise Conflict("This offer was already accepted.", code="offer_already_accepted") from None


def record_refusal(*, order: Order, case_id: int, offer_ids: Sequence[int], reason: str) -> int:
    """The customer went on with the refund: each offer shown is recorded refused on the case."""
    offers = RetentionOffer.objects.filter(merchant_id=order.merchant_id, pk__in=offer_ids)
    rows = [
        RetentionResponse(
            merchant_id=order.merchant_id,
            offer=offer,
            order=order,
            case_id=case_id,
            accepted=False,
            reason=reason,
        )
        for offer in offers
    ]
    RetentionResponse.objects.bulk_create(rows)
    return len(rows)


def link_exchange(*, order: Order, case_id: int) -> None:
    """An accepted 'exchange instead' is recorded on the exchange case once it exists."""
    RetentionResponse.objects.filter(
        order=order, accepted=True, case__isnull=True, offer__kind=OfferKind.EXCHANGE
    ).update(case_id=case_id)
