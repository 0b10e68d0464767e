"""Seed a realistic demo store, deterministically and fast enough for a million orders.

Stores and products (a hundred rows) go through the ORM. Customers and orders are generated as
tuples (`seed_people`, `seed_orders`) and written in large batches straight to the driver:
`executemany` on SQLite and `COPY` on PostgreSQL, because the ORM's per-object work would
take longer than the whole seed is allowed to. Ids of customers and orders are reserved up
front so lines can point at their order without reading anything back, and so that another
process inserting at the same time gets ids outside our range.

Same seed and same `now` give the same rows. With another `now` the customers, products and
what each order bought (and for how much) stay the same; dates move with `now`, and so do
statuses, payments and shipments, which follow from how long ago each order was placed.
A merchant that already has customers or orders is refused: seeding only fills an empty
merchant (`aftercare demo` checks first and reuses what is there).
"""

from __future__ import annotations

import random
import sys
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime

from django.db import connection, transaction
from django.utils import timezone
from tqdm import tqdm

from aftercare.commerce import seed_catalog as cat
from aftercare.commerce.models import Customer, Order, OrderLine, Payment, Product, Shipment
from aftercare.commerce.seed_orders import (
    LINE_COLUMNS,
    ORDER_COLUMNS,
    PAYMENT_COLUMNS,
    SHIPMENT_COLUMNS,
    OrderContext,
    ProductRef,
    Stores,
    order_batch,
)
from aftercare.commerce.seed_people import CustomerBook, customer_rows
from aftercare.merchants.actions import create_merchant
from aftercare.merchants.models import Merchant, SalesChannel, Store

# Fixed, not derived from the order count: each chunk has its own random stream, so the
# first thousand orders of a 2,000-order and a 1,000,000-order store share their shape.
ORDER_CHUNK = 10_000
CUSTOMER_CHUNK = 10_000
ORDERS_PER_CUSTOMER = 3
MIN_CUSTOMERS = 20

CUSTOMER_COLUMNS = (
    "id", "merchant_id", "external_id", "name", "phone", "email", "language", "tier",
    "risk_tags", "created_at", "updated_at",
)  # fmt: skip

Writer = Callable[[str, Sequence[str], list[tuple]], None]


class SeedRefused(Exception):
    """The merchant already has commerce data; seeding would mix two stores."""


@dataclass
class SeedSummary:
    merchant: Merchant
    stores: int
    products: int
    customers: int
    orders: int
    lines: int
    payments: int
    shipments: int
    seconds: float

    @property
    def rows_total(self) -> int:
        return (
            self.stores + self.products + self.customers + self.orders
            + self.lines + self.payments + self.shipments
        )  # fmt: skip


