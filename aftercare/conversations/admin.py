"""Admin: where customers write to the merchant (mailboxes and numbers, with their webhook
secrets), and conversations read-only (only actions write them). Tenant-scoped through the
shared MerchantScopedAdminMixin."""

from __future__ import annotations

from django import forms
from django.contrib import admin

from aftercare.conversations.canned import VARIABLES, validate_body
from aftercare.conversations.models import CannedReply, ChannelAddress, Conversation
from aftercare.core.admin import MerchantScopedAdminMixin, ReadOnlyAdminMixin
from aftercare.core.errors import ValidationFailed


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


class CannedReplyForm(forms.ModelForm):
    class Meta:
        model = CannedReply
        fields = ("merchant", "key", "language", "title", "body", "intent")
        help_texts = {
            "body": "Variables: " + ", ".join("{" + name + "}" for name in VARIABLES),
            "language": "en, zh-Hans, zh-Hant, or another ISO 639-1 code.",
        }

    def clean_body(self) -> str:
        body = self.cleaned_data["body"]
        try:
            validate_body(body)
        except ValidationFailed as error:
            raise forms.ValidationError(str(error)) from error
        return body


@admin.register(CannedReply)
class CannedReplyAdmin(MerchantScopedAdminMixin, admin.ModelAdmin):
    form = CannedReplyForm
    list_display = ("title", "key", "language", "intent", "updated_at")
    list_filter = ("language",)
    search_fields = ("title", "key", "body")
