"""Admin for synced commerce data: customers, products, orders (with lines), shipments.

Lists on a million orders must stay quick: searches are exact matches on indexed columns
where they can be, related objects are picked by id, and full result counts are skipped.
"""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from django.forms.models import BaseInlineFormSet
from django.http import HttpRequest

from aftercare.commerce.models import Customer, Order, OrderLine, Payment, Product, Shipment
from aftercare.commerce.phones import InvalidPhone, looks_like_phone, to_e164
from aftercare.core.admin import MerchantScopedAdminMixin


class PhoneSearchMixin:
    """Lets the admin search box find a customer's phone however it is typed."""

    phone_lookup = "phone"

    def get_search_results(
        self, request: HttpRequest, queryset: QuerySet[Any], search_term: str
    ) -> tuple[QuerySet[Any], bool]:
        if looks_like_phone(search_term):
            try:
                e164 = to_e164(search_term)
            except InvalidPhone:
                pass
            else:
                return queryset.filter(**{self.phone_lookup: e164}), False
        return super().get_search_results(request, queryset, search_term)  # type: ignore[misc]


@admin.register(Customer)
class CustomerAdmin(PhoneSearchMixin, MerchantScopedAdminMixin, admin.ModelAdmin):
    list_display = ("external_id", "name", "phone", "email", "tier", "language", "merchant")
    list_filter = ("tier", "language")
    search_fields = ("=external_id", "name", "=email")
    show_full_result_count = False


@admin.register(Product)
class ProductAdmin(MerchantScopedAdminMixin, admin.ModelAdmin):
    list_display = ("sku", "name", "category", "price", "returnable", "return_window_days")
    list_filter = ("category", "returnable", "must_be_unopened", "is_hygiene", "is_perishable")
    search_fields = ("=sku", "name")
    show_full_result_count = False


class OrderChildFormSet(BaseInlineFormSet):
    """Checks the per-merchant unique ids of lines, payments and shipments before saving.

    The merchant is not a field of these forms (it comes from the order), so Django skips the
    constraints that include it and a duplicate id would only fail at INSERT, as a server error.
    """

    def clean(self) -> None:
        super().clean()
        merchant_id = getattr(self.instance, "merchant_id", None)
        if merchant_id is None:
            return
        for form in self.forms:
            if form.errors or not form.has_changed() or form.cleaned_data.get("DELETE"):
                continue
            form.instance.merchant_id = merchant_id
            try:
                form.instance.validate_constraints()
            except ValidationError as error:
                form.add_error(None, error)


class OrderChildInline(MerchantScopedAdminMixin, admin.TabularInline):
    """Lines, payments and shipments belong to the order's merchant; set it from the order."""

    exclude = ("merchant",)
    extra = 0
    formset = OrderChildFormSet

    def get_list_filter(self, request: HttpRequest) -> Any:
        return ()


class OrderLineInline(OrderChildInline):
    model = OrderLine
    raw_id_fields = ("product",)


class PaymentInline(OrderChildInline):
    model = Payment


class ShipmentInline(OrderChildInline):
    model = Shipment
    fields = ("external_id", "carrier", "tracking_number", "status", "shipped_at", "delivered_at")


@admin.register(Order)
class OrderAdmin(PhoneSearchMixin, MerchantScopedAdminMixin, admin.ModelAdmin):
    phone_lookup = "customer__phone"
    list_display = ("external_id", "placed_at", "customer", "store", "status", "total", "currency")
    list_filter = ("status", "store__channel")
    list_select_related = ("customer", "store")
    search_fields = ("=external_id", "=customer__email", "=customer__external_id")
    raw_id_fields = ("customer",)
    inlines = (OrderLineInline, PaymentInline, ShipmentInline)
    show_full_result_count = False

    def save_formset(self, request: HttpRequest, form: Any, formset: Any, change: bool) -> None:
        for child in formset.save(commit=False):
            child.merchant_id = form.instance.merchant_id
            child.save()
        for gone in formset.deleted_objects:
            gone.delete()
        formset.save_m2m()


@admin.register(Shipment)
class ShipmentAdmin(MerchantScopedAdminMixin, admin.ModelAdmin):
    list_display = ("tracking_number", "carrier", "status", "order", "shipped_at", "delivered_at")
    list_filter = ("status", "carrier")
    list_select_related = ("order",)
    search_fields = ("=tracking_number", "=order__external_id", "=external_id")
    raw_id_fields = ("order",)
    show_full_result_count = False
