"""Writers of assistant data: label corrections and FAQ entries."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from django.db import transaction

from aftercare.assistant.labels import INTENTS, REASONS, Reason
from aftercare.assistant.language import detect_language
from aftercare.assistant.models import AssistantCorrection, FaqEntry
from aftercare.core.actors import Actor
from aftercare.core.audit import record_event
from aftercare.core.errors import ValidationFailed
from aftercare.merchants.queries import scoped

DEFAULT_FAQ = Path(__file__).with_name("data") / "faq_default.json"


def correct_message_labels(
    *,
    actor: Actor,
    text: str,
    intent: str,
    reason: str = Reason.OTHER,
    language: str = "",
) -> AssistantCorrection:
    """An agent says what a message really meant; the next `assistant train` learns it."""
    errors = []
    if not text.strip():
        errors.append({"loc": ["text"], "msg": "The message text is empty.", "type": "empty"})
    if intent not in INTENTS:
        errors.append({"loc": ["intent"], "msg": f"Unknown intent {intent!r}.", "type": "enum"})
    if reason not in REASONS:
        errors.append({"loc": ["reason"], "msg": f"Unknown reason {reason!r}.", "type": "enum"})
    if errors:
        raise ValidationFailed("The correction is not valid.", errors=errors)
    with transaction.atomic():
        correction = AssistantCorrection.objects.create(
            merchant=actor.merchant,
            text=text.strip(),
            language=language or detect_language(text),
            intent=intent,
            reason=reason,
            created_by=actor.label[:128],
        )
        record_event(
            actor=actor,
            subject=correction,
            kind="assistant:labels_corrected",
            data={"intent": intent, "reason": reason},
        )
    return correction


def install_default_faq(*, actor: Actor, replace: bool = False) -> list[FaqEntry]:
    """The default FAQ set for the merchant. Entries an editor already has are kept as they
    are unless `replace`: installing twice never overwrites the merchant's own wording."""
    defaults: list[dict[str, Any]] = json.loads(DEFAULT_FAQ.read_text(encoding="utf-8"))
    installed = []
    with transaction.atomic():
        existing = {e.key: e for e in scoped(FaqEntry, actor.merchant)}
        for item in defaults:
            fields = {
                "questions": item["questions"],
                "answers": item["answers"],
                "tags": item.get("tags", []),
                "policy_fields": item.get("policy_fields", []),
            }
            entry = existing.get(item["key"])
            if entry is None:
                entry = FaqEntry.objects.create(merchant=actor.merchant, key=item["key"], **fields)
            elif replace:
                for name, value in fields.items():
                    setattr(entry, name, value)
                entry.save()
            installed.append(entry)
        record_event(
            actor=actor,
            subject=actor.merchant,
            kind="assistant:faq_installed",
            data={"entries": len(installed), "replace": replace},
        )
    return installed
