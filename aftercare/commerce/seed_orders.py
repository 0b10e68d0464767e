"""Demo orders as rows: lines, money, payment and shipment, placed along a year up to `now`.

Everything here is plain Python over ints and strings (money in cents, times in epoch seconds)
because it runs a million times; `seeding.py` turns the rows into database writes. Each order's
data depends only on the seed, its index and `now`, so the same seed gives the same store; its
basket and amounts depend on the seed alone.
"""

from __future__ import annotations

import random
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from itertools import accumulate

from aftercare.commerce import seed_catalog as cat
from aftercare.commerce.seed_people import (
    FOREIGN,
    GREATER_CHINA_OVERSEAS,
    MAINLAND,
    CustomerBook,
    pick_customer,
)

HOUR = 3600
DAY = 24 * HOUR
YEAR = 365 * DAY
RECENT = 14 * DAY
RECENT_SHARE = 0.15  # orders in the last two weeks, so the demo has live work
CANCELLED_SHARE = 0.025
UNPAID_SHARE = 0.08  # of orders placed in the last day
AUTO_CONFIRM = 10 * DAY  # delivered orders count as completed after this, as on Tmall

LINE_COUNTS = (1, 2, 3, 4)
LINE_COUNT_CUM = tuple(accumulate((30, 30, 22, 18)))
QUANTITIES = (1, 2, 3)
QUANTITY_CUM = tuple(accumulate((80, 15, 5)))
COUPONS = ((99_900, 10_000), (49_900, 5_000), (29_900, 3_000), (19_900, 2_000))  # spend, off

ORDER_COLUMNS = (
    "id", "merchant_id", "external_id", "store_id", "customer_id", "status", "currency",
    "placed_at", "subtotal", "discount_total", "shipping_fee", "total", "shipping_address",
    "created_at", "updated_at",
)  # fmt: skip
LINE_COLUMNS = (
    "merchant_id", "order_id", "line_no", "product_id", "sku", "name", "quantity",
    "unit_price", "discount",
)  # fmt: skip
PAYMENT_COLUMNS = (
    "merchant_id", "order_id", "external_id", "method", "amount", "status", "paid_at",
)  # fmt: skip
SHIPMENT_COLUMNS = (
    "merchant_id", "order_id", "external_id", "carrier", "tracking_number", "status",
    "origin_region", "destination_region", "shipped_at", "delivered_at", "updated_at",
)  # fmt: skip


def money(cents: int) -> str:
    return f"{cents // 100}.{cents % 100:02d}"


_SCRAMBLE = 7_046_029_254_386_353_131  # odd and not a multiple of 5: coprime with 10**n


def scrambled(index: int, digits: int) -> str:
    """`index` as `digits` digits that look random but never repeat (a bijection mod 10**n),
    so numbers are unique without a lookup and do not read as a counter."""
    return f"{(index * _SCRAMBLE + 982_451_653) % 10**digits:0{digits}d}"


@dataclass(frozen=True)
class ProductRef:
    id: int
    sku: str
    name: str
    price: int  # cents
    digital: bool
    perishable: bool


@dataclass(frozen=True)
class Stores:
    own_site: int
    tmall: int
    jd: int
    shopify: int


