"""Reads of refunds, scoped to a merchant; every money total is a sum over the ledger.

What was paid is derived like the policy engine does (policies/refund_math.py): an order's paid
amount is what its payments say (or its total when none were synced), a line's is its net after
its own and its share of the order's discounts.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.db.models import Case as When_
from django.db.models import Count, DecimalField, F, Q, QuerySet, Sum, Value, When
from django.db.models.functions import Coalesce

from aftercare.commerce.models import Order, OrderLine, Payment, PaymentStatus
from aftercare.policies.refund_math import allocate_cents, cents, money
from aftercare.refunds.models import (
    Execution,
    ExecutionStatus,
    Grant,
    GrantLine,
    GrantStatus,
    LedgerEntry,
    LedgerKind,
    RefundSettings,
    RetentionResponse,
)

ZERO = Decimal("0.00")
CENT = Decimal("0.01")
MONEY = DecimalField(max_digits=14, decimal_places=2)
# Grants that still hold their amount against what was paid: everything not cancelled (a
# failed grant may be retried, so it keeps its share until finance cancels it).
HOLDING = ~Q(status=GrantStatus.CANCELLED)


def settings_for(merchant_id: int) -> RefundSettings:
    """The merchant's settings, made with the defaults the first time they are needed."""
    found = RefundSettings.objects.filter(merchant_id=merchant_id).first()
    if found is not None:
        return found
    settings, _ = RefundSettings.objects.get_or_create(merchant_id=merchant_id)
    return settings


# --- What was paid ---------------------------------------------------------------------------


def order_paid(order: Order) -> Decimal:
    payments = Payment.objects.filter(order=order)
    if not payments.exists():
        return order.total
    paid = payments.filter(status=PaymentStatus.PAID).aggregate(s=Sum("amount"))["s"] or ZERO
    return min(_cents(paid), order.total)


def line_paid(order: Order) -> dict[int, Decimal]:
    """order line id -> what the line was paid after every discount."""
    lines = list(OrderLine.objects.filter(order=order).order_by("line_no", "pk"))
    nets = [max(0, cents(line.unit_price) * line.quantity - cents(line.discount)) for line in lines]
    shares = allocate_cents(cents(order.discount_total), nets)
    return {
        line.pk: money(net - share) for line, net, share in zip(lines, nets, shares, strict=True)
    }


# --- What is held and what went out ---------------------------------------------------------


def held_on_order(order_id: int) -> Decimal:
    """Amount of every grant on the order that still holds money (the cap's left side)."""
    total = Grant.objects.filter(HOLDING, order_id=order_id).aggregate(s=Sum("amount"))["s"]
    return _cents(total)


def held_per_line(order_id: int) -> dict[int, Decimal]:
    rows = (
        GrantLine.objects.filter(grant__order_id=order_id)
        .exclude(grant__status=GrantStatus.CANCELLED)
        .values("order_line_id")
        .annotate(s=Sum("amount"))
    )
    return {row["order_line_id"]: _cents(row["s"]) for row in rows}


def _cents(value: Decimal | None) -> Decimal:
    # SQLite adds decimals as floats; every sum is whole cents, so rounding restores it.
    return ZERO if value is None else Decimal(value).quantize(CENT)


def _signed_amount() -> Any:
    return When_(
        When(kind=LedgerKind.SUCCEEDED, then=F("amount")),
        When(kind=LedgerKind.REVERSED, then=-F("amount")),
        default=Value(ZERO),
        output_field=MONEY,
    )


def refunded_total(**lookup: Any) -> Decimal:
    """Money that went out (successes minus reversals) for e.g. order_id=.. or case_id=.."""
    result = LedgerEntry.objects.filter(**lookup).aggregate(
        s=Coalesce(Sum(_signed_amount()), Value(ZERO), output_field=MONEY)
    )
    return _cents(result["s"])


