"""Who is the customer talking to the bot: logged in (the channel says so), or someone who
knows an order number and the phone number on it.

"No such order" and "wrong phone" are one answer (None), so the bot cannot be used to find out
which order numbers exist. Failed checks are counted per session (the bot hands over after
MAX_FAILURES) and per order number across sessions in Django's cache, so opening a new
conversation for every guess does not buy a fresh allowance.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from django.core.cache import cache

from aftercare.commerce.models import Customer, Order
from aftercare.commerce.phones import InvalidPhone, to_e164
from aftercare.merchants.models import Merchant
from aftercare.merchants.queries import scoped

MAX_FAILURES = 3  # per conversation, then a person takes over
ORDER_WINDOW_SECONDS = 10 * 60
FAILURES_PER_ORDER = 5  # per order number in the window, whatever the conversation
NUMBER_LIMIT = 64
# Order numbers are the merchant's own: letters, digits and dashes with at least one digit.
TOKEN = re.compile(r"[A-Za-z0-9][A-Za-z0-9_\-/]{2,63}")
PHONE_CHARS = re.compile(r"(?<![A-Za-z0-9+])\+?\d[\d \-()]{6,18}\d(?!\d)")


@dataclass(frozen=True)
class Offered:
    """What a message offers for identification."""

    order_numbers: list[str]
    phone: str | None  # E.164


def read_identifiers(text: str, *, region: str) -> Offered:
    """Order number candidates and a phone number found in free text.

    A run of digits that reads as a valid phone number is the phone; every other token with
    a digit in it may be an order number (the merchant's numbers have no fixed shape).
    """
    phone = None
    phone_digits: set[str] = set()
    for match in PHONE_CHARS.finditer(text):
        raw = match.group()
        if not raw.lstrip("+").replace(" ", "").replace("-", "").isdigit():
            continue
        try:
            phone = phone or to_e164(raw, region=region)
        except InvalidPhone:
            continue
        phone_digits.add(re.sub(r"\D", "", raw))
    numbers = []
    for token in TOKEN.findall(text):
        digits = re.sub(r"\D", "", token)
        if not digits or (len(digits) >= 7 and any(digits in p for p in phone_digits)):
            continue  # no digit, or (part of) the phone number
        if token.isdigit() and len(token) < 5:
            continue  # "2 pairs", "3 days": not an order number
        numbers.append(token[:NUMBER_LIMIT])
    return Offered(order_numbers=list(dict.fromkeys(numbers)), phone=phone)


def _failure_key(merchant: Merchant, number: str) -> str:
    return f"bot:id-failures:{merchant.pk}:{number.casefold()}"


def _order_locked(merchant: Merchant, number: str) -> bool:
    return int(cache.get(_failure_key(merchant, number), 0)) >= FAILURES_PER_ORDER


def count_failure(merchant: Merchant, number: str) -> None:
    key = _failure_key(merchant, number)
    cache.add(key, 0, ORDER_WINDOW_SECONDS)
    try:
        cache.incr(key)
    except ValueError:  # expired between add() and incr()
        cache.set(key, 1, ORDER_WINDOW_SECONDS)


def verify_order(merchant: Merchant, number: str, phone: str) -> Order | None:
    """The merchant's order with that number whose customer has that phone; else None."""
    if not number or not phone or _order_locked(merchant, number):
        return None
    order = scoped(Order, merchant).select_related("customer").filter(external_id=number).first()
    if order is None or not order.customer.phone or order.customer.phone != phone:
        return None
    return order


def order_of_customer(merchant: Merchant, customer: Customer, number: str) -> Order | None:
    """A logged-in customer naming one of their own orders (no phone needed)."""
    return (
        scoped(Order, merchant)
        .select_related("customer")
        .filter(external_id=number, customer=customer)
        .first()
    )


def logged_in_customer(merchant: Merchant, customer_id: int | None) -> Customer | None:
    """The channel's logged-in customer, if it is one of this merchant's (else nobody)."""
    if customer_id is None:
        return None
    return scoped(Customer, merchant).filter(pk=customer_id).first()
