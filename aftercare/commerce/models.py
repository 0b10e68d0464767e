"""The merchant's commerce data, synced in: customers, products, orders, payments, shipments.

External ids are the merchant's own (order number, SKU, customer id); upserts match on them.
Money is Decimal with two places in the order's currency.
"""

from __future__ import annotations

from typing import Any

from django.db import models
from django.utils.translation import gettext_lazy as _

from aftercare.merchants.models import Language, MerchantScoped


def money(**kwargs: Any) -> models.DecimalField:
    return models.DecimalField(max_digits=12, decimal_places=2, **kwargs)


class Tier(models.TextChoices):
    VIP = "vip", _("VIP")
    POTENTIAL = "potential", _("Potential")
    NORMAL = "normal", _("Normal")


class Customer(MerchantScoped):
    external_id = models.CharField(max_length=64)
    name = models.CharField(max_length=200, blank=True)
    phone = models.CharField(max_length=20, blank=True, help_text="E.164, e.g. +8613812345678")
    email = models.EmailField(blank=True)
    language = models.CharField(max_length=16, choices=Language.choices, default=Language.ZH_HANS)
    tier = models.CharField(max_length=16, choices=Tier.choices, default=Tier.NORMAL)
    risk_tags = models.JSONField(default=list, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["merchant", "external_id"], name="customer_external_id_per_merchant"
            )
        ]
        indexes = [
            models.Index(fields=["merchant", "phone"]),
            models.Index(fields=["merchant", "email"]),
        ]

    def __str__(self) -> str:
        return self.name or self.external_id


class Product(MerchantScoped):
    """A SKU with the attributes return policies judge by."""

    sku = models.CharField(max_length=64)
    name = models.CharField(max_length=200)
    category = models.CharField(max_length=64, db_index=True)
    price = money()
    returnable = models.BooleanField(default=True)
    return_window_days = models.PositiveSmallIntegerField(
        null=True, blank=True, help_text="Overrides the policy's window for this SKU."
    )
    must_be_unopened = models.BooleanField(default=False)
    is_hygiene = models.BooleanField(default=False)
    is_custom_made = models.BooleanField(default=False)
    is_perishable = models.BooleanField(default=False)
    is_digital = models.BooleanField(default=False)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["merchant", "sku"], name="product_sku_per_merchant")
        ]

    def __str__(self) -> str:
        return f"{self.sku} {self.name}"


class OrderStatus(models.TextChoices):
    PENDING = "pending", _("Pending payment")
    PAID = "paid", _("Paid")
    SHIPPED = "shipped", _("Shipped")
    DELIVERED = "delivered", _("Delivered")
    COMPLETED = "completed", _("Completed")
    CANCELLED = "cancelled", _("Cancelled")


class Order(MerchantScoped):
    external_id = models.CharField(max_length=64, help_text="The merchant's order number.")
    store = models.ForeignKey("merchants.Store", on_delete=models.PROTECT, related_name="+")
    customer = models.ForeignKey(Customer, on_delete=models.PROTECT, related_name="orders")
    status = models.CharField(max_length=16, choices=OrderStatus.choices)
    currency = models.CharField(max_length=3, default="CNY")
    placed_at = models.DateTimeField()
    subtotal = money(help_text="Sum of line prices before discounts.")
    discount_total = money(default=0, help_text="Order-level discounts and coupons.")
    shipping_fee = money(default=0)
    total = money(help_text="What the customer was charged.")
    shipping_address = models.TextField(blank=True)
    # 运费险: the marketplace's return-shipping insurance, bought with the order. A database
    # default too, so bulk loaders that do not name the column (COPY, raw upserts) get False.
    return_shipping_insurance = models.BooleanField(
        default=False,
        db_default=False,
        help_text="The order carries return-shipping insurance (运费险).",
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["merchant", "external_id"], name="order_external_id_per_merchant"
            )
        ]
        indexes = [
            models.Index(fields=["merchant", "-placed_at"]),
            models.Index(fields=["merchant", "customer", "-placed_at"]),
        ]

    def __str__(self) -> str:
        return self.external_id


class OrderLine(MerchantScoped):
    order = models.ForeignKey(Order, on_delete=models.CASCADE, related_name="lines")
    line_no = models.PositiveSmallIntegerField()
    product = models.ForeignKey(Product, on_delete=models.PROTECT, related_name="+")
    sku = models.CharField(max_length=64, help_text="As sold; the product may change later.")
    name = models.CharField(max_length=200)
    quantity = models.PositiveIntegerField()
    unit_price = money()
    discount = money(default=0, help_text="Line-level discount, total.")

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["order", "line_no"], name="order_line_no_unique"),
            models.CheckConstraint(condition=models.Q(quantity__gt=0), name="line_quantity_pos"),
        ]

    def __str__(self) -> str:
        return f"{self.sku} × {self.quantity}"


class PaymentStatus(models.TextChoices):
    PAID = "paid", _("Paid")
    PENDING = "pending", _("Pending")
    FAILED = "failed", _("Failed")


class Payment(MerchantScoped):
    order = models.ForeignKey(Order, on_delete=models.CASCADE, related_name="payments")
    external_id = models.CharField(max_length=64, help_text="The payment provider's reference.")
    method = models.CharField(max_length=32, help_text="alipay, wechat_pay, card, ...")
    amount = money()
    status = models.CharField(max_length=16, choices=PaymentStatus.choices)
    paid_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["merchant", "external_id"], name="payment_external_id_per_merchant"
            )
        ]


class ShipmentStatus(models.TextChoices):
    PENDING = "pending", _("Awaiting pickup")
    IN_TRANSIT = "in_transit", _("In transit")
    OUT_FOR_DELIVERY = "out_for_delivery", _("Out for delivery")
    DELIVERED = "delivered", _("Delivered")
    EXCEPTION = "exception", _("Exception")
    RETURNED = "returned", _("Returned to sender")


class Shipment(MerchantScoped):
    """An outbound parcel. Its delivered_at starts the return windows."""

    order = models.ForeignKey(Order, on_delete=models.CASCADE, related_name="shipments")
    external_id = models.CharField(max_length=64)
    carrier = models.CharField(max_length=32, help_text="sf, zto, yto, jd, ems, ups, ...")
    tracking_number = models.CharField(max_length=64)
    status = models.CharField(max_length=20, choices=ShipmentStatus.choices)
    origin_region = models.CharField(max_length=64, blank=True)
    destination_region = models.CharField(max_length=64, blank=True)
    shipped_at = models.DateTimeField(null=True, blank=True)
    delivered_at = models.DateTimeField(null=True, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["merchant", "external_id"], name="shipment_external_id_per_merchant"
            )
        ]
        indexes = [models.Index(fields=["merchant", "tracking_number"])]
