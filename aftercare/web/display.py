"""How the console shows codes to people: carriers, badge colours, money, phones."""

from __future__ import annotations

from decimal import Decimal

import phonenumbers
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

# Carrier codes arrive from the shop systems; agents know carriers by their brand names.
CARRIERS: dict[str, str | Promise] = {
    "sf": _("SF Express"),
    "zto": _("ZTO Express"),
    "yto": _("YTO Express"),
    "sto": _("STO Express"),
    "yunda": _("Yunda Express"),
    "jd": _("JD Logistics"),
    "ems": _("China Post EMS"),
    "jt": _("J&T Express"),
    "ups": "UPS",
    "fedex": "FedEx",
    "dhl": "DHL",
}

PAYMENT_METHODS: dict[str, str | Promise] = {
    "alipay": _("Alipay"),
    "wechat_pay": _("WeChat Pay"),
    "unionpay": _("UnionPay"),
    "card": _("Card"),
    "paypal": "PayPal",
    "cod": _("Cash on delivery"),
}

# Marketplace names as agents say them in each language; the model's labels are the
# English brand names.
CHANNELS: dict[str, str | Promise] = {
    "tmall": _("Tmall"),
    "taobao": _("Taobao"),
    "jd": _("JD.com"),
    "pinduoduo": _("Pinduoduo"),
    "douyin": _("Douyin"),
}

# Bulma tag modifiers. Colour carries meaning: green done, blue moving, amber waiting, red trouble.
ORDER_BADGES: dict[str, str] = {
    "pending": "is-warning is-light",
    "paid": "is-info is-light",
    "shipped": "is-link is-light",
    "delivered": "is-success is-light",
    "completed": "is-success",
    "cancelled": "is-danger is-light",
}
SHIPMENT_BADGES: dict[str, str] = {
    "pending": "is-warning is-light",
    "in_transit": "is-info is-light",
    "out_for_delivery": "is-link is-light",
    "delivered": "is-success is-light",
    "exception": "is-danger",
    "returned": "is-danger is-light",
}

CURRENCY_SYMBOLS: dict[str, str] = {
    "CNY": "¥",
    "HKD": "HK$",
    "TWD": "NT$",
    "USD": "US$",
    "EUR": "€",
    "GBP": "£",
    "JPY": "JP¥",
}


def carrier_name(code: str) -> str:
    return str(CARRIERS.get(code.lower(), code.upper()))


def channel_name(code: str, fallback: str) -> str:
    return str(CHANNELS.get(code, fallback))


def payment_method_name(code: str) -> str:
    return str(PAYMENT_METHODS.get(code.lower(), code))


def format_money(amount: Decimal | None, currency: str) -> str:
    if amount is None:
        return ""
    symbol = CURRENCY_SYMBOLS.get(currency.upper(), f"{currency.upper()} ")
    # Comma thousands and a decimal point are how prices are written in mainland China,
    # Taiwan, Hong Kong and English alike, so this does not follow the interface language.
    return f"{symbol}{amount:,.2f}"


def format_phone(e164: str) -> str:
    """+8613812345678 -> +86 138 1234 5678; anything unreadable is shown as stored."""
    if not e164:
        return ""
    try:
        number = phonenumbers.parse(e164, None)
    except phonenumbers.NumberParseException:
        return e164
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.INTERNATIONAL)
