"""After-sales cases: the case, its lines, attachments, exchange items, negotiation outcomes,
domain events, and the merchant's return desk (where parcels go back to).

Only actions (actions.py, inspection.py, exchange.py, disputes.py) write these rows.
"""

from __future__ import annotations

from typing import Any

from django.core.serializers.json import DjangoJSONEncoder
from django.db import models
from django.utils.translation import gettext_lazy as _

from aftercare.merchants.models import MerchantScoped
from aftercare.returns.states import CaseStatus, CaseType, ReasonCode


def money(**kwargs: Any) -> models.DecimalField:
    return models.DecimalField(max_digits=12, decimal_places=2, **kwargs)


class ShippingPayer(models.TextChoices):
    MERCHANT = "merchant", _("Merchant")
    CUSTOMER = "customer", _("Customer")
    INSURANCE = "insurance", _("Return-shipping insurance")
    NONE = "none", _("Nothing is sent back")


class ReturnMethod(models.TextChoices):
    SELF_SHIP = "self_ship", _("Customer ships it")
    PICKUP = "pickup", _("Courier pickup")
    NONE = "none", _("Nothing to send back")


class ReturnDesk(MerchantScoped):
    """Where a merchant's returns go and who answers for them (return instructions, L1).

    One per merchant, edited in the admin. `holidays` are ISO dates the review clock skips
    (the simple merchant-holiday hook; weekends are always skipped).
    """

    address = models.TextField(help_text="The return address printed on the instructions.")
    contact_name = models.CharField(max_length=100, blank=True)
    contact_phone = models.CharField(max_length=20, blank=True)
    offers_pickup = models.BooleanField(default=False)
    holidays = models.JSONField(default=list, blank=True, help_text='["2026-10-01", ...]')

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["merchant"], name="one_return_desk_per_merchant")
        ]

    def __str__(self) -> str:
        return self.address[:60]


class Case(MerchantScoped):
    number = models.CharField(
        max_length=32, null=True, blank=True, help_text="RMA number, e.g. RMA-2026-000123."
    )
    order = models.ForeignKey("commerce.Order", on_delete=models.PROTECT, related_name="cases")
    customer = models.ForeignKey(
        "commerce.Customer", on_delete=models.PROTECT, related_name="cases"
    )
    type = models.CharField(max_length=16, choices=CaseType.choices)
    reason = models.CharField(max_length=24, choices=ReasonCode.choices)
    description = models.TextField(blank=True)
    status = models.CharField(
        max_length=32, choices=CaseStatus.choices, default=CaseStatus.SUBMITTED
    )
    # False once cancelled or rejected: the lines' quantities may then be asked for again.
    holds_quantity = models.BooleanField(default=True)
    # Judgement: the version that judged it and what it decided (serialize.decision_to_dict,
    # plus the explanation in every language so any reader gets it in theirs).
    policy_version = models.ForeignKey(
        "policies.PolicyVersion", on_delete=models.PROTECT, related_name="cases"
    )
    # Decimals (money) are stored as strings, exactly.
    decision = models.JSONField(default=dict, encoder=DjangoJSONEncoder)
    auto_approved = models.BooleanField(default=False)
    refund_point = models.CharField(max_length=24)
    refund_without_return = models.BooleanField(default=False)
    shipping_payer = models.CharField(max_length=16, choices=ShippingPayer.choices)
    refund_total = money(default=0)
    shipping_refund = money(default=0)
    currency = models.CharField(max_length=3)
    # Return instructions (L1).
    return_method = models.CharField(
        max_length=16, choices=ReturnMethod.choices, default=ReturnMethod.SELF_SHIP
    )
    return_address = models.TextField(blank=True)
    return_contact = models.CharField(max_length=140, blank=True)
    return_carrier = models.CharField(max_length=32, blank=True)
    return_tracking_number = models.CharField(max_length=64, blank=True)
    # Stage clocks (R7).
    stage_started_at = models.DateTimeField(null=True, blank=True)
    review_due_at = models.DateTimeField(null=True, blank=True)
    customer_ship_due_at = models.DateTimeField(null=True, blank=True)
    inspection_due_at = models.DateTimeField(null=True, blank=True)
    refund_due_at = models.DateTimeField(null=True, blank=True)
    # Where an appeal came from, so "uphold" knows where to go back to.
    appealed_from = models.CharField(max_length=32, blank=True)
    info_requested_at = models.DateTimeField(null=True, blank=True)
    refund_point_reached_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [
            # NULL while the row is being created (the number is made from its id); several
            # NULLs never clash on either database.
            models.UniqueConstraint(fields=["merchant", "number"], name="case_number_per_merchant")
        ]
        indexes = [
            models.Index(fields=["merchant", "-created_at"]),
            models.Index(fields=["merchant", "status", "-created_at"]),
            models.Index(fields=["merchant", "customer", "-created_at"]),
            models.Index(fields=["merchant", "order"]),
        ]

    def __str__(self) -> str:
        return self.number or f"case #{self.pk}"


class LineOutcome(models.TextChoices):
    PENDING = "pending", _("Pending")
    ACCEPTED = "accepted", _("Accepted")
    REJECTED = "rejected", _("Rejected")
    REFUNDED = "refunded", _("Refunded")
    EXCHANGED = "exchanged", _("Exchanged")
    REPAIRED = "repaired", _("Repaired")


