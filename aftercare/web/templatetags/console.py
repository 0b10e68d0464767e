"""Filters for console templates; the logic lives in aftercare.web.display."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django import template

from aftercare.web import display

register = template.Library()


@register.filter
def carrier(code: str) -> str:
    return display.carrier_name(code or "")


@register.filter
def channel(store: Any) -> str:
    """The store's sales channel, with marketplace names in the interface language."""
    return display.channel_name(store.channel, store.get_channel_display())


@register.filter
def payment_method(code: str) -> str:
    return display.payment_method_name(code or "")


@register.filter
def order_badge(status: str) -> str:
    return display.ORDER_BADGES.get(status, "is-light")


@register.filter
def shipment_badge(status: str) -> str:
    return display.SHIPMENT_BADGES.get(status, "is-light")


@register.filter
def money(amount: Decimal | None, currency: str = "CNY") -> str:
    return display.format_money(amount, currency or "CNY")


@register.filter
def phone(e164: str) -> str:
    return display.format_phone(e164 or "")


@register.filter
def may(membership: Any, permission: str) -> bool:
    """Whether the member's role grants the permission (for showing a link, never for
    allowing an action: the view and the action check again)."""
    from aftercare.merchants.roles import role_allows

    return membership is not None and role_allows(membership.role, permission)
