"""Scores of a model on a labelled file: accuracy, macro-F1, per-label precision/recall."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from aftercare.assistant.classifier import Example, Model

PRIMARY_LANGUAGES = ("en", "zh-Hans", "zh-Hant")


@dataclass
class LabelScores:
    accuracy: float
    macro_f1: float
    per_label: dict[str, dict[str, float]] = field(default_factory=dict)


@dataclass
class Scores:
    count: int
    intent: LabelScores
    reason: LabelScores
    intent_by_language: dict[str, LabelScores]

    def summary(self) -> dict[str, float]:
        out = {
            "intent_macro_f1": self.intent.macro_f1,
            "intent_accuracy": self.intent.accuracy,
            "reason_macro_f1": self.reason.macro_f1,
        }
        for language, scores in self.intent_by_language.items():
            out[f"intent_macro_f1[{language}]"] = scores.macro_f1
        return out

    def not_worse_than(self, other: Scores) -> bool:
        """Each headline figure at least as good: a retrain must not trade one for another."""
        mine, theirs = self.summary(), other.summary()
        keys = ["intent_macro_f1", "reason_macro_f1"] + [
            f"intent_macro_f1[{lang}]" for lang in PRIMARY_LANGUAGES
        ]
        return all(mine.get(k, 0.0) >= theirs.get(k, 0.0) - 1e-9 for k in keys)


def label_scores(gold: Sequence[str], predicted: Sequence[str]) -> LabelScores:
    from sklearn.metrics import accuracy_score, f1_score, precision_recall_fscore_support

    labels = sorted(set(gold) | set(predicted))
    precision, recall, f1, support = precision_recall_fscore_support(
        gold, predicted, labels=labels, zero_division=0
    )
    per_label = {
        label: {
            "precision": float(p),
            "recall": float(r),
            "f1": float(f),
            "support": int(s),
        }
        for label, p, r, f, s in zip(labels, precision, recall, f1, support, strict=True)
    }
    return LabelScores(
        accuracy=float(accuracy_score(gold, predicted)),
        macro_f1=float(f1_score(gold, predicted, labels=labels, average="macro", zero_division=0)),
        per_label=per_label,
    )


def evaluate(model: Model, examples: Sequence[Example]) -> Scores:
    predictions = model.predict([e.text for e in examples])
    intents = [p[0].label for p in predictions]
    reasons = [p[1].label for p in predictions]
    by_language: dict[str, LabelScores] = {}
    for language in sorted({e.language for e in examples if e.language}):
        rows = [i for i, e in enumerate(examples) if e.language == language]
        by_language[language] = label_scores(
            [examples[i].intent for i in rows], [intents[i] for i in rows]
        )
    return Scores(
        count=len(examples),
        intent=label_scores([e.intent for e in examples], intents),
        reason=label_scores([e.reason for e in examples], reasons),
        intent_by_language=by_language,
    )


def report(scores: Scores) -> str:
    lines = [f"examples: {scores.count}"]
    for name, part in (("intent", scores.intent), ("reason", scores.reason)):
        lines.append(f"{name}: accuracy {part.accuracy:.3f}  macro-F1 {part.macro_f1:.3f}")
        lines.append(f"  {'label':<20} {'precision':>9} {'recall':>7} {'f1':>6} {'n':>5}")
        for label, row in part.per_label.items():
            lines.append(
                f"  {label:<20} {row['precision']:>9.3f} {row['recall']:>7.3f} "
                f"{row['f1']:>6.3f} {row['support']:>5}"
            )
    for language, part in scores.intent_by_language.items():
        lines.append(
            f"intent [{language}]: accuracy {part.accuracy:.3f}  macro-F1 {part.macro_f1:.3f}"
        )
    return "\n".join(lines)


def as_dict(scores: Scores) -> dict[str, Any]:
    return {k: round(v, 4) for k, v in scores.summary().items()}
