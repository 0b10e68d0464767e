"""Admin: the desk's configuration as data (skill groups, routing rules, SLA policies, the
business calendar), editable by the merchant's admins; tickets and SLA outcomes read-only
(actions change tickets, not forms). Agents' presence and load change only through actions,
so they have no admin form that could break the load counter."""

from __future__ import annotations

from django.contrib import admin

from aftercare.core.admin import MerchantScopedAdminMixin, ReadOnlyAdminMixin
from aftercare.tickets.models import (
    BusinessCalendar,
    RoutingRule,
    SkillGroup,
    SlaPolicy,
    SlaRecord,
    Ticket,
)


@admin.register(SkillGroup)
class SkillGroupAdmin(MerchantScopedAdminMixin, admin.ModelAdmin):
    list_display = ("name", "code", "supervisor", "is_default")


@admin.register(RoutingRule)
class RoutingRuleAdmin(MerchantScopedAdminMixin, admin.ModelAdmin):
    list_display = ("position", "group", "ticket_type", "intent", "tier", "flagged")
    ordering = ("position", "id")


@admin.register(SlaPolicy)
class SlaPolicyAdmin(MerchantScopedAdminMixin, admin.ModelAdmin):
    list_display = (
        "tier",
        "ticket_type",
        "first_response_minutes",
        "next_response_minutes",
        "resolution_minutes",
        "remind_before_minutes",
    )


@admin.register(BusinessCalendar)
class BusinessCalendarAdmin(MerchantScopedAdminMixin, admin.ModelAdmin):
    list_display = ("merchant", "timezone")


@admin.register(Ticket)
class TicketAdmin(ReadOnlyAdminMixin, MerchantScopedAdminMixin, admin.ModelAdmin):
    list_display = ("number", "subject", "status", "priority", "group", "assignee", "next_due_at")
    list_filter = ("status", "priority")
    search_fields = ("number", "subject")


@admin.register(SlaRecord)
class SlaRecordAdmin(ReadOnlyAdminMixin, MerchantScopedAdminMixin, admin.ModelAdmin):
    list_display = ("ticket", "kind", "tier", "ticket_type", "due_at", "hit")
    list_filter = ("kind", "hit", "tier")
