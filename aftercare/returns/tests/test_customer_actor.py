"""The customer (the portal's actor) may take only a customer's steps on a case."""

from __future__ import annotations

import io

import pytest

from aftercare.core.actors import Actor
from aftercare.core.errors import Forbidden
from aftercare.merchants.models import Merchant
from aftercare.returns import actions, attachments, disputes, inspection
from aftercare.returns.tests.helpers import open_case, snapshot

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64


def _customer(merchant: Merchant) -> Actor:
    return Actor(merchant=merchant, label="customer:C1", role="customer")


def test_a_customer_opens_ships_adds_photos_and_cancels(china, merchant, order, lines) -> None:
    customer = _customer(merchant)

    case = open_case(customer, order, lines[:1])
    attachments.add_attachment(
        actor=customer, case=case, file=io.BytesIO(PNG), name="a.png", size=len(PNG)
    )
    shipped = inspection.mark_shipped(
        actor=customer, case=case, tracking_number="SF1", carrier="sf"
    )
    other = open_case(customer, order, lines[1:])
    cancelled = actions.cancel_case(actor=customer, case=other)

    assert shipped.status == "in_transit"
    assert cancelled.status == "cancelled"


def test_a_customer_appeals_a_rejection(reviewed, merchant, order, lines, agent_actor) -> None:
    customer = _customer(merchant)
    case = actions.reject_case(
        actor=agent_actor, case=open_case(customer, order, lines[:1]), reason="worn"
    )

    assert disputes.appeal(actor=customer, case=case, reason="it was new").status == "disputed"


def test_a_customer_cannot_decide_or_receive(reviewed, merchant, order, lines) -> None:
    customer = _customer(merchant)
    case = open_case(customer, order, lines[:1])
    before = snapshot()

    with pytest.raises(Forbidden):
        actions.approve_case(actor=customer, case=case)
    with pytest.raises(Forbidden):
        actions.reject_case(actor=customer, case=case, reason="no")
    with pytest.raises(Forbidden):
        inspection.receive_return(actor=customer, case=case)

    assert snapshot() == before
