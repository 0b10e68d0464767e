"""Helpers for conversation tests: a customer with an order, a parcel and a case."""

from __future__ import annotations

from dataclasses import dataclass

from aftercare.commerce.models import Customer, Order, Shipment
from aftercare.commerce.tests.factories import (
    CustomerFactory,
    OrderFactory,
    OrderLineFactory,
    ShipmentFactory,
)
from aftercare.conversations.models import ChannelAddress
from aftercare.conversations.states import Channel
from aftercare.merchants.models import Merchant, Store
from aftercare.returns.models import Case

MAILBOX = "support@shop.example"
SMS_NUMBER = "+8610690000001"
SMS_SECRET = "sms-webhook-secret"
TWILIO_NUMBER = "+14155550100"
TWILIO_TOKEN = "twilio-auth-token"


@dataclass
class Buyer:
    customer: Customer
    order: Order
    shipment: Shipment


def buyer(merchant: Merchant, store: Store, **customer: str) -> Buyer:
    person = CustomerFactory(merchant=merchant, **customer)
    order = OrderFactory(merchant=merchant, store=store, customer=person)
    OrderLineFactory(order=order)
    shipment = ShipmentFactory(order=order)
    return Buyer(customer=person, order=order, shipment=shipment)


def addresses(merchant: Merchant) -> None:
    ChannelAddress.objects.create(merchant=merchant, channel=Channel.EMAIL, address=MAILBOX)
    ChannelAddress.objects.create(
        merchant=merchant, channel=Channel.SMS, address=SMS_NUMBER, secret=SMS_SECRET
    )
    ChannelAddress.objects.create(
        merchant=merchant,
        channel=Channel.SMS,
        provider="twilio",
        address=TWILIO_NUMBER,
        secret=TWILIO_TOKEN,
    )


def open_case(merchant: Merchant, who: Buyer) -> Case:
    """A real case on the buyer's order, opened by the returns engine under a preset policy."""
    from aftercare.core.actors import Actor
    from aftercare.policies.actions import create_policy
    from aftercare.policies.models import ReturnPolicy
    from aftercare.policies.presets import PRESETS
    from aftercare.returns.actions import LineRequest, create_case

    system = Actor.system(merchant)
    if not ReturnPolicy.objects.filter(merchant=merchant).exists():
        create_policy(actor=system, name="returns", spec=PRESETS["china_7day"]())
    line = who.order.lines.first()
    assert line is not None
    return create_case(
        actor=system,
        order_id=who.order.pk,
        lines=[LineRequest(order_line_id=line.pk, quantity=1)],
        type="return_refund",
        reason="size",
        description="too small",
    )


def history(merchant: Merchant, store: Store, who: Buyer, *, orders: int) -> list[Order]:
    """A long history for the buyer: `orders` more orders (two lines and a parcel each), an
    email conversation (and its ticket) per five orders, and an open case on the first order.
    Returns the new orders."""
    from aftercare.conversations.actions import Incoming, receive_message

    placed = []
    for _ in range(orders):
        order = OrderFactory(merchant=merchant, store=store, customer=who.customer)
        OrderLineFactory(order=order)
        OrderLineFactory(order=order)
        ShipmentFactory(order=order)
        placed.append(order)
    for n in range(orders // 5):
        receive_message(
            merchant=merchant,
            incoming=Incoming(
                channel=Channel.EMAIL, contact=who.customer.email, body=f"question {n}"
            ),
        )
    open_case(merchant, who)
    return placed