@dataclass
class OrderContext:
    """Everything order generation reads; built once per seed run."""

    merchant_id: int
    now: int
    total_orders: int
    first_order_id: int
    first_customer_id: int
    customers: CustomerBook
    products: list[ProductRef]
    stores: Stores
    timestamp: Callable[[int], str]
    created: str  # the seed run's own time, for created_at/updated_at
    product_cum: list[int] = field(default_factory=list)

    def __post_init__(self) -> None:
        # Popular SKUs first: a Zipf-like share keeps a few bestsellers on most orders.
        self.product_cum = list(
            accumulate(10_000 // (rank + 3) for rank in range(len(self.products)))
        )


@dataclass
class OrderBatch:
    orders: list[tuple] = field(default_factory=list)
    lines: list[tuple] = field(default_factory=list)
    payments: list[tuple] = field(default_factory=list)
    shipments: list[tuple] = field(default_factory=list)

    @property
    def rows(self) -> int:
        return len(self.orders) + len(self.lines) + len(self.payments) + len(self.shipments)


def placed_at(index: int, ctx: OrderContext, rng: random.Random) -> int:
    """When order `index` was placed: rising with the index, growing over the year, with a
    denser last two weeks. Inverse-CDF sampling keeps the sequence sorted, which keeps index
    inserts appending rather than scattering."""
    u = (index + rng.random()) / ctx.total_orders
    start = ctx.now - YEAR
    if u >= 1 - RECENT_SHARE:
        return int(ctx.now - RECENT + (u - 1 + RECENT_SHARE) / RECENT_SHARE * RECENT) - 1
    v = u / (1 - RECENT_SHARE)
    x = (1 + 3 * v) ** 0.5 - 1  # inverse of a linearly rising density on [0, 1]
    return int(start + x * (YEAR - RECENT))


def order_number(index: int, placed: int, store: int, ctx: OrderContext, rng: random.Random) -> str:
    """An order number in the style of the channel it came through; unique through `index`."""
    stores = ctx.stores
    if store == stores.tmall:
        return f"{rng.randrange(2, 5)}{scrambled(index, 18)}"  # 19 digits, like Tmall's
    if store == stores.jd:
        return f"2{scrambled(index, 11)}"  # 12 digits
    if store == stores.shopify:
        return f"SHP{100_001 + index}"
    return f"DM{time.strftime('%y%m%d', time.gmtime(placed))}{index:07d}"


def pick_store(market: int, stores: Stores, rng: random.Random) -> int:
    draw = rng.random()
    if market in FOREIGN:
        return stores.shopify if draw < 0.9 else stores.own_site
    if market in GREATER_CHINA_OVERSEAS:
        return stores.shopify if draw < 0.4 else stores.own_site if draw < 0.8 else stores.tmall
    return stores.tmall if draw < 0.45 else stores.jd if draw < 0.75 else stores.own_site


def pick_products(ctx: OrderContext, rng: random.Random) -> list[ProductRef]:
    count = rng.choices(LINE_COUNTS, cum_weights=LINE_COUNT_CUM)[0]
    picked = rng.choices(ctx.products, cum_weights=ctx.product_cum, k=count)
    unique: dict[int, ProductRef] = {product.id: product for product in picked}
    return list(unique.values())


def add_lines(
    order_id: int,
    products: list[ProductRef],
    ctx: OrderContext,
    batch: OrderBatch,
    rng: random.Random,
) -> tuple[int, int]:
    """Append the order's lines; return (subtotal, sum of line discounts) in cents."""
    subtotal = line_discounts = 0
    for line_no, product in enumerate(products, start=1):
        quantity = 1 if product.digital else rng.choices(QUANTITIES, cum_weights=QUANTITY_CUM)[0]
        gross = product.price * quantity
        # A quarter of lines carry a promotion (store-wide sale, bundle price, member price).
        discount = gross * rng.choice((5, 10, 15, 20)) // 100 if rng.random() < 0.25 else 0
        subtotal += gross
        line_discounts += discount
        batch.lines.append(
            (ctx.merchant_id, order_id, line_no, product.id, product.sku, product.name,
             quantity, money(product.price), money(discount))
        )  # fmt: skip
    return subtotal, line_discounts


def coupon_for(goods: int, rng: random.Random) -> int:
    if rng.random() >= 0.3:
        return 0
    for spend, off in COUPONS:
        if goods >= spend:
            return off
    return 0


def shipping_fee(goods: int, market: int, digital_only: bool, rng: random.Random) -> int:
    if digital_only:
        return 0
    if market in FOREIGN:
        return 0 if goods >= 150_000 else rng.choice((6_800, 9_800))
    if market in GREATER_CHINA_OVERSEAS:
        return 0 if goods >= 50_000 else 3_000
    return 0 if goods >= 9_900 else rng.choice((800, 1_000))


def payment_reference(method: str, index: int, paid_day: str, rng: random.Random) -> str:
    """A provider reference shaped like the provider's own; unique through `index`."""
    if method == "alipay":
        return f"{paid_day}2200{scrambled(index, 10)}{rng.randrange(10**6):06d}"  # 28 digits
    if method == "wechat_pay":
        return f"4200{rng.randrange(10**4):04d}{paid_day}{scrambled(index, 12)}"
    return f"ch_3{rng.getrandbits(64):016x}{index:08x}"


def payment_method(store: int, market: int, stores: Stores, rng: random.Random) -> str:
    if market in FOREIGN:
        return "card"
    if store == stores.tmall:
        return "alipay"  # Tmall checkout is Alipay
    draw = rng.random()
    if store == stores.jd:
        return "wechat_pay" if draw < 0.7 else "card"
    return "alipay" if draw < 0.5 else "wechat_pay" if draw < 0.9 else "card"


def carrier_for(
    market: int, store: int, perishable: bool, ctx: OrderContext, rng: random.Random
) -> str:
    draw = rng.random()
    if market in FOREIGN:
        return "ups" if draw < 0.55 else "dhl"
    if market in GREATER_CHINA_OVERSEAS:
        return "sf" if draw < 0.8 else "ems"
    if perishable:
        return "sf"  # cold chain
    if store == ctx.stores.jd:
        return "jd" if draw < 0.85 else "sf"
    return "sf" if draw < 0.3 else "zto" if draw < 0.6 else "yto" if draw < 0.85 else "ems"


_S10_WEIGHTS = (8, 6, 4, 2, 3, 5, 9, 7)
_LETTERS = "ABCDEFGHIJKLMNOPQRSTUVWXYZ"


def _s10(serial: int, letter: str) -> str:
    """A UPU S10 item number (EMS), e.g. EA123456785CN, with its check digit."""
    digits = f"{serial:08d}"
    check = 11 - sum(int(d) * w for d, w in zip(digits, _S10_WEIGHTS, strict=True)) % 11
    check = 0 if check == 10 else 5 if check == 11 else check
    return f"E{letter}{digits}{check}CN"


def tracking_number(carrier: str, index: int, rng: random.Random) -> str:
    """A waybill number in the carrier's format; unique per carrier through `index`."""
    if carrier == "sf":
        return f"SF14{scrambled(index, 11)}"
    if carrier == "zto":
        return f"7{rng.choice('3578')}{scrambled(index, 12)}"
    if carrier == "yto":
        return f"YT{rng.randrange(1, 10)}{scrambled(index, 12)}"
    if carrier == "jd":
        return f"JDVA{scrambled(index, 11)}"
    if carrier == "ems":
        return _s10(int(scrambled(index, 8)), _LETTERS[(index // 10**8) % 26])
    if carrier == "ups":
        return f"1ZA8V7X2{rng.choice(('01', '03'))}{scrambled(index, 8)}"
    return f"{rng.randrange(1, 10)}{scrambled(index, 9)}"  # DHL Express: 10 digits


def transit_seconds(market: int, rng: random.Random) -> int:
    if market in FOREIGN:
        return rng.randrange(4 * DAY, 10 * DAY)
    if market in GREATER_CHINA_OVERSEAS:
        return rng.randrange(2 * DAY, 5 * DAY)
    return rng.randrange(DAY, 4 * DAY)


@dataclass
class Placed:
    """One order while it is being built."""

    index: int
    id: int
    number: str
    placed: int
    customer: int
    market: int
    store: int
    perishable: bool


def add_payment(order: Placed, amount: int, paid: int, status: str, ctx: OrderContext,
                batch: OrderBatch, rng: random.Random) -> None:  # fmt: skip
    method = payment_method(order.store, order.market, ctx.stores, rng)
    stamp = ctx.timestamp(paid)
    reference = payment_reference(method, order.index, stamp[:10].replace("-", ""), rng)
    paid_at = stamp if status == "paid" else None
    batch.payments.append(
        (ctx.merchant_id, order.id, reference, method, money(amount), status, paid_at)
    )


def add_shipment(order: Placed, paid: int, ctx: OrderContext, batch: OrderBatch,
                 rng: random.Random) -> str:  # fmt: skip
    """Append the parcel (if it exists yet) and return the order status it implies."""
    handling = (
        rng.randrange(HOUR, 12 * HOUR) if order.perishable else rng.randrange(2 * HOUR, 48 * HOUR)
    )
    shipped = paid + handling
    if shipped > ctx.now and rng.random() < 0.5:
        return "paid"  # not packed yet: no parcel
    carrier = carrier_for(order.market, order.store, order.perishable, ctx, rng)
    delivered = shipped + transit_seconds(order.market, rng)
    if shipped > ctx.now:
        status, order_status, shipped_at, delivered_at = "pending", "paid", None, None
    elif delivered > ctx.now:
        status = "out_for_delivery" if delivered - ctx.now < 8 * HOUR else "in_transit"
        status = "exception" if rng.random() < 0.02 else status
        order_status, shipped_at, delivered_at = "shipped", ctx.timestamp(shipped), None
    else:
        status, shipped_at, delivered_at = (
            "delivered",
            ctx.timestamp(shipped),
            ctx.timestamp(delivered),
        )
        order_status = "completed" if ctx.now - delivered > AUTO_CONFIRM else "delivered"
    origin = (
        cat.ORIGIN_CROSS_BORDER
        if order.market != MAINLAND
        else cat.ORIGIN_SOUTH
        if order.perishable or rng.random() < 0.3
        else cat.ORIGIN_MAIN
    )
    batch.shipments.append(
        (ctx.merchant_id, order.id, f"{order.number}-1", carrier,
         tracking_number(carrier, order.index, rng), status, origin,
         ctx.customers.destinations[order.customer], shipped_at, delivered_at, ctx.created)
    )  # fmt: skip
    return order_status


def settle(order: Placed, total: int, digital_only: bool, ctx: OrderContext, batch: OrderBatch,
           rng: random.Random) -> str:  # fmt: skip
    """Payment and shipment for a placed order; returns the order's status."""
    paid = order.placed + rng.randrange(5, 1800)
    if rng.random() < CANCELLED_SHARE:
        if rng.random() < 0.3:  # the card was declined, then the buyer gave up
            add_payment(order, total, paid, "failed", ctx, batch, rng)
        return "cancelled"
    if paid > ctx.now or (ctx.now - order.placed < DAY and rng.random() < UNPAID_SHARE):
        return "pending"
    add_payment(order, total, paid, "paid", ctx, batch, rng)
    if digital_only:
        return "completed"  # gift cards are sent by e-mail at payment
    return add_shipment(order, paid, ctx, batch, rng)


def add_order(
    index: int, ctx: OrderContext, batch: OrderBatch, rng: random.Random, fate: random.Random
) -> None:
    """Append order `index`. `rng` draws what was bought; `fate` draws what happened since,
    whose branches depend on `now`, so a later `now` changes timelines but not baskets."""
    customer = pick_customer(rng, len(ctx.customers))
    market = ctx.customers.markets[customer]
    store = pick_store(market, ctx.stores, rng)
    placed = placed_at(index, ctx, rng)
    products = pick_products(ctx, rng)
    order = Placed(
        index=index,
        id=ctx.first_order_id + index,
        number=order_number(index, placed, store, ctx, rng),
        placed=placed,
        customer=customer,
        market=market,
        store=store,
        perishable=any(product.perishable for product in products),
    )
    subtotal, line_discounts = add_lines(order.id, products, ctx, batch, rng)
    goods = subtotal - line_discounts
    coupon = coupon_for(goods, rng)
    digital_only = all(product.digital for product in products)
    shipping = shipping_fee(goods - coupon, market, digital_only, rng)
    total = goods - coupon + shipping
    status = settle(order, total, digital_only, ctx, batch, fate)
    batch.orders.append(
        (order.id, ctx.merchant_id, order.number, store, ctx.first_customer_id + customer,
         status, "CNY", ctx.timestamp(placed), money(subtotal), money(coupon), money(shipping),
         money(total), "" if digital_only else ctx.customers.addresses[customer],
         ctx.created, ctx.created)
    )  # fmt: skip


def order_batch(
    start: int, stop: int, ctx: OrderContext, rng: random.Random, fate: random.Random
) -> OrderBatch:
    batch = OrderBatch()
    for index in range(start, stop):
        add_order(index, ctx, batch, rng, fate)
    return batch
