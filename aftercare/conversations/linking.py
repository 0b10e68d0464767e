"""Auto-linking (S1): who wrote, and which orders, parcels and cases the text is about.

Every lookup is an exact match on an indexed column, scoped to the merchant, so linking costs
a handful of point queries whatever the merchant's size. The sender's address outranks what
the text names: a customer who writes from their own phone about a friend's order is still
the customer who wrote.
"""

from __future__ import annotations

import contextlib
import hashlib
import re
from dataclasses import dataclass, field
from typing import Any

from aftercare.commerce.models import Customer, Order, Shipment
from aftercare.commerce.phones import InvalidPhone, looks_like_phone, to_e164
from aftercare.conversations.models import Conversation, ConversationLink
from aftercare.conversations.states import Channel, LinkKind
from aftercare.merchants.models import Merchant
from aftercare.merchants.queries import scoped
from aftercare.returns.models import Case

# The returns engine numbers cases RMA-<year>-<six digits> (returns/actions.py). The
# assistant reads them in a message's body; an email's subject is searched here too.
CASE_NUMBER = re.compile(r"\bRMA[-_ ]?(\d{4})[-_ ]?(\d{6,9})\b", re.IGNORECASE)


def case_numbers(text: str) -> list[str]:
    return list(dict.fromkeys(f"RMA-{y}-{n}" for y, n in CASE_NUMBER.findall(text or "")))


def with_case_numbers(entities: dict[str, list[Any]], text: str) -> dict[str, list[Any]]:
    """The assistant's entities with the full case numbers of `text` put first."""
    found = case_numbers(text)
    if not found:
        return entities
    merged = dict(entities)
    merged["case_numbers"] = list(dict.fromkeys([*found, *entities.get("case_numbers", [])]))
    return merged


@dataclass
class Found:
    """What a message's text names that exists in the merchant's data."""

    orders: list[Order] = field(default_factory=list)
    shipments: list[Shipment] = field(default_factory=list)
    cases: list[Case] = field(default_factory=list)

    def customer_ids(self) -> list[int]:
        ids = [o.customer_id for o in self.orders] + [c.customer_id for c in self.cases]
        ids += [s.order.customer_id for s in self.shipments]
        return list(dict.fromkeys(ids))


def normalise_contact(merchant: Merchant, channel: str, contact: str) -> str:
    """Phones as E.164, emails lower-cased; anything else as given."""
    text = contact.strip()
    if channel in (Channel.SMS, Channel.PHONE) and looks_like_phone(text):
        with contextlib.suppress(InvalidPhone):
            return to_e164(text, region=merchant.default_phone_region)
    if channel == Channel.EMAIL:
        return text.lower()
    return text


def find_entities(merchant: Merchant, entities: dict[str, list[Any]]) -> Found:
    """Look up the order, tracking and case numbers the assistant found (at most 5 each)."""
    orders = entities.get("order_numbers", [])[:5]
    tracking = entities.get("tracking_numbers", [])[:5]
    cases = entities.get("case_numbers", [])[:5]
    found = Found()
    if orders:
        found.orders = list(scoped(Order, merchant).filter(external_id__in=orders))
    if tracking:
        found.shipments = list(
            scoped(Shipment, merchant).filter(tracking_number__in=tracking).select_related("order")
        )
    if cases:
        found.cases = list(scoped(Case, merchant).filter(number__in=cases))
    return found


def customer_by_contact(merchant: Merchant, channel: str, contact: str) -> Customer | None:
    if not contact:
        return None
    customers = scoped(Customer, merchant).order_by("id")
    if "@" in contact:
        return customers.filter(email__iexact=contact).first()
    if contact.startswith("+"):
        return customers.filter(phone=contact).first()
    return None


def identify_customer(
    merchant: Merchant,
    *,
    channel: str,
    contact: str,
    contact_name: str,
    entities: dict[str, list[Any]],
    found: Found,
) -> Customer | None:
    """The sender's customer record, creating one only when nothing at all matches.

    Order: the sender's address; then addresses the text names; then the owner of the one
    order/parcel/case the text names (a customer writing from a new address). A new
    customer is made only when the sender matches nothing at all and has an address.
    """
    by_contact = customer_by_contact(merchant, channel, contact)
    if by_contact is not None:
        return by_contact
    for address in entities.get("emails", [])[:3] + entities.get("phones", [])[:3]:
        named = customer_by_contact(merchant, channel, str(address))
        if named is not None:
            return named
    owners = found.customer_ids()
    if len(owners) == 1:
        return scoped(Customer, merchant).filter(pk=owners[0]).first()
    if not owners and contact and _is_address(contact):
        return _new_customer(merchant, channel=channel, contact=contact, name=contact_name)
    # Several owners: ambiguous, an agent decides; no new customer, something did match.
    return None


def _is_address(contact: str) -> bool:
    return "@" in contact or contact.startswith("+")


def _new_customer(merchant: Merchant, *, channel: str, contact: str, name: str) -> Customer:
    # external_id is unique per merchant; derive it from the address so two messages from
    # the same stranger arriving at once resolve to one row (the second gets the first).
    digest = hashlib.sha256(contact.encode()).hexdigest()[:16]
    customer, _ = Customer.objects.get_or_create(
        merchant=merchant,
        external_id=f"desk-{digest}",
        defaults={
            "name": name[:200],
            "email": contact if "@" in contact else "",
            "phone": contact if contact.startswith("+") else "",
            "language": merchant.default_language,
        },
    )
    return customer


def link_found(conversation: Conversation, found: Found) -> int:
    """Attach what was found; links that exist already are left alone. Returns new links."""
    existing: set[tuple[str, int | None, int | None, int | None]] = set(
        conversation.links.values_list("kind", "order_id", "shipment_id", "case_id")
    )
    new = []
    for order in found.orders:
        new.append(ConversationLink(kind=LinkKind.ORDER, order=order, found_text=order.external_id))
    for shipment in found.shipments:
        new.append(
            ConversationLink(
                kind=LinkKind.SHIPMENT, shipment=shipment, found_text=shipment.tracking_number
            )
        )
    for case in found.cases:
        new.append(ConversationLink(kind=LinkKind.CASE, case=case, found_text=case.number or ""))
    rows = []
    for link in new:
        key = (link.kind, link.order_id, link.shipment_id, link.case_id)
        if key in existing:
            continue
        existing.add(key)
        link.conversation = conversation
        link.merchant_id = conversation.merchant_id
        rows.append(link)
    ConversationLink.objects.bulk_create(rows, ignore_conflicts=True)
    return len(rows)