class ItemCondition(models.TextChoices):
    UNOPENED = "unopened", _("Unopened")
    OPENED = "opened", _("Opened, not used")
    USED = "used", _("Used")
    DAMAGED = "damaged", _("Damaged")
    MISSING = "missing", _("Missing")


class CaseLine(MerchantScoped):
    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="lines")
    order_line = models.ForeignKey(
        "commerce.OrderLine", on_delete=models.PROTECT, related_name="case_lines"
    )
    quantity = models.PositiveIntegerField()
    stated_condition = models.CharField(max_length=16, choices=ItemCondition.choices)
    eligibility = models.CharField(max_length=16, help_text="The policy's outcome for the line.")
    refund_amount = money(default=0)
    outcome = models.CharField(
        max_length=16, choices=LineOutcome.choices, default=LineOutcome.PENDING
    )
    # Exchanges (R4): what the customer asked for instead; the agent confirms it (or another
    # product) when the replacement goes out.
    replacement_product = models.ForeignKey(
        "commerce.Product", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    # Inspection (R3), filled by record_inspection.
    received_quantity = models.PositiveIntegerField(null=True, blank=True)
    damaged_quantity = models.PositiveIntegerField(null=True, blank=True)
    inspected_condition = models.CharField(max_length=16, choices=ItemCondition.choices, blank=True)
    inspection_passed = models.BooleanField(null=True, blank=True)
    inspection_reason = models.TextField(blank=True)

    class Meta:
        constraints = [
            models.CheckConstraint(condition=models.Q(quantity__gt=0), name="case_line_qty_pos"),
            models.UniqueConstraint(fields=["case", "order_line"], name="case_line_once"),
        ]

    def __str__(self) -> str:
        return f"{self.case} line {self.order_line_id} × {self.quantity}"


class AttachmentKind(models.TextChoices):
    PHOTO = "photo", _("Photo")
    VIDEO = "video", _("Video")
    VOICE = "voice", _("Voice")


class Attachment(MerchantScoped):
    """Evidence on a case: the customer's photos/video/voice, or an inspection photo."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="attachments")
    case_line = models.ForeignKey(
        CaseLine, null=True, blank=True, on_delete=models.CASCADE, related_name="attachments"
    )
    kind = models.CharField(max_length=8, choices=AttachmentKind.choices)
    for_inspection = models.BooleanField(default=False)
    file = models.FileField(upload_to="cases/%Y/%m/")
    original_name = models.CharField(max_length=200, blank=True)
    size = models.PositiveIntegerField()
    content_type = models.CharField(max_length=64, help_text="From the file's magic bytes.")
    uploaded_by = models.CharField(max_length=128)
    created_at = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return f"{self.kind} {self.original_name}"


class ExchangeItem(MerchantScoped):
    """A replacement for a returned line: the product sent instead and the price difference
    (positive: the customer owes it; negative: the merchant refunds it)."""

    case_line = models.ForeignKey(CaseLine, on_delete=models.CASCADE, related_name="exchanges")
    product = models.ForeignKey("commerce.Product", on_delete=models.PROTECT, related_name="+")
    quantity = models.PositiveIntegerField()
    unit_price = money()
    price_difference = money()

    class Meta:
        constraints = [
            models.CheckConstraint(condition=models.Q(quantity__gt=0), name="exchange_qty_pos")
        ]


class ReplacementOrder(MerchantScoped):
    """What the merchant's system must ship for an exchange (its own order id comes back later)."""

    case = models.OneToOneField(Case, on_delete=models.CASCADE, related_name="replacement")
    price_difference = money(help_text="Sum over the items: + customer pays, - merchant refunds.")
    external_id = models.CharField(max_length=64, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)


class NegotiationKind(models.TextChoices):
    PARTIAL_REFUND = "partial_refund", _("Partial refund")
    COUPON = "coupon", _("Coupon")
    RESEND_PART = "resend_part", _("Resend a part")
    KEEP_ITEM_REFUND = "keep_item_refund", _("Keep the item, refund")


class Negotiation(MerchantScoped):
    """An agreed outcome (R5). The money itself is granted by the refunds app."""

    case = models.OneToOneField(Case, on_delete=models.CASCADE, related_name="negotiation")
    kind = models.CharField(max_length=20, choices=NegotiationKind.choices)
    amount = money(default=0, help_text="Refund amount or coupon value.")
    coupon_code = models.CharField(max_length=64, blank=True)
    part_description = models.CharField(max_length=200, blank=True)
    note = models.TextField(blank=True)
    agreed_by = models.CharField(max_length=128)
    approved_by = models.CharField(max_length=128, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)


class CaseEvent(MerchantScoped):
    """A domain event of a case, for consumers (notifications, refunds) reading with a cursor.

    Append-only; ids only grow, so "everything after id N" is a consumer's whole cursor.
    See docs/adr/0011-case-domain-events.md.
    """

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="events")
    kind = models.CharField(max_length=48)
    data = models.JSONField(default=dict, blank=True)
    actor_label = models.CharField(max_length=128)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        indexes = [models.Index(fields=["merchant", "id"]), models.Index(fields=["kind", "id"])]

    def __str__(self) -> str:
        return f"{self.case_id} {self.kind}"
