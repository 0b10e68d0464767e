"""Admin: FAQ entries (JSON fields for wordings and answers), agents' label corrections and
the bot's conversations (read-only: only the bot writes them).

All are tenant data: a merchant's admin sees and edits only their merchant's rows (and is
offered only their merchant in forms) through the shared MerchantScopedAdminMixin, exactly
like the commerce and merchants admins; superusers see every merchant.
"""

from __future__ import annotations

from django.contrib import admin

from aftercare.assistant.models import AssistantCorrection, BotSession, FaqEntry
from aftercare.core.admin import MerchantScopedAdminMixin, ReadOnlyAdminMixin


@admin.register(FaqEntry)
class FaqEntryAdmin(MerchantScopedAdminMixin, admin.ModelAdmin):
    list_display = ("key", "merchant", "is_active", "policy_fields", "updated_at")
    list_filter = ("is_active",)  # the mixin adds "merchant" for superusers
    search_fields = ("key",)
    readonly_fields = ("created_at", "updated_at")
    fieldsets = (
        (None, {"fields": ("merchant", "key", "is_active", "tags")}),
        (
            "Wording",
            {
                "fields": ("questions", "answers", "policy_fields"),
                "description": (
                    'questions: {"en": ["...", "..."], "zh-Hans": [...]}; answers: {"en": '
                    '"..."}. Answers may use {return_window_days}, {exchange_window_days}, '
                    "{warranty_days}, {review_business_days}, {merchant_fault_return_shipping}, "
                    "{customer_return_shipping}, {customer_original_shipping_refund}: filled "
                    "from the active return policy when the bot answers."
                ),
            },
        ),
        (None, {"fields": ("created_at", "updated_at")}),
    )


@admin.register(AssistantCorrection)
class AssistantCorrectionAdmin(MerchantScopedAdminMixin, admin.ModelAdmin):
    # Corrections are made in the console by an agent (actions.correct_message_labels records
    # who); the admin reviews them and removes bad ones before `aftercare assistant train`.
    merchant_admin_may = frozenset({"view", "change", "delete"})
    list_display = ("text", "intent", "reason", "language", "created_by", "created_at")
    list_filter = ("intent", "reason", "language")
    search_fields = ("text",)
    readonly_fields = ("created_at",)


@admin.register(BotSession)
class BotSessionAdmin(ReadOnlyAdminMixin, MerchantScopedAdminMixin, admin.ModelAdmin):
    list_display = ("conversation_key", "state", "language", "handover_reason", "updated_at")
    list_filter = ("state", "handover_reason")
    search_fields = ("conversation_key",)
