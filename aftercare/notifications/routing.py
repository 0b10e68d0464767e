"""Which channels a message goes out on, in which language, and when (quiet hours).

Per message: the in-portal notice and the app push (when the merchant enabled them) go out
as they are; of the direct channels (SMS, email, voice) exactly one is picked: the
customer's preferred one if it is enabled, not opted out and the customer has the address
for it, else the first of the merchant's fallback order that qualifies. An SMS or call due
in the customer's quiet hours waits until the morning in the customer's time zone.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from aftercare.commerce.models import Customer
from aftercare.merchants.models import Merchant
from aftercare.notifications.defaults import normalise_language
from aftercare.notifications.models import (
    INTRUSIVE_CHANNELS,
    Channel,
    ContactPreference,
    NotificationSettings,
)

DEFAULT_ENABLED = (Channel.SMS, Channel.EMAIL, Channel.PORTAL)
DEFAULT_DIRECT_ORDER = (Channel.SMS, Channel.EMAIL)


@dataclass(frozen=True)
class Route:
    channel: str
    recipient: str
    due_at: datetime


def settings_of(merchant: Merchant | int) -> NotificationSettings:
    """The merchant's settings; an unsaved row of defaults when it never saved any."""
    merchant_id = merchant if isinstance(merchant, int) else merchant.pk
    found = NotificationSettings.objects.filter(merchant_id=merchant_id).first()
    return found or NotificationSettings(merchant_id=merchant_id)


def preference_of(customer: Customer) -> ContactPreference:
    found = ContactPreference.objects.filter(customer_id=customer.pk).first()
    return found or ContactPreference(merchant_id=customer.merchant_id, customer=customer)


def enabled_channels(settings: NotificationSettings) -> list[str]:
    return list(settings.enabled_channels or DEFAULT_ENABLED)


def language_of(customer: Customer, merchant: Merchant) -> str:
    return normalise_language(customer.language, normalise_language(merchant.default_language))


def address_for(customer: Customer, channel: str) -> str:
    if channel in (Channel.SMS, Channel.VOICE):
        return customer.phone
    if channel == Channel.EMAIL:
        return customer.email
    return str(customer.pk)  # portal and push address the customer record itself


def direct_channel(
    customer: Customer,
    settings: NotificationSettings,
    preference: ContactPreference,
    *,
    only: str | None = None,
) -> str | None:
    """The one direct channel to use, or None when none qualifies."""
    enabled = set(enabled_channels(settings))
    order = [preference.preferred_channel] if preference.preferred_channel else []
    order += list(settings.direct_order or DEFAULT_DIRECT_ORDER)
    if only:
        order = [only]
    for channel in dict.fromkeys(order):
        if channel not in (Channel.SMS, Channel.EMAIL, Channel.VOICE):
            continue
        usable = channel in enabled and channel not in preference.opted_out
        if usable and address_for(customer, channel):
            return channel
    return None


def routes_for(
    customer: Customer,
    settings: NotificationSettings,
    preference: ContactPreference,
    *,
    now: datetime,
    merchant_timezone: str,
) -> list[Route]:
    enabled = enabled_channels(settings)
    channels: list[str] = [
        channel
        for channel in (Channel.PORTAL, Channel.PUSH)
        if channel in enabled and channel not in preference.opted_out
    ]
    if Channel.PUSH in channels and not settings.push_url:
        channels.remove(Channel.PUSH)
    direct = direct_channel(customer, settings, preference)
    if direct is not None:
        channels.append(direct)
    zone = zone_of(preference.timezone or merchant_timezone)
    return [
        Route(
            channel=channel,
            recipient=address_for(customer, channel),
            due_at=due_time(channel, now, settings, zone),
        )
        for channel in channels
    ]


def zone_of(name: str) -> ZoneInfo:
    try:
        return ZoneInfo(name or "UTC")
    except (ZoneInfoNotFoundError, ValueError):
        return ZoneInfo("UTC")


def in_quiet_hours(local: time, start: time, end: time) -> bool:
    if start == end:
        return False
    if start < end:  # e.g. 13:00-14:00
        return start <= local < end
    return local >= start or local < end  # across midnight, e.g. 21:00-08:00


def due_time(
    channel: str, now: datetime, settings: NotificationSettings, zone: ZoneInfo
) -> datetime:
    """Now, or the end of the quiet hours in the customer's zone for SMS and calls."""
    if channel not in INTRUSIVE_CHANNELS:
        return now
    start, end = _as_time(settings.quiet_start), _as_time(settings.quiet_end)
    local = now.astimezone(zone)
    if not in_quiet_hours(local.time(), start, end):
        return now
    morning = datetime.combine(local.date(), end, tzinfo=zone)
    if morning <= local:
        morning = datetime.combine(local.date() + timedelta(days=1), end, tzinfo=zone)
    return morning


def _as_time(value: time | str) -> time:
    # An unsaved settings row still holds the field default as a string.
    return value if isinstance(value, time) else time.fromisoformat(value)