def seed_demo_store(
    *,
    orders: int,
    seed: int,
    now: datetime | None = None,
    merchant_slug: str = "demo",
    merchant_name: str = "Demo",
    progress: bool = True,
) -> SeedSummary:
    """Create (or fill an empty) merchant with stores, products, customers and `orders` orders."""
    if orders < 1:
        raise ValueError("orders must be at least 1")
    started = time.monotonic()
    moment = (now or timezone.now()).replace(microsecond=0)
    merchant = _empty_merchant(merchant_slug, merchant_name)
    stores = _stores(merchant)
    products = _products(merchant, seed)
    customer_count = max(MIN_CUSTOMERS, orders // ORDERS_PER_CUSTOMER)
    summary = SeedSummary(
        merchant=merchant,
        stores=4,
        products=len(products),
        customers=customer_count,
        orders=orders,
        lines=0,
        payments=0,
        shipments=0,
        seconds=0.0,
    )
    with _fast_writes() as write:
        stamp = _timestamp_format()
        first_customer = _reserve_ids(Customer._meta.db_table, customer_count)
        first_order = _reserve_ids(Order._meta.db_table, orders)
        created = stamp(int(time.time()))
        book = _write_customers(merchant, seed, customer_count, first_customer, created, write)
        ctx = OrderContext(
            merchant_id=merchant.pk,
            now=int(moment.timestamp()),
            total_orders=orders,
            first_order_id=first_order,
            first_customer_id=first_customer,
            customers=book,
            products=products,
            stores=stores,
            timestamp=stamp,
            created=created,
        )
        _write_orders(ctx, seed, summary, write, progress)
    _analyze()
    summary.seconds = time.monotonic() - started
    return summary


def _empty_merchant(slug: str, name: str) -> Merchant:
    merchant = Merchant.objects.filter(slug=slug).first()
    if merchant is None:
        return create_merchant(name=name, slug=slug)
    orders = Order.objects.filter(merchant=merchant).count()
    customers = Customer.objects.filter(merchant=merchant).count()
    if orders or customers:
        raise SeedRefused(
            f"Merchant {slug!r} already has {orders} orders and {customers} customers; "
            "seed-demo only fills an empty merchant. Choose another --merchant-slug."
        )
    return merchant


def _stores(merchant: Merchant) -> Stores:
    def store(code: str, name: str, channel: str) -> int:
        found, _ = Store.objects.get_or_create(
            merchant=merchant, code=code, defaults={"name": name, "channel": channel}
        )
        return found.pk

    return Stores(
        own_site=store("web", "Demo 官网", SalesChannel.OWN_SITE),
        tmall=store("tmall", "Demo 天猫旗舰店", SalesChannel.TMALL),
        jd=store("jd", "Demo 京东自营店", SalesChannel.JD),
        shopify=store("shopify", "Demo Global (Shopify)", SalesChannel.SHOPIFY),
    )


def catalogue(seed: int) -> list[Product]:
    """The SKUs of the store, unsaved, most popular first."""
    rng = random.Random(f"{seed}:products")
    ranked: list[tuple[float, Product]] = []
    for category in cat.CATEGORIES:
        for item_no, (name, low, high) in enumerate(category.items, start=1):
            for variant_no, variant in enumerate(category.variants, start=1):
                price = rng.randrange(low, high + 1)
                price = min(high, price - price % 10 + 9) if high > low else price  # ¥x9
                product = Product(
                    sku=f"{category.sku_prefix}{item_no:02d}{variant_no:02d}",
                    name=f"{name} {variant}".strip(),
                    category=category.code,
                    price=price,
                    returnable=category.returnable,
                    return_window_days=category.return_window_days,
                    must_be_unopened=category.must_be_unopened,
                    is_hygiene=category.is_hygiene,
                    is_custom_made=category.is_custom_made,
                    is_perishable=category.is_perishable,
                    is_digital=category.is_digital,
                )
                # Weighted random order (a key of u^(1/w)): popular categories rank high.
                ranked.append((rng.random() ** (1 / category.popularity), product))
    ranked.sort(key=lambda pair: pair[0], reverse=True)
    return [product for _, product in ranked]


def _products(merchant: Merchant, seed: int) -> list[ProductRef]:
    products = catalogue(seed)
    for product in products:
        product.merchant = merchant
    Product.objects.bulk_create(products, ignore_conflicts=True)
    ids = dict(Product.objects.filter(merchant=merchant).values_list("sku", "id"))
    return [
        ProductRef(
            id=ids[product.sku],
            sku=product.sku,
            name=product.name,
            price=int(product.price) * 100,
            digital=product.is_digital,
            perishable=product.is_perishable,
        )
        for product in products
    ]


def _write_customers(
    merchant: Merchant, seed: int, count: int, first_id: int, created: str, write: Writer
) -> CustomerBook:
    book = CustomerBook()
    for chunk, start in enumerate(range(0, count, CUSTOMER_CHUNK)):
        rng = random.Random(f"{seed}:customers:{chunk}")
        people = customer_rows(rng, start, min(count, start + CUSTOMER_CHUNK), count, book)
        rows = [
            (first_id + index, merchant.pk, external_id, name, phone, email, language, tier,
             "[]", created, created)
            for index, external_id, name, phone, email, language, tier in people
        ]  # fmt: skip
        with transaction.atomic():
            write(Customer._meta.db_table, CUSTOMER_COLUMNS, rows)
    return book


def _write_orders(
    ctx: OrderContext, seed: int, summary: SeedSummary, write: Writer, progress: bool
) -> None:
    with tqdm(
        total=ctx.total_orders, unit="orders", file=sys.stderr, disable=not progress, mininterval=1
    ) as bar:
        for chunk, start in enumerate(range(0, ctx.total_orders, ORDER_CHUNK)):
            rng = random.Random(f"{seed}:orders:{chunk}")
            fate = random.Random(f"{seed}:timeline:{chunk}")
            stop = min(ctx.total_orders, start + ORDER_CHUNK)
            batch = order_batch(start, stop, ctx, rng, fate)
            with transaction.atomic():
                write(Order._meta.db_table, ORDER_COLUMNS, batch.orders)
                write(OrderLine._meta.db_table, LINE_COLUMNS, batch.lines)
                write(Payment._meta.db_table, PAYMENT_COLUMNS, batch.payments)
                write(Shipment._meta.db_table, SHIPMENT_COLUMNS, batch.shipments)
            summary.lines += len(batch.lines)
            summary.payments += len(batch.payments)
            summary.shipments += len(batch.shipments)
            bar.update(len(batch.orders))


# --- Database fast paths ----------------------------------------------------------------------


def _timestamp_format() -> Callable[[int], str]:
    # Django keeps SQLite datetimes as naive UTC text; PostgreSQL gets an explicit offset so
    # the session time zone cannot shift anything.
    suffix = "+00:00" if connection.vendor == "postgresql" else ""

    def stamp(seconds: int) -> str:
        return time.strftime("%Y-%m-%d %H:%M:%S", time.gmtime(seconds)) + suffix

    return stamp


@contextmanager
def _fast_writes() -> Iterator[Writer]:
    connection.ensure_connection()
    if connection.vendor == "postgresql":
        yield _copy_writer
        return
    # Losing a half-written demo store to a power cut is fine (run it again), so skip fsync;
    # a large page cache keeps index inserts off the disk until commit. SQLite refuses to
    # change the safety level inside a transaction (a caller's, or a test's), so then it stays.
    relax = not connection.in_atomic_block
    with connection.cursor() as cursor:
        if relax:
            cursor.execute("PRAGMA synchronous = OFF")
        cursor.execute("PRAGMA cache_size = -262144")
    try:
        yield _executemany_writer
    finally:
        with connection.cursor() as cursor:
            if relax:
                cursor.execute("PRAGMA synchronous = NORMAL")
            cursor.execute("PRAGMA cache_size = -2000")


def _executemany_writer(table: str, columns: Sequence[str], rows: list[tuple]) -> None:
    if not rows:
        return
    placeholders = ", ".join("?" * len(columns))
    sql = f"INSERT INTO {table} ({', '.join(columns)}) VALUES ({placeholders})"
    raw = connection.connection.cursor()
    try:
        raw.executemany(sql, rows)
    finally:
        raw.close()


def _copy_writer(table: str, columns: Sequence[str], rows: list[tuple]) -> None:
    if not rows:
        return
    with (
        connection.connection.cursor() as raw,
        raw.copy(f"COPY {table} ({', '.join(columns)}) FROM STDIN") as copy,
    ):
        for row in rows:
            copy.write_row(row)


def _reserve_ids(table: str, count: int) -> int:
    """Claim `count` consecutive ids of `table` and return the first.

    The table's id counter is moved past the range in one short transaction, so rows that
    others insert meanwhile (a running web app, a worker) land after it.
    """
    with transaction.atomic(), connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(f"LOCK TABLE {table} IN SHARE ROW EXCLUSIVE MODE")
            cursor.execute(f"SELECT pg_get_serial_sequence('{table}', 'id')")
            sequence = cursor.fetchone()[0]
            cursor.execute(f"SELECT COALESCE(MAX(id), 0), nextval(%s) FROM {table}", [sequence])
            highest, following = cursor.fetchone()
            first = max(highest + 1, following)
            cursor.execute("SELECT setval(%s, %s)", [sequence, first + count - 1])
            return first
        cursor.execute(f"SELECT COALESCE(MAX(id), 0) FROM {table}")
        highest = cursor.fetchone()[0]
        cursor.execute("SELECT seq FROM sqlite_sequence WHERE name = %s", [table])
        found = cursor.fetchone()
        first = max(highest, found[0] if found else 0) + 1
        if found:
            cursor.execute(
                "UPDATE sqlite_sequence SET seq = %s WHERE name = %s", [first + count - 1, table]
            )
        else:
            cursor.execute(
                "INSERT INTO sqlite_sequence (name, seq) VALUES (%s, %s)",
                [table, first + count - 1],
            )
        return first


def _analyze() -> None:
    """Refresh planner statistics: the web app's order lists must use the new indexes."""
    tables = [model._meta.db_table for model in (Customer, Order, Product)]
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(f"ANALYZE {', '.join(tables)}")
        else:
            cursor.execute("PRAGMA analysis_limit = 1000")
            for table in tables:
                cursor.execute(f"ANALYZE {table}")
