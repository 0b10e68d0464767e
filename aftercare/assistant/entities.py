"""Things a message names that the desk can link: orders, cases, parcels, phones, emails and
amounts. Plain patterns: these identifiers have shapes, and a wrong guess costs only a lookup."""

from __future__ import annotations

import re
from typing import Any

from aftercare.commerce.phones import InvalidPhone, to_e164

# Our own numbers are RMA-<year>-<six digits>; other systems' may have one digit group.
CASE = re.compile(r"\bRMA[-_ ]?(?:\d{4}[-_ ]\d{6,9}|\d{3,12})\b", re.IGNORECASE)
CASE_SEPARATORS = re.compile(r"[-_ ]")
# SF Express, JD Logistics, YTO, UPS; then bare long digit runs that follow a carrier word.
TRACKING = re.compile(
    r"\b(?:SF\d{10,15}|JD[A-Z]?\d{9,15}|YT\d{10,15}|1Z[0-9A-Z]{16})\b", re.IGNORECASE
)
EMAIL = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+")
ORDER = re.compile(
    r"(?:订单号?|訂單號?|单号|單號|order(?:\s*(?:no\.?|number|#|id))?|pedido|commande|"
    r"bestellung|注文番号)\s*[:：#]?\s*([A-Z]{0,4}[-]?\d{5,20})",
    re.IGNORECASE,
)
BARE_ORDER = re.compile(r"(?<![\d+])(?:#\s*)(\d{5,20})\b")
PHONE = re.compile(r"(?<![\w+])(\+?\d[\d \-]{6,16}\d)(?!\d)")
AMOUNT = re.compile(
    r"(?P<pre>[¥￥$€£]|RMB|CNY|USD|EUR|HK\$|NT\$)\s?(?P<num>\d+(?:[.,]\d{1,2})?)"
    r"|(?P<num2>\d+(?:\.\d{1,2})?)\s?(?P<post>元|块|塊|rmb|yuan|dollars?|euros?|€)",
    re.IGNORECASE,
)
CURRENCY = {
    "¥": "CNY",
    "￥": "CNY",
    "rmb": "CNY",
    "cny": "CNY",
    "元": "CNY",
    "块": "CNY",
    "塊": "CNY",
    "yuan": "CNY",
    "$": "USD",
    "usd": "USD",
    "dollar": "USD",
    "dollars": "USD",
    "€": "EUR",
    "eur": "EUR",
    "euro": "EUR",
    "euros": "EUR",
    "£": "GBP",
    "hk$": "HKD",
    "nt$": "TWD",
}


def extract_entities(text: str, *, phone_region: str = "CN") -> dict[str, list[Any]]:
    case_matches = list(CASE.finditer(text))
    cases = [_case_number(m.group()) for m in case_matches]
    tracking = [m.group().upper() for m in TRACKING.finditer(text)]
    emails = EMAIL.findall(text)
    orders = [m.group(1) for m in ORDER.finditer(text)] + BARE_ORDER.findall(text)
    taken = set(tracking) | set(orders)
    # Blank the case numbers out first: their digits must neither be read as a phone nor
    # run into a phone number written after them.
    without_cases = CASE.sub(lambda m: " " * len(m.group()), text)
    phones = []
    for match in PHONE.finditer(without_cases):
        raw = match.group(1)
        if raw in taken or raw.replace(" ", "") in taken:
            continue
        try:
            phones.append(to_e164(raw, region=phone_region))
        except InvalidPhone:
            continue
    return {
        "order_numbers": _unique(o for o in orders if o not in set(tracking)),
        "case_numbers": _unique(cases),
        "tracking_numbers": _unique(tracking),
        "phones": _unique(phones),
        "emails": _unique(emails),
        "amounts": _amounts(text),
    }


def _case_number(found: str) -> str:
    """ "rma_2026 000123" -> "RMA-2026-000123"."""
    return "-".join(["RMA", *CASE_SEPARATORS.split(found[3:].lstrip("-_ "))])


def _amounts(text: str) -> list[dict[str, str]]:
    out = []
    for m in AMOUNT.finditer(text):
        symbol = (m.group("pre") or m.group("post") or "").lower()
        number = (m.group("num") or m.group("num2") or "").replace(",", ".")
        out.append({"value": number, "currency": CURRENCY.get(symbol, symbol.upper())})
    return out


def _unique(items: Any) -> list[Any]:
    return list(dict.fromkeys(items))