def refunded_per_line(order_id: int) -> dict[int, Decimal]:
    """Per order line: grant lines whose execution the ledger shows succeeded (not reversed)."""
    paid_grants = LedgerEntry.objects.filter(order_id=order_id, kind=LedgerKind.SUCCEEDED)
    reversed_grants = LedgerEntry.objects.filter(order_id=order_id, kind=LedgerKind.REVERSED)
    rows = (
        GrantLine.objects.filter(grant_id__in=paid_grants.values("grant_id"))
        .exclude(grant_id__in=reversed_grants.values("grant_id"))
        .values("order_line_id")
        .annotate(s=Sum("amount"))
    )
    return {row["order_line_id"]: _cents(row["s"]) for row in rows}


def case_paid_out(case_id: int) -> bool:
    """Whether the ledger shows money (or a zero refund) went out for the case."""
    return LedgerEntry.objects.filter(case_id=case_id, kind=LedgerKind.SUCCEEDED).exists()


def open_money_grants(case_id: int) -> QuerySet[Grant]:
    """Money grants of a case not yet paid (approval pending, approved, executing or failed)."""
    from aftercare.refunds.models import MONEY_KINDS

    return Grant.objects.filter(case_id=case_id, kind__in=list(MONEY_KINDS)).exclude(
        status__in=[GrantStatus.SUCCEEDED, GrantStatus.CANCELLED]
    )


# --- Lists the API and console show ---------------------------------------------------------


def grants(merchant_id: int) -> QuerySet[Grant]:
    return (
        Grant.objects.filter(merchant_id=merchant_id)
        .select_related("case", "execution")
        .order_by("-created_at", "-id")
    )


def approval_queue(merchant_id: int, *, stage: str) -> QuerySet[Grant]:
    status = GrantStatus.AWAITING_FINANCE if stage == "finance" else GrantStatus.AWAITING_SUPERVISOR
    return grants(merchant_id).filter(status=status).order_by("created_at", "id")


def failed_queue(merchant_id: int) -> QuerySet[Grant]:
    """Permanent gateway failures with the provider's message, for finance."""
    return grants(merchant_id).filter(status=GrantStatus.FAILED).order_by("created_at", "id")


def manual_queue(merchant_id: int) -> QuerySet[Grant]:
    """Executions through the manual gateway waiting for finance to mark them paid."""
    return (
        grants(merchant_id)
        .filter(status=GrantStatus.EXECUTING, execution__gateway="manual")
        .order_by("created_at", "id")
    )


def ledger_of(merchant_id: int, **lookup: Any) -> QuerySet[LedgerEntry]:
    return LedgerEntry.objects.filter(merchant_id=merchant_id, **lookup).order_by("id")


def stuck_executions(*, older_than_seconds: int = 300) -> QuerySet[Execution]:
    from datetime import timedelta

    from django.utils import timezone

    cutoff = timezone.now() - timedelta(seconds=older_than_seconds)
    return Execution.objects.filter(
        status=ExecutionStatus.REQUESTED, updated_at__lt=cutoff
    ).exclude(gateway="manual")


def retention_acceptance(merchant_id: int, **filters: Any) -> dict[str, Any]:
    """Offers shown, accepted and the acceptance rate, overall and per offer, for analytics."""
    rows = RetentionResponse.objects.filter(merchant_id=merchant_id, **filters)
    per_offer = (
        rows.values("offer_id", "offer__kind", "offer__category")
        .annotate(shown=Count("id"), accepted=Count("id", filter=Q(accepted=True)))
        .order_by("offer_id")
    )
    offers = [
        {
            "offer_id": row["offer_id"],
            "kind": row["offer__kind"],
            "category": row["offer__category"],
            "shown": row["shown"],
            "accepted": row["accepted"],
            "rate": _rate(row["accepted"], row["shown"]),
        }
        for row in per_offer
    ]
    shown = sum(row["shown"] for row in offers)
    accepted = sum(row["accepted"] for row in offers)
    return {"shown": shown, "accepted": accepted, "rate": _rate(accepted, shown), "offers": offers}


def _rate(accepted: int, shown: int) -> float:
    return round(accepted / shown, 4) if shown else 0.0
