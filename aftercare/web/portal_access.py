"""Who may see an order in the portal: whoever knows its number and the phone or email on it.

Guessing is slowed down per client address and per order number with Django's cache (Redis
when configured, so every app server counts together). "No such order" and "wrong phone"
give the same answer, so the form cannot be used to find out which order numbers exist.
A verified order id is kept in the session, one per merchant: that order and its cases only.
"""

from __future__ import annotations

from django.core.cache import cache
from django.http import HttpRequest

from aftercare.commerce.models import Order
from aftercare.commerce.phones import InvalidPhone, to_e164
from aftercare.merchants.models import Merchant
from aftercare.merchants.queries import scoped

WINDOW_SECONDS = 10 * 60
ATTEMPTS_PER_IP = 10
ATTEMPTS_PER_ORDER = 5
NUMBER_LIMIT = 64


def _session_key(merchant: Merchant) -> str:
    return f"portal_order:{merchant.pk}"


def client_ip(request: HttpRequest) -> str:
    # REMOTE_ADDR, not X-Forwarded-For: a client can write any forwarded header it likes,
    # which would hand it a fresh allowance per request. Behind a proxy the deployment sets
    # REMOTE_ADDR from the trusted hop.
    return str(request.META.get("REMOTE_ADDR") or "unknown")


def _counter_keys(merchant: Merchant, ip: str, order_number: str) -> tuple[str, str]:
    return (
        f"portal:attempts:ip:{ip}",
        f"portal:attempts:order:{merchant.pk}:{order_number.casefold()}",
    )


def _count(key: str) -> int:
    # add() only sets a missing key, so the window starts at the first attempt and is not
    # pushed back by later ones; incr() is atomic on Redis and in the local-memory cache.
    cache.add(key, 0, WINDOW_SECONDS)
    try:
        return int(cache.incr(key))
    except ValueError:  # expired between add() and incr()
        cache.set(key, 1, WINDOW_SECONDS)
        return 1


def take_attempt(merchant: Merchant, ip: str, order_number: str) -> bool:
    """Count one lookup; False when the address or the order number has used its allowance."""
    by_ip, by_order = _counter_keys(merchant, ip, order_number)
    ip_count = _count(by_ip)
    order_count = _count(by_order)
    return ip_count <= ATTEMPTS_PER_IP and order_count <= ATTEMPTS_PER_ORDER


def clean_number(raw: str) -> str:
    return raw.strip()[:NUMBER_LIMIT]


def find_order(merchant: Merchant, order_number: str, contact: str) -> Order | None:
    """The order when the number and the phone/email both match it; otherwise None.

    Both failures return the same None: callers must not tell them apart.
    """
    if not order_number or not contact.strip():
        return None
    order = (
        scoped(Order, merchant).select_related("customer").filter(external_id=order_number).first()
    )
    if order is None:
        return None
    customer = order.customer
    if "@" in contact:
        wanted = contact.strip().casefold()
        return order if customer.email and customer.email.casefold() == wanted else None
    try:
        phone = to_e164(contact, region=merchant.default_phone_region)
    except InvalidPhone:
        return None
    return order if customer.phone and customer.phone == phone else None


def grant(request: HttpRequest, merchant: Merchant, order: Order) -> None:
    # A new session key on success: a session id planted before the lookup learns nothing.
    request.session.cycle_key()
    request.session[_session_key(merchant)] = order.pk


def granted_order_id(request: HttpRequest, merchant: Merchant) -> int | None:
    value = request.session.get(_session_key(merchant))
    return value if isinstance(value, int) else None
