"""Admin plumbing shared by every app, and the read-only admin of the audit log, outbox and inbox.

A merchant's administrator (a staff user whose membership has the admin role) manages that
merchant's configuration in the Django admin. They get no Django model permissions; instead
their role grants access here, and every queryset and every related-object choice is
filtered to their merchant. Superusers see everything. Any other staff user sees nothing.
"""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.contrib.auth import get_user_model
from django.db import models
from django.forms import ModelChoiceField
from django.http import HttpRequest

from aftercare.core.models import AuditEvent, InboxEvent, OutboxAttempt, OutboxMessage
from aftercare.merchants.models import Member, Merchant, MerchantScoped, Role

_CACHE_ATTR = "_aftercare_admin_merchant_id"


def admin_merchant_id(request: HttpRequest) -> int | None:
    """The merchant a non-superuser staff member administers, or None. Cached per request."""
    if not hasattr(request, _CACHE_ATTR):
        user: Any = request.user
        merchant_id = None
        if user.is_active and user.is_staff:
            merchant_id = (
                Member.objects.filter(user=user, role=Role.ADMIN)
                .values_list("merchant_id", flat=True)
                .first()
            )
        setattr(request, _CACHE_ATTR, merchant_id)
    found: int | None = getattr(request, _CACHE_ATTR)
    return found


def is_superuser(request: HttpRequest) -> bool:
    return bool(getattr(request.user, "is_superuser", False))


class RoleAdminPermissions:
    """Permissions from the merchant-admin role rather than Django's per-model permissions.

    Subclasses say what a merchant admin may do with `merchant_admin_may`; superusers keep
    Django's own checks.
    """

    merchant_admin_may: frozenset[str] = frozenset({"view", "add", "change", "delete"})

    def _role_allows(self, request: HttpRequest, what: str) -> bool:
        return what in self.merchant_admin_may and admin_merchant_id(request) is not None

    def has_module_permission(self, request: HttpRequest) -> bool:
        if is_superuser(request):
            return super().has_module_permission(request)  # type: ignore[misc]
        return self._role_allows(request, "view")

    def has_view_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        if is_superuser(request):
            return super().has_view_permission(request, obj)  # type: ignore[misc]
        return self._role_allows(request, "view")

    def has_add_permission(self, request: HttpRequest, *args: Any) -> bool:
        if is_superuser(request):
            return super().has_add_permission(request, *args)  # type: ignore[misc]
        return self._role_allows(request, "add")

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        if is_superuser(request):
            return super().has_change_permission(request, obj)  # type: ignore[misc]
        return self._role_allows(request, "change")

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        if is_superuser(request):
            return super().has_delete_permission(request, obj)  # type: ignore[misc]
        return self._role_allows(request, "delete")


class MerchantScopedAdminMixin(RoleAdminPermissions):
    """Rows, and the choices offered in forms, limited to the merchant admin's merchant."""

    merchant_lookup = "merchant_id"  # Merchant's own admin uses "pk"

    def get_queryset(self, request: HttpRequest) -> models.QuerySet[Any]:
        queryset: models.QuerySet[Any] = super().get_queryset(request)  # type: ignore[misc]
        if is_superuser(request):
            return queryset
        merchant_id = admin_merchant_id(request)
        if merchant_id is None:
            return queryset.none()
        return queryset.filter(**{self.merchant_lookup: merchant_id})

    def formfield_for_foreignkey(
        self, db_field: models.ForeignKey[Any, Any], request: HttpRequest, **kwargs: Any
    ) -> ModelChoiceField | None:
        merchant_id = admin_merchant_id(request)
        if not is_superuser(request) and merchant_id is not None:
            choices = scoped_choices(db_field.related_model, merchant_id)
            if choices is not None:
                kwargs["queryset"] = choices
                if db_field.related_model is Merchant:
                    kwargs["initial"] = merchant_id
        return super().formfield_for_foreignkey(db_field, request, **kwargs)  # type: ignore[misc]

    def get_list_filter(self, request: HttpRequest) -> Any:
        filters = list(super().get_list_filter(request))  # type: ignore[misc]
        # Only a superuser has more than one merchant to filter by.
        return ["merchant", *filters] if is_superuser(request) else filters


def scoped_choices(model: Any, merchant_id: int) -> models.QuerySet[Any] | None:
    """The rows of `model` a merchant admin may pick in a form; None if not tenant data."""
    if model is Merchant:
        return Merchant.objects.filter(pk=merchant_id)
    if isinstance(model, type) and issubclass(model, MerchantScoped):
        return model._default_manager.filter(merchant_id=merchant_id)
    if model is get_user_model():
        return model._default_manager.filter(membership__merchant_id=merchant_id)
    return None


class ReadOnlyAdminMixin:
    """For records the system writes and nobody edits: the audit log, outbox, inbox."""

    merchant_admin_may = frozenset({"view"})

    def has_add_permission(self, request: HttpRequest, *args: Any) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(AuditEvent)
class AuditEventAdmin(ReadOnlyAdminMixin, MerchantScopedAdminMixin, admin.ModelAdmin):
    list_display = ("created_at", "subject_type", "subject_id", "kind", "actor_label", "reason")
    list_filter = ("subject_type",)
    search_fields = ("=subject_id", "kind", "actor_label")
    list_select_related = ("merchant",)
    show_full_result_count = False  # the log grows without bound; COUNT(*) would be slow


class OutboxAttemptInline(ReadOnlyAdminMixin, RoleAdminPermissions, admin.TabularInline):
    # No merchant column: the parent message is already scoped.
    model = OutboxAttempt
    fields = ("number", "worker", "started_at", "finished_at", "outcome", "detail")
    readonly_fields = fields
    extra = 0


@admin.register(OutboxMessage)
class OutboxMessageAdmin(ReadOnlyAdminMixin, MerchantScopedAdminMixin, admin.ModelAdmin):
    list_display = ("created_at", "topic", "status", "attempts", "next_attempt_at", "last_error")
    list_filter = ("status", "topic")
    search_fields = ("=dedupe_key",)
    inlines = (OutboxAttemptInline,)
    show_full_result_count = False


@admin.register(InboxEvent)
class InboxEventAdmin(ReadOnlyAdminMixin, MerchantScopedAdminMixin, admin.ModelAdmin):
    list_display = ("received_at", "provider", "event_id", "status", "processed_at", "error")
    list_filter = ("status", "provider")
    search_fields = ("=event_id",)
    show_full_result_count = False
