"""Tenant isolation cases of the refunds API (loaded by tests/test_isolation.py).

Each world gets a paid grant (its ledger reference carries the tag), a grant waiting for a
supervisor (requested by "<TAG> agent"), and a retention offer in "<tag>-cat" with an answer.
B naming A's grant in any action gets 404 and changes nothing; B's grant on A's order is 404.
"""

from __future__ import annotations

from decimal import Decimal

from aftercare.core.actors import Actor
from aftercare.refunds import actions, execution
from aftercare.refunds.models import (
    Execution,
    Grant,
    GrantLine,
    LedgerEntry,
    RefundEvent,
    RefundSettings,
    RetentionOffer,
    RetentionResponse,
)
from tests.test_isolation import Case, World, _expect_404_and_nothing_changed, url_for


def build(world: World) -> None:
    merchant, tag = world.merchant, world.store.code.split("-")[0].upper()
    RefundSettings.objects.create(merchant=merchant, agent_max_amount=0)
    finance = Actor.system(merchant, label=f"{tag} finance")
    paid = actions.grant_refund(
        actor=finance,
        order_id=world.order.pk,
        kind="partial_refund",
        amount=Decimal("1.00"),
        reason=f"{tag} goodwill",
    )
    execution.mark_paid(actor=finance, grant_id=paid.pk, reference=f"{tag}-PAID1")
    agent = Actor(merchant=merchant, label=f"{tag} agent", role="agent")
    world.extra["grant"] = actions.grant_refund(
        actor=agent,
        order_id=world.order.pk,
        kind="partial_refund",
        amount=Decimal("2.00"),
        reason=f"{tag} above the limit",
    )
    offer = RetentionOffer.objects.create(
        merchant=merchant, kind="coupon", category=f"{tag.lower()}-cat", percent=10
    )
    RetentionResponse.objects.create(
        merchant=merchant, offer=offer, order=world.order, accepted=False, reason="size"
    )


OBJECT_IDS = {"grant_id": lambda w: w.extra["grant"].pk}

SNAPSHOT_MODELS = [
    Grant,
    GrantLine,
    Execution,
    LedgerEntry,
    RefundEvent,
    RefundSettings,
    RetentionOffer,
    RetentionResponse,
]

_GRANT_ACTIONS = {
    "approve": lambda w: None,
    "cancel": lambda w: {"reason": "B cancels"},
    "execute": lambda w: None,
    "retry": lambda w: None,
    "mark-paid": lambda w: {"reference": "B-PAID"},
    "reverse": lambda w: {"reason": "B reverses"},
}

CASES = {
    ("POST", "/api/v1/refunds/grants"): Case(
        body=lambda w: {"order_id": w.order.pk, "kind": "partial_refund", "amount": "1.00"},
        check=_expect_404_and_nothing_changed(lambda path, w: path),
    ),
    **{
        ("POST", f"/api/v1/refunds/grants/{{grant_id}}/{name}"): Case(
            body=body, check=_expect_404_and_nothing_changed(url_for)
        )
        for name, body in _GRANT_ACTIONS.items()
    },
}
