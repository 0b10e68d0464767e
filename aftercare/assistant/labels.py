"""The fixed label sets of REQUIREMENTS A2. Reasons are the policy engine's reason codes."""

from __future__ import annotations

from django.db import models


class Intent(models.TextChoices):
    RETURN_REQUEST = "return_request"
    EXCHANGE_REQUEST = "exchange_request"
    REFUND_REQUEST = "refund_request"
    REPAIR_REQUEST = "repair_request"
    CASE_STATUS = "case_status"
    ORDER_STATUS = "order_status"
    CANCEL_ORDER = "cancel_order"
    CHANGE_ORDER = "change_order"
    COMPLAINT = "complaint"
    POLICY_QUESTION = "policy_question"
    HUMAN_AGENT = "human_agent"
    OTHER = "other"


class Reason(models.TextChoices):
    SIZE = "size"
    COLOUR_STYLE = "colour_style"
    QUALITY_DEFECT = "quality_defect"
    DAMAGED_IN_TRANSIT = "damaged_in_transit"
    WRONG_ITEM = "wrong_item"
    MISSING_PARTS = "missing_parts"
    NOT_AS_DESCRIBED = "not_as_described"
    CHANGED_MIND = "changed_mind"
    LATE_DELIVERY = "late_delivery"
    OTHER = "other"


class Sentiment(models.TextChoices):
    NEGATIVE = "negative"
    NEUTRAL = "neutral"
    POSITIVE = "positive"


INTENTS: tuple[str, ...] = tuple(Intent.values)
REASONS: tuple[str, ...] = tuple(Reason.values)

_PRODUCT_REASONS = frozenset(REASONS) - {Reason.OTHER, Reason.CHANGED_MIND, Reason.LATE_DELIVERY}
# The reasons that can go with an intent (others get `other`). A reason code describes what
# is wrong with goods the customer has, or why an order is unwanted: an order not yet
# delivered cannot be the wrong item or arrive damaged, a policy question or a status check
# has no reason of its own, and repairs are for defects. The training data is labelled by the
# same table (tests check it), and the classifier never pairs an intent with a reason outside
# it: a word like "wrong" or "mistake" in a cancellation then does not turn into a reason.
REASONS_FOR_INTENT: dict[str, frozenset[str]] = {
    Intent.RETURN_REQUEST: frozenset(REASONS),
    Intent.REFUND_REQUEST: frozenset(REASONS),
    Intent.EXCHANGE_REQUEST: _PRODUCT_REASONS | {Reason.OTHER},
    Intent.REPAIR_REQUEST: frozenset({Reason.QUALITY_DEFECT, Reason.OTHER}),
    Intent.COMPLAINT: _PRODUCT_REASONS - {Reason.SIZE, Reason.COLOUR_STYLE}
    | {Reason.LATE_DELIVERY, Reason.OTHER},
    Intent.ORDER_STATUS: frozenset({Reason.LATE_DELIVERY, Reason.OTHER}),
    Intent.CANCEL_ORDER: frozenset({Reason.LATE_DELIVERY, Reason.CHANGED_MIND, Reason.OTHER}),
}


def reason_fits(intent: str, reason: str) -> bool:
    return reason == Reason.OTHER or reason in REASONS_FOR_INTENT.get(intent, frozenset())
