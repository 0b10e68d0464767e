"""Retraining with agents' corrections. The new model replaces the stored one only when its
held-out scores are not worse on any headline figure, so a batch of careless corrections can
never quietly make the assistant worse for everyone."""

from __future__ import annotations

from dataclasses import dataclass

from aftercare.assistant import classifier
from aftercare.assistant.classifier import HELDOUT_FILE, TRAIN_FILE, Example, fit, load_examples
from aftercare.assistant.evaluation import Scores, evaluate
from aftercare.merchants.models import Merchant


@dataclass
class RetrainResult:
    before: Scores
    after: Scores
    replaced: bool
    corrections: int


def retrain(
    *, merchant: Merchant | None = None, extra: list[Example] | None = None
) -> RetrainResult:
    """Train on the shipped data plus corrections (one merchant's, or all when None)."""
    from aftercare.assistant.queries import correction_examples

    heldout = load_examples(HELDOUT_FILE)
    current = classifier.current_model()
    corrections = correction_examples(merchant) + list(extra or [])
    candidate = fit(load_examples(TRAIN_FILE) + corrections, meta={"corrections": len(corrections)})
    before, after = evaluate(current, heldout), evaluate(candidate, heldout)
    replaced = after.not_worse_than(before)
    if replaced:
        classifier.save(candidate)
        classifier.use_model(candidate)
    return RetrainResult(before, after, replaced, len(corrections))
