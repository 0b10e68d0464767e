"""Factories for commerce data: a customer, a product, an order with lines and a shipment."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import factory
from django.utils import timezone

from aftercare.commerce.models import (
    Customer,
    Order,
    OrderLine,
    OrderStatus,
    Payment,
    PaymentStatus,
    Product,
    Shipment,
    ShipmentStatus,
)
from aftercare.core.testing import MerchantFactory, StoreFactory


class CustomerFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Customer

    merchant = factory.SubFactory(MerchantFactory)
    external_id = factory.Sequence(lambda n: f"C{n:06d}")
    name = factory.Sequence(lambda n: f"Customer {n}")
    phone = factory.Sequence(lambda n: f"+86138{n:08d}")
    email = factory.Sequence(lambda n: f"customer{n}@example.com")


class ProductFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Product

    merchant = factory.SubFactory(MerchantFactory)
    sku = factory.Sequence(lambda n: f"SKU-{n:05d}")
    name = factory.Sequence(lambda n: f"Product {n}")
    category = "apparel"
    price = Decimal("99.00")


class OrderFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Order

    merchant = factory.SubFactory(MerchantFactory)
    store = factory.SubFactory(StoreFactory, merchant=factory.SelfAttribute("..merchant"))
    customer = factory.SubFactory(CustomerFactory, merchant=factory.SelfAttribute("..merchant"))
    external_id = factory.Sequence(lambda n: f"SO{n:08d}")
    status = OrderStatus.DELIVERED
    placed_at = factory.LazyFunction(lambda: timezone.now() - timedelta(days=5))
    subtotal = Decimal("198.00")
    discount_total = Decimal("0.00")
    shipping_fee = Decimal("0.00")
    total = Decimal("198.00")


class OrderLineFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = OrderLine

    order = factory.SubFactory(OrderFactory)
    merchant = factory.SelfAttribute("order.merchant")
    line_no = factory.Sequence(lambda n: n + 1)
    product = factory.SubFactory(ProductFactory, merchant=factory.SelfAttribute("..merchant"))
    sku = factory.SelfAttribute("product.sku")
    name = factory.SelfAttribute("product.name")
    quantity = 2
    unit_price = factory.SelfAttribute("product.price")


class PaymentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Payment

    order = factory.SubFactory(OrderFactory)
    merchant = factory.SelfAttribute("order.merchant")
    external_id = factory.Sequence(lambda n: f"PAY{n:08d}")
    method = "alipay"
    amount = factory.SelfAttribute("order.total")
    status = PaymentStatus.PAID
    paid_at = factory.SelfAttribute("order.placed_at")


class ShipmentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Shipment

    order = factory.SubFactory(OrderFactory)
    merchant = factory.SelfAttribute("order.merchant")
    external_id = factory.Sequence(lambda n: f"SH{n:08d}")
    carrier = "sf"
    tracking_number = factory.Sequence(lambda n: f"SF{n:012d}")
    status = ShipmentStatus.DELIVERED
    shipped_at = factory.LazyFunction(lambda: timezone.now() - timedelta(days=4))
    delivered_at = factory.LazyFunction(lambda: timezone.now() - timedelta(days=2))
