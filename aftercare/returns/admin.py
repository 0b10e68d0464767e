"""Admin: cases read-only with their lines inline (actions change cases, not forms), and the
merchant's return desk (address, contact, pickup, holidays), which is plain settings.

A merchant's admins see only their merchant's rows; superusers see all.
"""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.db.models import QuerySet
from django.http import HttpRequest

from aftercare.merchants.queries import actor_for_user
from aftercare.returns.models import Case, CaseLine, ReturnDesk


def _merchant_id(request: HttpRequest) -> int | None:
    actor = actor_for_user(request.user)
    return actor.merchant_id if actor is not None else None


def _may_see(request: HttpRequest) -> bool:
    if request.user.is_superuser:  # type: ignore[union-attr]
        return True
    actor = actor_for_user(request.user)
    return actor is not None and actor.role in {"admin", "supervisor"}


class _Scoped(admin.ModelAdmin):
    def get_queryset(self, request: HttpRequest) -> QuerySet[Any]:
        queryset = super().get_queryset(request)
        if request.user.is_superuser:  # type: ignore[union-attr]
            return queryset
        return queryset.filter(merchant_id=_merchant_id(request))

    def has_module_permission(self, request: HttpRequest) -> bool:
        return _may_see(request)

    def has_view_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return _may_see(request)


class CaseLineInline(admin.TabularInline):
    model = CaseLine
    fields = (
        "order_line",
        "quantity",
        "stated_condition",
        "eligibility",
        "refund_amount",
        "outcome",
        "received_quantity",
        "damaged_quantity",
        "inspected_condition",
        "inspection_passed",
        "inspection_reason",
    )
    readonly_fields = fields
    extra = 0
    can_delete = False

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_view_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return _may_see(request)


@admin.register(Case)
class CaseAdmin(_Scoped):
    """Read-only: every change of a case goes through an action, so it is audited."""

    list_display = ("number", "status", "type", "reason", "customer", "auto_approved", "created_at")
    list_filter = ("status", "type", "reason", "auto_approved")
    search_fields = ("number", "order__external_id", "customer__name", "return_tracking_number")
    list_select_related = ("customer",)
    inlines = [CaseLineInline]
    date_hierarchy = "created_at"

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> list[str]:
        return [f.name for f in Case._meta.fields]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(ReturnDesk)
class ReturnDeskAdmin(_Scoped):
    list_display = ("address", "contact_name", "contact_phone", "offers_pickup")

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> list[str]:
        # A merchant admin edits its own desk; the merchant itself is fixed.
        return [] if request.user.is_superuser else ["merchant"]  # type: ignore[union-attr]

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return _may_see(request)

    def has_add_permission(self, request: HttpRequest) -> bool:
        return _may_see(request)

    def save_model(self, request: HttpRequest, obj: ReturnDesk, form: Any, change: bool) -> None:
        if not request.user.is_superuser:  # type: ignore[union-attr]
            merchant_id = _merchant_id(request)
            assert merchant_id is not None
            obj.merchant_id = merchant_id
        super().save_model(request, obj, form, change)
