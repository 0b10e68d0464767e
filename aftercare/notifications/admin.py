"""Admin: templates (refused unless they render; previewed with a real case), the merchant's
channels and providers, webhook subscriptions, contact preferences; deliveries and surveys
read-only. A merchant's admins see only their merchant's rows."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import admin
from django.http import HttpRequest
from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString

from aftercare.core.admin import MerchantScopedAdminMixin, ReadOnlyAdminMixin
from aftercare.core.errors import DomainError
from aftercare.notifications import render
from aftercare.notifications.actions import check_template_key, validate_template
from aftercare.notifications.defaults import LANGUAGES
from aftercare.notifications.messages import case_values
from aftercare.notifications.models import (
    Channel,
    ContactPreference,
    MessageTemplate,
    Notification,
    NotificationSettings,
    Survey,
    WebhookSubscription,
)
from aftercare.notifications.routing import settings_of
from aftercare.returns.models import Case


class MessageTemplateForm(forms.ModelForm):
    language = forms.ChoiceField(choices=[(code, code) for code in LANGUAGES])

    class Meta:
        model = MessageTemplate
        fields = ("merchant", "event", "channel", "language", "subject", "body", "html_body")

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        try:
            check_template_key(
                data.get("event", ""), data.get("channel", ""), data.get("language", "")
            )
            validate_template(
                subject=data.get("subject", ""),
                body=data.get("body", ""),
                html_body=data.get("html_body", ""),
            )
        except DomainError as error:
            raise forms.ValidationError(error.detail) from None
        return data


@admin.register(MessageTemplate)
class MessageTemplateAdmin(MerchantScopedAdminMixin, admin.ModelAdmin):
    form = MessageTemplateForm
    list_display = ("event", "channel", "language", "subject", "updated_at")
    list_filter = ("event", "channel", "language")
    readonly_fields = ("variables", "preview")

    @admin.display(description="Variables you may use")
    def variables(self, obj: MessageTemplate | None) -> SafeString:
        return format_html(
            "<ul>{}</ul>",
            format_html_join(
                "", "<li><code>{{{{ {} }}}}</code>: {}</li>", render.VARIABLES.items()
            ),
        )

    @admin.display(description="Preview with the latest case")
    def preview(self, obj: MessageTemplate | None) -> SafeString:
        if obj is None or obj.pk is None:
            return format_html("<em>{}</em>", "Save to see a preview.")
        case = (
            Case.objects.filter(merchant_id=obj.merchant_id)
            .select_related("customer", "merchant")
            .order_by("-id")
            .first()
        )
        if case is None:
            return format_html("<em>{}</em>", "No case yet to preview with.")
        values = case_values(case, {}, settings_of(obj.merchant_id))
        text = render.render(obj.body, values)
        subject = render.render(obj.subject, values) if obj.subject else ""
        html = ""
        if obj.channel == Channel.EMAIL:
            html = (
                render.render(obj.html_body, values, html=True)
                if obj.html_body
                else render.html_from_text(text, title=subject)
            )
        return format_html(
            '<p>Case <code>{}</code></p><p><strong>{}</strong></p><pre class="preview-text">{}'
            "</pre>{}",
            case.number,
            subject,
            text,
            format_html(
                '<iframe sandbox="" style="width:100%;height:260px;border:1px solid #ddd" '
                'srcdoc="{}"></iframe>',
                html,
            )
            if html
            else "",
        )


@admin.register(NotificationSettings)
class NotificationSettingsAdmin(MerchantScopedAdminMixin, admin.ModelAdmin):
    list_display = ("merchant", "sms_provider", "email_from", "public_base_url")


@admin.register(WebhookSubscription)
class WebhookSubscriptionAdmin(MerchantScopedAdminMixin, admin.ModelAdmin):
    list_display = ("url", "active", "consecutive_failures", "created_at")
    readonly_fields = ("consecutive_failures", "disabled_reason")


@admin.register(ContactPreference)
class ContactPreferenceAdmin(MerchantScopedAdminMixin, admin.ModelAdmin):
    list_display = ("customer", "preferred_channel", "opted_out", "timezone")
    raw_id_fields = ("customer",)


@admin.register(Notification)
class NotificationAdmin(ReadOnlyAdminMixin, MerchantScopedAdminMixin, admin.ModelAdmin):
    list_display = ("created_at", "event", "channel", "recipient", "status", "reason")
    list_filter = ("status", "channel", "event")
    search_fields = ("=recipient", "=provider_ref")
    show_full_result_count = False


@admin.register(Survey)
class SurveyAdmin(ReadOnlyAdminMixin, MerchantScopedAdminMixin, admin.ModelAdmin):
    list_display = ("case", "channel", "agent_label", "score", "answered_via", "answered_at")
    list_filter = ("score", "channel")

    def get_queryset(self, request: HttpRequest) -> Any:
        return super().get_queryset(request).select_related("case")
