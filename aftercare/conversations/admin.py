"""Admin: where customers write to the merchant (mailboxes and numbers, with their webhook
secrets), and conversations read-only (only actions write them). Tenant-scoped through the
shared MerchantScopedAdminMixin."""

from __future__ import annotations

from django.contrib import admin

from aftercare.conversations.models import ChannelAddress, Conversation
from aftercare.core.admin import MerchantScopedAdminMixin, ReadOnlyAdminMixin


@admin.register(ChannelAddress)
class ChannelAddressAdmin(MerchantScopedAdminMixin, admin.ModelAdmin):
    list_display = ("address", "channel", "provider", "merchant", "created_at")
    list_filter = ("channel", "provider")
    search_fields = ("address",)
    readonly_fields = ("created_at",)


@admin.register(Conversation)
class ConversationAdmin(ReadOnlyAdminMixin, MerchantScopedAdminMixin, admin.ModelAdmin):
    list_display = ("pk", "channel", "status", "contact", "customer", "last_message_at")
    list_filter = ("channel", "status")
    search_fields = ("contact", "subject")
