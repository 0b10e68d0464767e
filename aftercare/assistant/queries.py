"""Tenant-scoped reads of assistant data."""

from __future__ import annotations

from django.db.models import QuerySet

from aftercare.assistant.classifier import Example
from aftercare.assistant.models import AssistantCorrection, FaqEntry
from aftercare.merchants.models import Merchant
from aftercare.merchants.queries import scoped


def faq_entries_of(merchant: Merchant | int) -> QuerySet[FaqEntry]:
    return scoped(FaqEntry, merchant).order_by("key")


def corrections_of(merchant: Merchant | int) -> QuerySet[AssistantCorrection]:
    return scoped(AssistantCorrection, merchant)


def correction_examples(merchant: Merchant | int | None = None) -> list[Example]:
    """Corrections as training examples: one merchant's, or every merchant's (None)."""
    rows = AssistantCorrection.objects.all() if merchant is None else corrections_of(merchant)
    from aftercare.assistant.classifier import CORRECTION_WEIGHT

    return [
        Example(c.text, c.intent, c.reason, c.language, weight=CORRECTION_WEIGHT)
        for c in rows.order_by("pk")
    ]
