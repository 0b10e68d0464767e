"""seed-demo: the same seed gives the same store, and the store reads like a real one."""

from __future__ import annotations

import random
from collections import Counter
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from io import StringIO

import phonenumbers
import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from aftercare.commerce.models import (
    Customer,
    Order,
    OrderLine,
    Payment,
    Product,
    Shipment,
)
from aftercare.commerce.seed_people import HONG_KONG, MAINLAND, TAIWAN, UK, US, phone_for
from aftercare.commerce.seeding import SeedRefused, seed_demo_store
from aftercare.commerce.tests.factories import CustomerFactory
from aftercare.merchants.models import Merchant

NOW = datetime(2026, 6, 15, 12, 0, tzinfo=UTC)


def seed(slug: str, *, orders: int = 300, seed_value: int = 5) -> Merchant:
    summary = seed_demo_store(
        orders=orders, seed=seed_value, now=NOW, merchant_slug=slug, progress=False
    )
    return summary.merchant


def snapshot(merchant: Merchant) -> dict[str, list[tuple]]:
    """Everything seeded for `merchant`, without database ids or row creation times."""
    scope = {"merchant": merchant}
    return {
        "customers": list(
            Customer.objects.filter(**scope)
            .order_by("external_id")
            .values_list("external_id", "name", "phone", "email", "language", "tier")
        ),
        "orders": list(
            Order.objects.filter(**scope)
            .order_by("external_id")
            .values_list(
                "external_id",
                "store__code",
                "customer__external_id",
                "status",
                "placed_at",
                "subtotal",
                "discount_total",
                "shipping_fee",
                "total",
                "shipping_address",
            )
        ),
        "lines": list(
            OrderLine.objects.filter(**scope)
            .order_by("order__external_id", "line_no")
            .values_list(
                "order__external_id", "line_no", "sku", "quantity", "unit_price", "discount"
            )
        ),
        "payments": list(
            Payment.objects.filter(**scope)
            .order_by("external_id")
            .values_list(
                "external_id", "order__external_id", "method", "amount", "status", "paid_at"
            )
        ),
        "shipments": list(
            Shipment.objects.filter(**scope)
            .order_by("external_id")
            .values_list(
                "external_id",
                "carrier",
                "tracking_number",
                "status",
                "origin_region",
                "destination_region",
                "shipped_at",
                "delivered_at",
            )
        ),
    }


def test_the_same_seed_gives_the_same_store(db: None) -> None:
    first, second = seed("first"), seed("second")

    assert snapshot(first) == snapshot(second)
    assert len(snapshot(first)["orders"]) == 300


def test_a_different_seed_gives_a_different_store(db: None) -> None:
    first, other = seed("first"), seed("other", seed_value=6)

    one, two = snapshot(first), snapshot(other)
    assert one["customers"] != two["customers"]
    assert one["orders"] != two["orders"]
    assert len(one["orders"]) == len(two["orders"]) == 300


def test_a_later_now_keeps_customers_and_baskets(db: None) -> None:
    first = seed("first")
    later = seed_demo_store(
        orders=300, seed=5, now=NOW + timedelta(days=40), merchant_slug="later", progress=False
    ).merchant

    one, two = snapshot(first), snapshot(later)
    assert one["customers"] == two["customers"]
    assert one["lines"] != [] and strip_order(one["lines"]) == strip_order(two["lines"])
    assert [row[5:9] for row in one["orders"]] == [row[5:9] for row in two["orders"]]


def strip_order(lines: list[tuple]) -> list[tuple]:
    # Own-site order numbers carry the date, which moves with `now`.
    return [line[1:] for line in lines]


def test_order_totals_add_up(db: None) -> None:
    merchant = seed("sums", orders=400)

    lines_by_order: dict[int, list[OrderLine]] = {}
    for line in OrderLine.objects.filter(merchant=merchant):
        lines_by_order.setdefault(line.order_id, []).append(line)
        assert 0 <= line.discount <= line.unit_price * line.quantity
    for order in Order.objects.filter(merchant=merchant):
        lines = lines_by_order[order.pk]
        assert 1 <= len(lines) <= 4
        assert order.subtotal == sum(line.unit_price * line.quantity for line in lines)
        goods = sum(line.unit_price * line.quantity - line.discount for line in lines)
        assert order.total == goods - order.discount_total + order.shipping_fee
        assert order.total > 0 and order.discount_total >= 0
    for payment in Payment.objects.filter(merchant=merchant).select_related("order"):
        assert payment.amount == payment.order.total
        assert payment.method in {"alipay", "wechat_pay", "card"}


def test_every_paid_order_has_one_payment(db: None) -> None:
    merchant = seed("paid", orders=400)

    paid_by_order = Counter(
        Payment.objects.filter(merchant=merchant, status="paid").values_list("order_id", flat=True)
    )
    for order in Order.objects.filter(merchant=merchant):
        expected = 0 if order.status in {"pending", "cancelled"} else 1
        assert paid_by_order[order.pk] == expected, order.status


