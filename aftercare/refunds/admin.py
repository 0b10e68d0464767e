"""Admin: the merchant's refund settings (limits, gateway) and retention offers are plain
settings edited here; grants, executions and the ledger are read-only (actions write them)."""

from __future__ import annotations

from django.contrib import admin

from aftercare.core.admin import MerchantScopedAdminMixin, ReadOnlyAdminMixin
from aftercare.refunds.models import Grant, LedgerEntry, RefundSettings, RetentionOffer


@admin.register(RefundSettings)
class RefundSettingsAdmin(MerchantScopedAdminMixin, admin.ModelAdmin):
    merchant_admin_may = frozenset({"view", "add", "change"})
    list_display = (
        "merchant",
        "agent_max_amount",
        "agent_max_percent",
        "finance_threshold",
        "gateway",
    )
    fieldsets = (
        (
            "Authority",
            {"fields": ("merchant", "agent_max_amount", "agent_max_percent", "finance_threshold")},
        ),
        ("Execution", {"fields": ("gateway", "auto_execute", "coupon_valid_days")}),
        ("Signed webhook", {"fields": ("webhook_url", "webhook_secret")}),
        ("Stripe", {"fields": ("stripe_api_base", "stripe_secret_key")}),
    )


@admin.register(RetentionOffer)
class RetentionOfferAdmin(MerchantScopedAdminMixin, admin.ModelAdmin):
    list_display = (
        "kind",
        "percent",
        "category",
        "min_order_value",
        "max_order_value",
        "active",
        "priority",
    )
    list_filter = ("kind", "active")


@admin.register(Grant)
class GrantAdmin(ReadOnlyAdminMixin, MerchantScopedAdminMixin, admin.ModelAdmin):
    list_display = ("pk", "kind", "source", "status", "amount", "currency", "case", "created_at")
    list_filter = ("status", "kind", "source")


@admin.register(LedgerEntry)
class LedgerEntryAdmin(ReadOnlyAdminMixin, MerchantScopedAdminMixin, admin.ModelAdmin):
    list_display = ("pk", "kind", "amount", "currency", "reference", "grant", "created_at")
    list_filter = ("kind",)
