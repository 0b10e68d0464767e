"""Refunds and compensation: the merchant's limits and gateway, grants, executions, the
append-only ledger, retention offers and the refunds domain events.

Only actions (actions.py, execution.py, retention.py) write these rows. Money totals are never
stored: they are sums over LedgerEntry (queries.py).
"""

from __future__ import annotations

from typing import Any

from django.core.serializers.json import DjangoJSONEncoder
from django.db import models
from django.utils.translation import gettext_lazy as _

from aftercare.merchants.models import MerchantScoped


def money(**kwargs: Any) -> models.DecimalField:
    return models.DecimalField(max_digits=12, decimal_places=2, **kwargs)


class GatewayKind(models.TextChoices):
    MANUAL = "manual", _("Manual (finance marks it paid)")
    WEBHOOK = "webhook", _("Signed HTTP webhook to the merchant")
    STRIPE = "stripe", _("Stripe refunds API")


class RefundSettings(MerchantScoped):
    """A merchant's authority limits and refund gateway; one row, made with defaults when needed."""

    agent_max_amount = money(default=200, help_text="Most an agent may grant on one case.")
    agent_max_percent = models.DecimalField(
        max_digits=5, decimal_places=2, default=50, help_text="...and at most this % of the order."
    )
    finance_threshold = money(
        null=True, blank=True, help_text="Refunds above this also need finance; empty: never."
    )
    auto_execute = models.BooleanField(
        default=True, help_text="Send approved refunds to the gateway at once."
    )
    coupon_valid_days = models.PositiveIntegerField(default=90)
    gateway = models.CharField(max_length=16, choices=GatewayKind.choices, default="manual")
    webhook_url = models.URLField(blank=True)
    webhook_secret = models.CharField(max_length=128, blank=True)
    stripe_api_base = models.URLField(default="https://api.stripe.com")
    stripe_secret_key = models.CharField(max_length=128, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["merchant"], name="one_refund_settings_per_merchant")
        ]

    def __str__(self) -> str:
        return f"refund settings of {self.merchant_id}"


class GrantKind(models.TextChoices):
    REFUND = "refund", _("Refund to the original payment")
    PARTIAL_REFUND = "partial_refund", _("Partial refund")
    SHIPPING_WAIVER = "shipping_waiver", _("Shipping fee waiver")
    COUPON = "coupon", _("Coupon")
    STORE_CREDIT = "store_credit", _("Store credit")
    RESEND_PART = "resend_part", _("Resend a part")


# Kinds whose money goes back through the refund gateway; the others are issued as events.
MONEY_KINDS = frozenset({GrantKind.REFUND, GrantKind.PARTIAL_REFUND, GrantKind.SHIPPING_WAIVER})
VOUCHER_KINDS = frozenset({GrantKind.COUPON, GrantKind.STORE_CREDIT})


class GrantSource(models.TextChoices):
    REFUND_POINT = "refund_point", _("The policy's refund point")
    NEGOTIATION = "negotiation", _("A negotiated outcome")
    AGENT = "agent", _("Granted by staff")
    RETENTION = "retention", _("A retention offer the customer accepted")
    EXCHANGE = "exchange", _("A cheaper replacement in an exchange")


class GrantStatus(models.TextChoices):
    AWAITING_SUPERVISOR = "awaiting_supervisor", _("Awaiting a supervisor")
    AWAITING_FINANCE = "awaiting_finance", _("Awaiting finance")
    APPROVED = "approved", _("Approved")
    EXECUTING = "executing", _("Executing")
    SUCCEEDED = "succeeded", _("Paid or issued")
    FAILED = "failed", _("Failed")
    CANCELLED = "cancelled", _("Cancelled")


