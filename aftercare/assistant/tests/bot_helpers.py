"""Shared set-up for the bot tests: a merchant with a policy, the default FAQ, and orders."""

from __future__ import annotations

from dataclasses import dataclass

from aftercare.assistant.actions import install_default_faq
from aftercare.assistant.bot import BotTurn, reply_to
from aftercare.commerce.models import Order, OrderLine
from aftercare.core.actors import Actor
from aftercare.core.transitions import transition
from aftercare.merchants.models import Merchant, Store
from aftercare.policies.tests.factories import delivered_order
from aftercare.returns import actions, inspection
from aftercare.returns.models import Case
from aftercare.returns.states import TRANSITIONS, CaseStatus
from aftercare.returns.tests.helpers import install_policy, open_case

PHONE = "+8613912345678"
PHONE_TYPED = "139 1234 5678"


@dataclass
class Shop:
    merchant: Merchant
    order: Order
    lines: list[OrderLine]

    def say(self, key: str, text: str, **kwargs: object) -> BotTurn:
        return reply_to(merchant=self.merchant, conversation_key=key, text=text, **kwargs)  # type: ignore[arg-type]


def make_shop(merchant: Merchant, store: Store, *, preset: str = "china_7day") -> Shop:
    install_policy(merchant, preset)
    install_default_faq(actor=Actor.system(merchant))
    order, lines = delivered_order(merchant, store)
    order.customer.phone = PHONE
    order.customer.save(update_fields=["phone"])
    return Shop(merchant, order, lines)


def case_in(shop: Shop, status: str, *, reason: str = "size") -> Case:
    """A case of the shop's order, brought to `status` by the returns actions.

    Only the last step to "refunded" goes through the transition helper directly (the same
    lock, table check and timeline row): mark_refunded needs the refunds ledger, which these
    tests are not about.
    """
    actor = Actor.system(shop.merchant)
    case = open_case(actor, shop.order, shop.lines[:1], reason=reason)
    if case.status == CaseStatus.UNDER_REVIEW and status != CaseStatus.UNDER_REVIEW:
        case = actions.approve_case(actor=actor, case=case)
    steps = {
        CaseStatus.IN_TRANSIT: 1,
        CaseStatus.RECEIVED: 2,
        CaseStatus.REFUND_PROCESSING: 2,
        CaseStatus.REFUNDED: 3,
    }.get(CaseStatus(status), 0)
    if steps >= 1:
        case = inspection.mark_shipped(actor=actor, case=case, tracking_number="SF1", carrier="SF")
    if steps >= 2:
        case = inspection.receive_return(actor=actor, case=case)
    if steps >= 3:
        case = transition(case, to=CaseStatus.REFUNDED, table=TRANSITIONS, actor=actor)
    case.refresh_from_db()
    assert case.status == status, (case.status, status)
    return case
