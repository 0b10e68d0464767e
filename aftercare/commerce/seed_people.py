"""Demo customers: names, phones, e-mails, languages, tiers and addresses that fit together.

A customer's market (mainland, Hong Kong, Taiwan, US, UK) decides the script of the name, the
phone's country code, the language and the shipping address, so the data reads like a real
store's rather than a random mix.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from itertools import accumulate

from aftercare.commerce import seed_catalog as cat

MAINLAND, HONG_KONG, TAIWAN, US, UK = range(5)
FOREIGN = (US, UK)
GREATER_CHINA_OVERSEAS = (HONG_KONG, TAIWAN)

# Share of customers per market, as cumulative thresholds on a uniform draw.
_MARKET_THRESHOLDS = ((0.82, MAINLAND), (0.89, HONG_KONG), (0.95, TAIWAN), (0.985, US))
# The most frequent buyers (lowest indexes, see pick_customer) are the VIPs.
VIP_SHARE = 0.04
POTENTIAL_SHARE = 0.20

_CN_REGION_CUM = list(accumulate(weight for _, weight, _ in cat.CN_REGIONS))


@dataclass
class CustomerBook:
    """What order generation needs to know about each customer, by index."""

    markets: bytearray = field(default_factory=bytearray)
    destinations: list[str] = field(default_factory=list)
    addresses: list[str] = field(default_factory=list)

    def __len__(self) -> int:
        return len(self.markets)


def pick_customer(rng: random.Random, count: int) -> int:
    # A power law: a few customers buy often, most buy once or twice.
    return int(count * rng.random() ** 1.8)


def tier_for(index: int, count: int) -> str:
    if index < count * VIP_SHARE:
        return "vip"
    if index < count * (VIP_SHARE + POTENTIAL_SHARE):
        return "potential"
    return "normal"


def _market(rng: random.Random) -> int:
    draw = rng.random()
    for threshold, market in _MARKET_THRESHOLDS:
        if draw < threshold:
            return market
    return UK


def _digits(rng: random.Random, count: int) -> str:
    return f"{rng.randrange(10**count):0{count}d}"


def phone_for(rng: random.Random, market: int) -> str:
    """An E.164 mobile number of the market, from prefixes libphonenumber accepts."""
    if market == MAINLAND:
        return f"+86{rng.choice(cat.CN_MOBILE_PREFIXES)}{_digits(rng, 8)}"
    if market == HONG_KONG:
        return f"+852{rng.choice(cat.HK_MOBILE_PREFIXES)}{_digits(rng, 5)}"
    if market == TAIWAN:
        return f"+886{rng.choice(cat.TW_MOBILE_PREFIXES)}{_digits(rng, 6)}"
    if market == US:
        # Exchange codes 2xx-9xx other than N11 and 555 are assignable.
        exchange = rng.randrange(201, 999)
        while exchange % 100 == 11 or exchange == 555:
            exchange = rng.randrange(201, 999)
        return f"+1{rng.choice(cat.US_AREA_CODES)}{exchange}{_digits(rng, 4)}"
    return f"+44{rng.choice(cat.UK_MOBILE_PREFIXES)}{_digits(rng, 6)}"


def _chinese_name(
    rng: random.Random, surnames: tuple[tuple[str, str], ...], given: tuple[tuple[str, str], ...]
) -> tuple[str, str]:
    """(name in characters, romanised handle for an e-mail address)."""
    surname, surname_roman = rng.choice(surnames)
    parts = [rng.choice(given) for _ in range(1 if rng.random() < 0.3 else 2)]
    name = surname + "".join(char for char, _ in parts)
    handle = surname_roman + "".join(roman for _, roman in parts)
    return name, handle


def _english_name(rng: random.Random, last_names: tuple[str, ...] = cat.EN_LAST) -> tuple[str, str]:
    first, last = rng.choice(cat.EN_FIRST), rng.choice(last_names)
    return f"{first} {last}", f"{first}.{last}".lower()


def _email(rng: random.Random, handle: str, domains: tuple[str, ...]) -> str:
    domain = rng.choice(domains)
    if domain == "qq.com" and rng.random() < 0.7:
        return f"{rng.randrange(10_000_000, 3_999_999_999)}@qq.com"  # most QQ mail is numeric
    suffix = str(rng.randrange(1970, 2006)) if rng.random() < 0.5 else _digits(rng, 3)
    return f"{handle}{suffix}@{domain}"


def _mainland_place(rng: random.Random) -> tuple[str, str]:
    index = rng.choices(range(len(cat.CN_REGIONS)), cum_weights=_CN_REGION_CUM)[0]
    region, _, districts = cat.CN_REGIONS[index]
    street = f"{rng.choice(cat.CN_STREETS)}{rng.randrange(1, 999)}号"
    building, floor, flat = rng.randrange(1, 30), rng.randrange(1, 33), rng.randrange(1, 6)
    unit = f"{rng.choice(cat.CN_COMPOUNDS)}{building}栋{floor}0{flat}"
    return region, f"{region}{rng.choice(districts)}{street}{unit}"


def _overseas_chinese_place(
    rng: random.Random, places: tuple[tuple[str, tuple[str, ...]], ...]
) -> tuple[str, str]:
    region, streets = rng.choice(places)
    return region, f"{region}{rng.choice(streets)}{rng.randrange(1, 600)}號{rng.randrange(2, 30)}樓"


def _western_place(
    rng: random.Random, places: tuple[tuple[str, str, str], ...], country: str
) -> tuple[str, str]:
    region, city, postcode = rng.choice(places)
    street = f"{rng.randrange(1, 2400)} {rng.choice(cat.EN_STREETS)}"
    return region, f"{street}, {city} {postcode}, {country}"


def _person(rng: random.Random, market: int) -> tuple[str, str, str, tuple[str, str]]:
    """(name, e-mail or "", language, (destination region, address)) for one customer."""
    if market == MAINLAND:
        name, handle = _chinese_name(rng, cat.HANS_SURNAMES, cat.HANS_GIVEN)
        email = _email(rng, handle, cat.CN_MAIL_DOMAINS) if rng.random() < 0.6 else ""
        return name, email, "zh-Hans", _mainland_place(rng)
    if market == HONG_KONG:
        place = _overseas_chinese_place(rng, cat.HK_DISTRICTS)
        if rng.random() < 0.35:
            # Many Hong Kong customers go by an English given name and write in English.
            hk_last = tuple(roman.title() for _, roman in cat.HK_SURNAMES)
            name, handle = _english_name(rng, hk_last)
            return name, _email(rng, handle, cat.HK_MAIL_DOMAINS), "en", place
        name, handle = _chinese_name(rng, cat.HK_SURNAMES, cat.HANT_GIVEN)
        return name, _email(rng, handle, cat.HK_MAIL_DOMAINS), "zh-Hant", place
    if market == TAIWAN:
        name, handle = _chinese_name(rng, cat.TW_SURNAMES, cat.HANT_GIVEN)
        place = _overseas_chinese_place(rng, cat.TW_CITIES)
        return name, _email(rng, handle, cat.TW_MAIL_DOMAINS), "zh-Hant", place
    name, handle = _english_name(rng)
    place = (
        _western_place(rng, cat.US_PLACES, "US")
        if market == US
        else _western_place(rng, cat.UK_PLACES, "GB")
    )
    return name, _email(rng, handle, cat.EN_MAIL_DOMAINS), "en", place


def customer_rows(
    rng: random.Random, start: int, stop: int, count: int, book: CustomerBook
) -> list[tuple[int, str, str, str, str, str, str]]:
    """Customers start..stop-1 as (index, external id, name, phone, email, language, tier) rows,
    recording each one's market and address in `book` for the orders that follow."""
    rows = []
    for index in range(start, stop):
        market = _market(rng)
        name, email, language, (destination, address) = _person(rng, market)
        book.markets.append(market)
        book.destinations.append(destination)
        book.addresses.append(address)
        phone = phone_for(rng, market)
        rows.append(
            (index, f"C{index + 1:08d}", name, phone, email, language, tier_for(index, count))
        )
    return rows