class Grant(MerchantScoped):
    """What was agreed to give back, by whom, and why (F3). Executed at most once."""

    order = models.ForeignKey("commerce.Order", on_delete=models.PROTECT, related_name="+")
    case = models.ForeignKey(
        "returns.Case", null=True, blank=True, on_delete=models.PROTECT, related_name="grants"
    )
    kind = models.CharField(max_length=20, choices=GrantKind.choices)
    source = models.CharField(max_length=16, choices=GrantSource.choices)
    status = models.CharField(max_length=24, choices=GrantStatus.choices)
    amount = money(help_text="Total to give back: lines + shipping, or the voucher's value.")
    shipping_amount = money(default=0)
    fees = money(default=0, help_text="Restocking fees kept back.")
    currency = models.CharField(max_length=3)
    # The policy's per-line breakdown (or the agent's reason), exactly as decided.
    breakdown = models.JSONField(default=dict, blank=True, encoder=DjangoJSONEncoder)
    reason = models.TextField(blank=True)
    requested_by = models.CharField(max_length=128)
    approved_by = models.CharField(max_length=128, blank=True)
    finance_approved_by = models.CharField(max_length=128, blank=True)
    coupon_code = models.CharField(max_length=64, blank=True)
    coupon_expires_at = models.DateTimeField(null=True, blank=True)
    part_description = models.CharField(max_length=200, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [
            models.CheckConstraint(condition=models.Q(amount__gte=0), name="grant_amount_nonneg"),
            # The policy grants once per case: the grant exists iff the case reached the point.
            models.UniqueConstraint(
                fields=["case"],
                condition=models.Q(source="refund_point"),
                name="one_refund_point_grant_per_case",
            ),
            models.UniqueConstraint(
                fields=["merchant", "coupon_code"],
                condition=~models.Q(coupon_code=""),
                name="coupon_code_per_merchant",
            ),
        ]
        indexes = [
            models.Index(fields=["merchant", "status", "-created_at"]),
            models.Index(fields=["order", "status"]),
        ]

    def __str__(self) -> str:
        return f"grant #{self.pk} {self.kind} {self.amount}"


class GrantLine(MerchantScoped):
    grant = models.ForeignKey(Grant, on_delete=models.CASCADE, related_name="lines")
    order_line = models.ForeignKey("commerce.OrderLine", on_delete=models.PROTECT, related_name="+")
    quantity = models.PositiveIntegerField(default=0)
    amount = money()

    class Meta:
        constraints = [
            models.CheckConstraint(condition=models.Q(amount__gte=0), name="grant_line_nonneg"),
            models.UniqueConstraint(fields=["grant", "order_line"], name="grant_line_once"),
        ]


class ExecutionStatus(models.TextChoices):
    REQUESTED = "requested", _("Requested")
    SUCCEEDED = "succeeded", _("Succeeded")
    FAILED = "failed", _("Failed")


class Execution(MerchantScoped):
    """The one attempt to move a grant's money; its idempotency key is reused on every retry."""

    grant = models.OneToOneField(Grant, on_delete=models.PROTECT, related_name="execution")
    gateway = models.CharField(max_length=16, choices=GatewayKind.choices)
    idempotency_key = models.CharField(max_length=80, unique=True)
    status = models.CharField(
        max_length=16, choices=ExecutionStatus.choices, default=ExecutionStatus.REQUESTED
    )
    reference = models.CharField(max_length=128, blank=True)
    last_error = models.TextField(blank=True)
    # How many times finance sent it again after a permanent failure (the outbox key's suffix).
    retries = models.PositiveIntegerField(default=0)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        indexes = [models.Index(fields=["merchant", "status", "created_at"])]

    def __str__(self) -> str:
        return f"execution {self.idempotency_key} ({self.status})"


class LedgerKind(models.TextChoices):
    REQUESTED = "requested", _("Requested")
    SUCCEEDED = "succeeded", _("Succeeded")
    FAILED = "failed", _("Failed")
    REVERSED = "reversed", _("Reversed")


class LedgerEntry(MerchantScoped):
    """Append-only money events per gateway reference. Totals are sums over these rows."""

    execution = models.ForeignKey(Execution, on_delete=models.PROTECT, related_name="ledger")
    grant = models.ForeignKey(Grant, on_delete=models.PROTECT, related_name="+")
    order = models.ForeignKey("commerce.Order", on_delete=models.PROTECT, related_name="+")
    case = models.ForeignKey(
        "returns.Case", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    kind = models.CharField(max_length=16, choices=LedgerKind.choices)
    amount = money()
    currency = models.CharField(max_length=3)
    reference = models.CharField(max_length=128, blank=True)
    detail = models.TextField(blank=True)
    actor_label = models.CharField(max_length=128)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.CheckConstraint(condition=models.Q(amount__gte=0), name="ledger_amount_nonneg"),
            # However many workers, retries and callbacks: one payment per execution.
            models.UniqueConstraint(
                fields=["execution"],
                condition=models.Q(kind="succeeded"),
                name="one_ledger_success_per_execution",
            ),
            models.UniqueConstraint(
                fields=["execution"],
                condition=models.Q(kind="reversed"),
                name="one_ledger_reversal_per_execution",
            ),
        ]
        indexes = [models.Index(fields=["order", "kind"]), models.Index(fields=["case", "kind"])]

    def save(self, *args: Any, **kwargs: Any) -> None:
        if self.pk is not None:
            raise ValueError("Ledger entries are append-only.")
        super().save(*args, **kwargs)

    def __str__(self) -> str:
        return f"{self.kind} {self.amount} {self.reference}"


class OfferKind(models.TextChoices):
    KEEP_PARTIAL_REFUND = "keep_partial_refund", _("Keep the item with a partial refund")
    EXCHANGE = "exchange", _("Exchange instead")
    COUPON = "coupon", _("A coupon to keep the item")


class RetentionOffer(MerchantScoped):
    """An alternative offered before a customer-side refund is submitted (R6)."""

    kind = models.CharField(max_length=24, choices=OfferKind.choices)
    reasons = models.JSONField(
        default=list, blank=True, help_text='["changed_mind", ...]; [] = all'
    )
    category = models.CharField(
        max_length=64, blank=True, help_text="Product category; blank = all"
    )
    min_order_value = money(default=0)
    max_order_value = money(null=True, blank=True)
    percent = models.DecimalField(
        max_digits=5, decimal_places=2, default=0, help_text="Partial refund or coupon, % of value"
    )
    active = models.BooleanField(default=True)
    priority = models.PositiveSmallIntegerField(default=100)

    class Meta:
        ordering = ["priority", "id"]

    def __str__(self) -> str:
        return f"{self.kind} {self.percent}%"


class RetentionResponse(MerchantScoped):
    """What the customer answered to an offer. A refusal is recorded on the case the customer
    then submitted; an accepted exchange on the exchange case; an accepted coupon or partial
    refund on the order (no return case follows) with the grant it made."""

    offer = models.ForeignKey(RetentionOffer, on_delete=models.PROTECT, related_name="responses")
    order = models.ForeignKey("commerce.Order", on_delete=models.CASCADE, related_name="+")
    case = models.ForeignKey(
        "returns.Case", null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    accepted = models.BooleanField()
    value = money(default=0)
    grant = models.ForeignKey(
        Grant, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    reason = models.CharField(max_length=24)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        indexes = [models.Index(fields=["merchant", "created_at"])]
        constraints = [
            # Accepting the same offer twice (a double click) must not grant twice.
            models.UniqueConstraint(
                fields=["order", "offer"],
                condition=models.Q(accepted=True),
                name="retention_offer_accepted_once",
            )
        ]


class RefundEvent(MerchantScoped):
    """A refunds domain event for consumers reading with a cursor (like returns' CaseEvent)."""

    grant = models.ForeignKey(Grant, on_delete=models.CASCADE, related_name="events")
    case = models.ForeignKey(
        "returns.Case", null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    kind = models.CharField(max_length=48)
    data = models.JSONField(default=dict, blank=True, encoder=DjangoJSONEncoder)
    actor_label = models.CharField(max_length=128)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        indexes = [models.Index(fields=["merchant", "id"]), models.Index(fields=["kind", "id"])]

    def __str__(self) -> str:
        return f"{self.grant_id} {self.kind}"
