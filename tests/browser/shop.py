"""A small, realistic shop for browser tests and the README screenshot.

Dates are fixed, not relative to today, so the screenshot only changes when the UI does.
"""

from __future__ import annotations

import zlib
from datetime import datetime, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

from aftercare.commerce.models import Order, OrderStatus, ShipmentStatus
from aftercare.commerce.tests.factories import (
    CustomerFactory,
    OrderFactory,
    OrderLineFactory,
    PaymentFactory,
    ProductFactory,
    ShipmentFactory,
)
from aftercare.core.testing import MerchantFactory, StoreFactory, make_member
from aftercare.merchants.models import Member, Merchant, Role, SalesChannel

SHANGHAI = ZoneInfo("Asia/Shanghai")
NOW = datetime(2026, 11, 20, 18, 30, tzinfo=SHANGHAI)

STORES = [
    ("tmall", "青禾天猫旗舰店", SalesChannel.TMALL),
    ("jd", "青禾京东自营店", SalesChannel.JD),
    ("douyin", "青禾抖音小店", SalesChannel.DOUYIN),
    ("web", "Qinghe Home Global", SalesChannel.SHOPIFY),
    ("mini", "青禾会员商城", SalesChannel.WECHAT),
]
CUSTOMERS = [
    ("王芳", "+8613812345678", "wangfang@example.cn"),
    ("Emily Carter", "+6591234567", "emily.carter@example.com"),
    ("李伟", "+8613922334455", "liwei88@example.cn"),
    ("張家豪", "+85291234567", "kaho.cheung@example.hk"),
    ("James Wong", "+85261234567", "james.wong@example.com"),
    ("陈静", "+8615011223344", "chenjing@example.cn"),
    ("林怡君", "+886912345678", "yichun.lin@example.tw"),
    ("刘洋", "+8618688886666", "liuyang@example.cn"),
]
PRODUCTS = [
    ("QH-SCARF-01", "羊绒围巾 · 燕麦色", "1299.00"),
    ("QH-PILLOW-02", "Memory foam pillow", "399.00"),
    ("QH-MUG-03", "手作陶瓷马克杯", "89.00"),
    ("QH-LAMP-04", "Oak desk lamp", "659.00"),
    ("QH-TOWEL-05", "长绒棉浴巾两件装", "168.00"),
]
# (order no, store, customer, product, qty, status, hours ago, carrier, shipment status)
ORDERS = [
    ("TM20261120001", 0, 0, 0, 1, OrderStatus.SHIPPED, 2, "sf", ShipmentStatus.IN_TRANSIT),
    ("SH-1047", 3, 1, 3, 1, OrderStatus.PAID, 5, None, None),
    ("JD4419203318", 1, 2, 1, 2, OrderStatus.SHIPPED, 20, "jd", ShipmentStatus.OUT_FOR_DELIVERY),
    ("DY7730016622", 2, 3, 2, 4, OrderStatus.DELIVERED, 50, "zto", ShipmentStatus.DELIVERED),
    ("SH-1046", 3, 4, 4, 2, OrderStatus.SHIPPED, 70, "dhl", ShipmentStatus.EXCEPTION),
    ("TM20261116007", 0, 5, 0, 1, OrderStatus.COMPLETED, 100, "sf", ShipmentStatus.DELIVERED),
    ("WX0000381", 4, 6, 4, 1, OrderStatus.PENDING, 110, None, None),
    ("JD4419187710", 1, 7, 3, 1, OrderStatus.CANCELLED, 130, None, None),
    ("TM20261112003", 0, 0, 2, 6, OrderStatus.DELIVERED, 200, "yto", ShipmentStatus.DELIVERED),
    ("DY7730009105", 2, 2, 1, 1, OrderStatus.DELIVERED, 260, "ems", ShipmentStatus.RETURNED),
]


def build_shop() -> tuple[Merchant, Member]:
    merchant = MerchantFactory(name="青禾家居 Qinghe Home", slug="qinghe")
    agent = make_member(merchant, Role.AGENT, "linxy")
    agent.display_name = "林晓雨"
    agent.save(update_fields=["display_name"])
    stores = [StoreFactory(merchant=merchant, code=c, name=n, channel=ch) for c, n, ch in STORES]
    customers = [
        CustomerFactory(merchant=merchant, name=n, phone=p, email=e) for n, p, e in CUSTOMERS
    ]
    products = [
        ProductFactory(merchant=merchant, sku=s, name=n, price=Decimal(p)) for s, n, p in PRODUCTS
    ]
    for row in ORDERS:
        _order(merchant, stores, customers, products, *row)
    return merchant, agent


def _order(
    merchant: Merchant,
    stores: list,
    customers: list,
    products: list,
    number: str,
    store: int,
    customer: int,
    product: int,
    quantity: int,
    status: str,
    hours_ago: int,
    carrier: str | None,
    shipment_status: str | None,
) -> Order:
    placed = NOW - timedelta(hours=hours_ago)
    item = products[product]
    overseas = stores[store].code == "web"
    # The global store sells in US dollars at roughly the yuan price / 7.
    unit = (item.price / 7).quantize(Decimal("1.00")) if overseas else item.price
    total = unit * quantity
    order = OrderFactory(
        merchant=merchant,
        store=stores[store],
        customer=customers[customer],
        external_id=number,
        status=status,
        placed_at=placed,
        subtotal=total,
        total=total,
        currency="USD" if overseas else "CNY",
    )
    OrderLineFactory(
        order=order, merchant=merchant, line_no=1, product=item, quantity=quantity, unit_price=unit
    )
    if status != OrderStatus.PENDING:
        PaymentFactory(order=order, merchant=merchant, method="alipay", amount=total)
    if carrier:
        delivered = shipment_status in {ShipmentStatus.DELIVERED, ShipmentStatus.RETURNED}
        ShipmentFactory(
            order=order,
            merchant=merchant,
            carrier=carrier,
            tracking_number=f"{carrier.upper()}{zlib.crc32(number.encode()):010d}",
            status=shipment_status,
            shipped_at=placed + timedelta(hours=6),
            delivered_at=placed + timedelta(hours=50) if delivered else None,
        )
    return order
