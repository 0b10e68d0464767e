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