def test_phones_are_valid_e164_and_languages_match_the_market(db: None) -> None:
    merchant = seed("phones", orders=1500)

    codes: Counter[int] = Counter()
    for customer in Customer.objects.filter(merchant=merchant):
        number = phonenumbers.parse(customer.phone)
        assert phonenumbers.is_valid_number(number), customer.phone
        assert customer.phone == phonenumbers.format_number(
            number, phonenumbers.PhoneNumberFormat.E164
        )
        codes[number.country_code] += 1
        if number.country_code == 86:
            assert customer.language == "zh-Hans"
        elif number.country_code == 886:
            assert customer.language == "zh-Hant"
        elif number.country_code in {1, 44}:
            assert customer.language == "en"
    assert set(codes) == {86, 852, 886, 1, 44}
    assert codes[86] > sum(codes.values()) / 2  # a mainland store first


@pytest.mark.parametrize("market", [MAINLAND, HONG_KONG, TAIWAN, US, UK])
def test_generated_phones_are_valid_for_every_market(market: int) -> None:
    rng = random.Random(market)

    invalid = [
        phone
        for phone in (phone_for(rng, market) for _ in range(3000))
        if not phonenumbers.is_valid_number(phonenumbers.parse(phone))
    ]

    assert invalid == []


def test_customers_have_a_realistic_tier_mix(db: None) -> None:
    merchant = seed("tiers", orders=1500)

    tiers = Counter(Customer.objects.filter(merchant=merchant).values_list("tier", flat=True))
    assert tiers["normal"] > tiers["potential"] > tiers["vip"] > 0


def test_orders_span_the_year_with_recent_old_and_moving_parcels(db: None) -> None:
    merchant = seed("timeline", orders=2000)
    shipments = Shipment.objects.filter(merchant=merchant)
    orders = Order.objects.filter(merchant=merchant)

    assert shipments.filter(status="delivered", delivered_at__gte=NOW - timedelta(days=7)).exists()
    assert shipments.filter(status="delivered", delivered_at__lt=NOW - timedelta(days=90)).exists()
    assert shipments.filter(status__in=["in_transit", "out_for_delivery"]).exists()
    assert not shipments.filter(delivered_at__gt=NOW).exists()
    assert orders.filter(status="paid").exists()  # not shipped yet
    assert orders.filter(status="cancelled").exists()
    assert not orders.filter(placed_at__gt=NOW).exists()
    assert not orders.filter(placed_at__lt=NOW - timedelta(days=366)).exists()


def test_order_status_agrees_with_its_shipment(db: None) -> None:
    merchant = seed("agree", orders=1000)

    for shipment in Shipment.objects.filter(merchant=merchant).select_related("order"):
        status = shipment.order.status
        if shipment.status == "delivered":
            assert status in {"delivered", "completed"}
            assert shipment.shipped_at < shipment.delivered_at
        elif shipment.status == "pending":
            assert status == "paid" and shipment.shipped_at is None
        else:
            assert status == "shipped" and shipment.delivered_at is None
    assert not Shipment.objects.filter(
        merchant=merchant, order__status__in=["pending", "cancelled"]
    ).exists()


def test_carriers_and_tracking_numbers_follow_each_carrier(db: None) -> None:
    merchant = seed("carriers", orders=1500)

    carriers = set()
    for carrier, number in Shipment.objects.filter(merchant=merchant).values_list(
        "carrier", "tracking_number"
    ):
        carriers.add(carrier)
        prefix = {"sf": "SF", "yto": "YT", "jd": "JDVA", "ups": "1Z", "ems": "E"}.get(carrier)
        assert prefix is None or number.startswith(prefix), (carrier, number)
    assert {"sf", "zto", "yto", "jd", "ems", "ups", "dhl"} <= carriers
    numbers = Shipment.objects.filter(merchant=merchant).values_list("tracking_number", flat=True)
    assert len(set(numbers)) == len(numbers)


def test_products_carry_the_return_profile_of_their_category(db: None) -> None:
    merchant = seed("catalogue", orders=50)
    products = Product.objects.filter(merchant=merchant)

    assert products.filter(category="apparel", returnable=True, return_window_days=7).exists()
    assert not products.filter(category="apparel").exclude(return_window_days=7).exists()
    assert not products.filter(category="electronics", must_be_unopened=False).exists()
    assert not products.filter(category="cosmetics").exclude(is_hygiene=True).exists()
    assert not products.filter(category="custom").exclude(returnable=False).exists()
    assert not products.filter(category="fresh_food", is_perishable=False).exists()
    assert not products.filter(category="gift_card", is_digital=False).exists()
    assert all(price > Decimal(0) for price in products.values_list("price", flat=True))


def test_seeding_refuses_a_merchant_that_already_has_orders(db: None) -> None:
    seed("taken", orders=20)

    with pytest.raises(SeedRefused, match="already has 20 orders"):
        seed("taken", orders=20)
    assert Order.objects.filter(merchant__slug="taken").count() == 20


def test_rows_added_after_seeding_get_fresh_ids(db: None) -> None:
    merchant = seed("ids", orders=30)

    later = CustomerFactory(merchant=merchant)

    assert later.pk > max(Customer.objects.exclude(pk=later.pk).values_list("pk", flat=True))


def test_the_command_prints_a_summary_and_refuses_a_second_run(db: None) -> None:
    out = StringIO()
    call_command(
        "seed_demo", "--orders", "40", "--seed", "3", "--merchant-slug", "cmd",
        "--no-progress", stdout=out,
    )  # fmt: skip

    assert "40 orders" in out.getvalue()
    assert Merchant.objects.get(slug="cmd").name == "Demo"
    with pytest.raises(CommandError, match="only fills an empty merchant"):
        call_command("seed_demo", "--orders", "40", "--merchant-slug", "cmd", "--no-progress")
