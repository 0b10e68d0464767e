"""One entry point for everything the assistant reads from a message.

`analyse_texts` is what the classify command, the API and (later) the service desk's
"analyse every inbound message" task call: batch in, one Analysis per text out.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import asdict, dataclass
from typing import Any

from aftercare.assistant.classifier import classify
from aftercare.assistant.entities import extract_entities
from aftercare.assistant.labels import Intent
from aftercare.assistant.language import detect_language
from aftercare.assistant.sentiment import assess


@dataclass(frozen=True)
class Analysis:
    language: str
    intent: str
    intent_confidence: float
    reason: str
    reason_confidence: float
    sentiment: str
    flags: list[str]
    entities: dict[str, list[Any]]

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)

    @property
    def needs_person(self) -> bool:
        """Hand over: asked for one, angry, threatening, unsafe, or we are not sure."""
        return self.intent in (Intent.HUMAN_AGENT, Intent.COMPLAINT, Intent.OTHER) or bool(
            self.flags
        )


def analyse_texts(
    texts: Sequence[str], *, languages: Sequence[str] | None = None, phone_region: str = "CN"
) -> list[Analysis]:
    labels = classify(texts)
    out = []
    for text, (intent, reason) in zip(texts, labels, strict=True):
        mood = assess(text)
        intent_label, confidence = intent.label, intent.confidence
        # A threat to go to a regulator or the bank is a complaint whatever else it asks.
        threat = {"threat_authority", "chargeback"} & set(mood.flags)
        if threat and intent_label != Intent.HUMAN_AGENT:
            intent_label, confidence = str(Intent.COMPLAINT), max(confidence, 0.9)
        out.append(
            Analysis(
                language=detect_language(text, languages),
                intent=intent_label,
                intent_confidence=confidence,
                reason=reason.label,
                reason_confidence=reason.confidence,
                sentiment=mood.sentiment,
                flags=mood.flags,
                entities=extract_entities(text, phone_region=phone_region),
            )
        )
    return out


def analyse_text(text: str, **kwargs: Any) -> Analysis:
    return analyse_texts([text], **kwargs)[0]
