"""The shipped training file is what the phrase banks compose to, and the cached model is
thrown away whenever that file (or the feature code) changes."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from aftercare.assistant import classifier
from aftercare.assistant.classifier import TRAIN_FILE, Example
from aftercare.assistant.data.compose_train import build
from aftercare.assistant.labels import reason_fits


def test_train_file_is_what_the_phrase_banks_compose_to() -> None:
    # A bank edited without re-running compose_train would silently not be learned.
    shipped = [json.loads(line) for line in TRAIN_FILE.read_text(encoding="utf-8").splitlines()]

    assert shipped == build(), "run: python -m aftercare.assistant.data.compose_train"


def test_no_training_text_is_a_held_out_text() -> None:
    held_out = {e.text.strip().lower() for e in classifier.load_examples(classifier.HELDOUT_FILE)}
    train = {e.text.strip().lower() for e in classifier.load_examples(TRAIN_FILE)}

    assert not held_out & train


def test_a_changed_training_file_invalidates_the_cached_model(
    tmp_path: Path, settings: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch
) -> None:
    settings.DATA_DIR = tmp_path  # type: ignore[attr-defined]
    train = tmp_path / "train.jsonl"
    train.write_text(TRAIN_FILE.read_text(encoding="utf-8"), encoding="utf-8")
    monkeypatch.setattr(classifier, "TRAIN_FILE", train)
    small = [
        Example("I want a refund, it broke", "refund_request", "quality_defect"),
        Example("where is it", "order_status", "other"),
    ]
    classifier.save(classifier.fit(small * 2))
    assert classifier.load() is not None

    with train.open("a", encoding="utf-8") as out:
        out.write(json.dumps({"text": "new line", "intent": "other"}) + "\n")

    assert classifier.load() is None


def test_every_training_row_pairs_its_intent_with_a_reason_that_fits() -> None:
    # The classifier never predicts a pair outside labels.REASONS_FOR_INTENT, so the data
    # must not teach one either.
    misfits = {
        (e.intent, e.reason)
        for e in classifier.load_examples(TRAIN_FILE)
        if not reason_fits(e.intent, e.reason)
    }

    assert not misfits


def test_a_reason_that_cannot_go_with_the_intent_gives_way_to_one_that_can() -> None:
    classes = ["other", "wrong_item", "changed_mind"]

    cancel = classifier._fitting_reason("cancel_order", classes, np.array([0.2, 0.7, 0.1]))
    question = classifier._fitting_reason("policy_question", classes, np.array([0.1, 0.8, 0.1]))
    refund = classifier._fitting_reason("refund_request", classes, np.array([0.2, 0.7, 0.1]))

    assert cancel.label == "other"  # the best fitting one (other) is below the threshold
    assert question.label == "other"
    assert (refund.label, refund.confidence) == ("wrong_item", 0.7)


def test_no_fourth_pass_reason_clause_is_a_piece_of_a_held_out_message() -> None:
    # The fourth bank was written while the held-out set grew: its clauses must say things
    # in their own words, or the held-out figure would measure memory.
    from aftercare.assistant.data.phrases_reasons import REASONS

    held_out = [e.text.lower() for e in classifier.load_examples(classifier.HELDOUT_FILE)]
    clauses = [c.lower() for bank in REASONS.values() for cs in bank.values() for c in cs]

    assert not [c for c in clauses if any(c in text for text in held_out)]
