"""Admin for tenancy: merchants, stores, members, and API keys (secret shown once)."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import admin
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.template.response import TemplateResponse
from django.utils.translation import gettext_lazy as _

from aftercare.core.actors import Actor
from aftercare.core.admin import MerchantScopedAdminMixin, admin_merchant_id, is_superuser
from aftercare.merchants.actions import create_api_key, revoke_api_key
from aftercare.merchants.models import ApiKey, Member, Merchant, Store
from aftercare.merchants.roles import API_SCOPES

_SECRET_ATTR = "_aftercare_new_api_key_secret"


@admin.register(Merchant)
class MerchantAdmin(MerchantScopedAdminMixin, admin.ModelAdmin):
    merchant_lookup = "pk"
    # A merchant admin edits their own merchant's settings; creating tenants is for superusers.
    merchant_admin_may = frozenset({"view", "change"})
    list_display = ("name", "slug", "default_language", "timezone", "currency", "created_at")
    search_fields = ("name", "slug")
    prepopulated_fields = {"slug": ("name",)}

    def get_list_filter(self, request: HttpRequest) -> Any:
        return ()  # no merchant column to filter by: this is the merchant table


@admin.register(Store)
class StoreAdmin(MerchantScopedAdminMixin, admin.ModelAdmin):
    list_display = ("name", "code", "channel", "merchant", "created_at")
    list_filter = ("channel",)
    search_fields = ("name", "=code")


@admin.register(Member)
class MemberAdmin(MerchantScopedAdminMixin, admin.ModelAdmin):
    # Adding people means creating sign-ins too; that goes through merchants.actions.add_member
    # (the `aftercare` command), so a merchant admin edits roles and names here.
    merchant_admin_may = frozenset({"view", "change"})
    list_display = ("user", "display_name", "role", "merchant", "created_at")
    list_filter = ("role",)
    search_fields = ("user__username", "display_name", "user__email")
    list_select_related = ("user", "merchant")


class ApiKeyCreateForm(forms.ModelForm):
    scopes = forms.MultipleChoiceField(
        choices=[(scope, f"{scope} — {text}") for scope, text in API_SCOPES.items()],
        widget=forms.CheckboxSelectMultiple,
        help_text=_("Give a key only what its integration needs."),
    )

    class Meta:
        model = ApiKey
        fields = ("merchant", "name", "scopes")


@admin.action(description=_("Revoke the selected keys"), permissions=["delete"])
def revoke_keys(modeladmin: ApiKeyAdmin, request: HttpRequest, queryset: QuerySet[ApiKey]) -> None:
    revoked = 0
    for key in queryset.select_related("merchant").filter(revoked_at__isnull=True):
        revoke_api_key(actor=admin_actor(request, key.merchant), key=key)
        revoked += 1
    modeladmin.message_user(request, _("%(count)d key(s) revoked.") % {"count": revoked})


@admin.register(ApiKey)
class ApiKeyAdmin(MerchantScopedAdminMixin, admin.ModelAdmin):
    """Keys are created through merchants.actions.create_api_key; the secret is rendered once
    in the response to the add form and never stored or put in a message or cookie."""

    list_display = ("name", "prefix", "scope_list", "is_revoked", "last_used_at", "merchant")
    list_filter = ("revoked_at",)
    search_fields = ("name", "=prefix")
    actions = (revoke_keys,)
    readonly_fields = (
        "merchant",
        "name",
        "prefix",
        "scopes",
        "created_at",
        "last_used_at",
        "revoked_at",
    )
    exclude = ("secret_hash",)

    @admin.display(description=_("Scopes"))
    def scope_list(self, key: ApiKey) -> str:
        return ", ".join(key.scopes)

    @admin.display(description=_("Revoked"), boolean=True)
    def is_revoked(self, key: ApiKey) -> bool:
        return key.revoked_at is not None

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> Any:
        return () if obj is None else self.readonly_fields

    def get_form(self, request: HttpRequest, obj: Any = None, change: bool = False, **kwargs: Any):  # type: ignore[no-untyped-def]
        if obj is None:
            kwargs["form"] = ApiKeyCreateForm
            kwargs["fields"] = ApiKeyCreateForm.Meta.fields
        return super().get_form(request, obj, change, **kwargs)

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False  # keys are immutable; revoke and create a new one instead

    def save_model(self, request: HttpRequest, obj: ApiKey, form: Any, change: bool) -> None:
        key, secret = create_api_key(
            actor=admin_actor(request, form.cleaned_data["merchant"]),
            name=form.cleaned_data["name"],
            scopes=list(form.cleaned_data["scopes"]),
        )
        for field in ApiKey._meta.concrete_fields:
            setattr(obj, field.attname, getattr(key, field.attname))
        obj._state.adding = False
        setattr(request, _SECRET_ATTR, secret)

    def response_add(
        self, request: HttpRequest, obj: ApiKey, post_url_continue: Any = None
    ) -> HttpResponse:
        secret = getattr(request, _SECRET_ATTR, None)
        if secret is None:
            return super().response_add(request, obj, post_url_continue)
        context = {
            **self.admin_site.each_context(request),
            "opts": self.opts,
            "key": obj,
            "secret": secret,
            "title": _("Copy the new API key now"),
        }
        response = TemplateResponse(request, "admin/merchants/apikey/secret_once.html", context)
        response["Cache-Control"] = "no-store"
        return response

    def message_user(self, request: HttpRequest, message: Any, *args: Any, **kwargs: Any) -> None:
        # The default "added successfully" message is replaced by the secret page.
        if getattr(request, _SECRET_ATTR, None) is None:
            super().message_user(request, message, *args, **kwargs)


def admin_actor(request: HttpRequest, merchant: Merchant) -> Actor:
    """The audit identity of someone working in the admin, on behalf of `merchant`."""
    user: Any = request.user
    if not is_superuser(request) and admin_merchant_id(request) != merchant.pk:
        raise PermissionError("A merchant admin acts only for their own merchant.")
    return Actor(merchant=merchant, label=f"admin:{user.get_username()}", role="admin", user=user)
