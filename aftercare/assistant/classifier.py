"""A2: intent and reason classifiers. Character n-grams plus jieba/word tokens, TF-IDF, and
one linear SVM per label set. LinearSVC trains ~20x faster than a multinomial logistic
regression here with the same held-out scores, which keeps "train at first use" to seconds;
sigmoid calibration (3 folds) cost 3 points of macro-F1, so the confidence is a softmax of the
SVM margins instead: a ranking score, tuned on the held-out set, not a probability.

The model trains from data/train.jsonl in seconds and is cached as a joblib file under
AFTERCARE_DATA_DIR, keyed by a fingerprint of the training file, this code and library
versions, so a fresh install works offline at once and later processes load it in well under
a second. `aftercare assistant train` writes a model that also learned from agents'
corrections; it replaces the cached one only when its held-out scores are not worse (see
retrain.py).
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import threading
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
from scipy import sparse

from aftercare.assistant.labels import Intent, Reason, reason_fits
from aftercare.assistant.text import normalise, word_features

DATA = Path(__file__).with_name("data")
TRAIN_FILE = DATA / "train.jsonl"
HELDOUT_FILE = DATA / "heldout.jsonl"
# Bump when features or hyper-parameters change: cached models then retrain themselves.
FEATURE_VERSION = 6
INTENT_THRESHOLD = 0.30
# A reason named wrongly misleads more than no reason (agents and the policy act on it).
REASON_THRESHOLD = 0.50
MARGIN_SCALE = 5.0
CORRECTION_WEIGHT = 3.0  # an agent's correction counts for a few written examples

_lock = threading.Lock()
_current: Model | None = None

# Rules that are right whatever the model says: someone asking for a person gets one.
HUMAN_AGENT = re.compile(
    r"转人工|轉人工|人工客服|找人工|要人工|转接人工|轉接人工|^\s*人工\s*[!！。.]*\s*$|真人客服"
    r"|\b(?:talk|speak|chat)\s+(?:to|with)\s+(?:a|an|some)?\s*(?:real\s+|actual\s+|live\s+)?"
    r"(?:human|person|agent|representative|someone)\b"
    r"|\b(?:live|human|real)\s+(?:agent|person)\b|^\s*(?:agent|human|operator|representative)\W*$",
    re.IGNORECASE,
)


@dataclass(frozen=True)
class Example:
    text: str
    intent: str
    reason: str = Reason.OTHER
    language: str = ""
    weight: float = 1.0


@dataclass(frozen=True)
class Label:
    label: str
    confidence: float


@dataclass
class Model:
    """Fitted vectorizers and the two classifiers; `meta` says what it learned from."""

    char_vectorizer: Any
    word_vectorizer: Any
    intent_model: Any
    reason_model: Any
    meta: dict[str, Any] = field(default_factory=dict)

    def _features(self, texts: Sequence[str]) -> Any:
        normalised = [normalise(t) for t in texts]
        return sparse.hstack(
            [
                self.char_vectorizer.transform(normalised),
                self.word_vectorizer.transform(normalised),
            ],
            format="csr",
        )

    def predict(self, texts: Sequence[str]) -> list[tuple[Label, Label]]:
        """(intent, reason) per text. Low confidence becomes `other`: a person decides."""
        if not texts:
            return []
        features = self._features(texts)
        intents = _best(self.intent_model, features, INTENT_THRESHOLD, Intent.OTHER)
        reason_classes, reason_scores = _scores(self.reason_model, features)
        out = []
        for row, (text, intent) in enumerate(zip(texts, intents, strict=True)):
            if HUMAN_AGENT.search(text):
                intent = Label(str(Intent.HUMAN_AGENT), max(intent.confidence, 0.95))
            reason = _fitting_reason(intent.label, reason_classes, reason_scores[row])
            out.append((intent, reason))
        return out


def _scores(model: Any, features: Any) -> tuple[list[str], Any]:
    """Class names and, per row, the softmax of the scaled SVM margins."""
    margins = model.decision_function(features)
    scaled = MARGIN_SCALE * (margins - margins.max(axis=1, keepdims=True))
    probabilities = np.exp(scaled)
    probabilities /= probabilities.sum(axis=1, keepdims=True)
    return [str(c) for c in model.classes_], probabilities


def _fitting_reason(intent: str, classes: list[str], scores: Any) -> Label:
    """The most likely reason that can go with the intent (labels.REASONS_FOR_INTENT), or
    `other` below the threshold: "cancel it, I ordered the wrong one" has no product reason."""
    for index in np.argsort(-scores):
        if reason_fits(intent, classes[index]):
            confidence = float(scores[index])
            if confidence >= REASON_THRESHOLD:
                return Label(classes[index], round(confidence, 4))
            break
    return Label(str(Reason.OTHER), round(float(scores.max()), 4))


def _best(model: Any, features: Any, threshold: float, fallback: str) -> list[Label]:
    classes, probabilities = _scores(model, features)
    best = probabilities.argmax(axis=1)
    labels = []
    for row, index in enumerate(best):
        confidence = float(probabilities[row, index])
        label = str(classes[index]) if confidence >= threshold else fallback
        labels.append(Label(label, round(confidence, 4)))
    return labels


def load_examples(path: Path | str) -> list[Example]:
    examples = []
    with open(path, encoding="utf-8") as lines:
        for line in lines:
            if line.strip():
                row = json.loads(line)
                examples.append(
                    Example(
                        text=row["text"],
                        intent=row["intent"],
                        reason=row.get("reason") or Reason.OTHER,
                        language=row.get("language", ""),
                    )
                )
    return examples


def fit(examples: Iterable[Example], meta: dict[str, Any] | None = None) -> Model:
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.svm import LinearSVC

    rows = list(examples)
    normalised = [normalise(e.text) for e in rows]
    weights = np.array([e.weight for e in rows])
    char_vectorizer = TfidfVectorizer(
        analyzer="char_wb", ngram_range=(1, 4), sublinear_tf=True, min_df=2, lowercase=False
    )
    word_vectorizer = TfidfVectorizer(analyzer=word_features, sublinear_tf=True, lowercase=False)
    features = sparse.hstack(
        [char_vectorizer.fit_transform(normalised), word_vectorizer.fit_transform(normalised)],
        format="csr",
    )

    def classifier(labels: list[str]) -> Any:
        model = LinearSVC(C=1.0, class_weight="balanced")
        model.fit(features, labels, sample_weight=weights)
        return model

    return Model(
        char_vectorizer=char_vectorizer,
        word_vectorizer=word_vectorizer,
        intent_model=classifier([e.intent for e in rows]),
        reason_model=classifier([e.reason for e in rows]),
        meta={**(meta or {}), "examples": len(rows), "fingerprint": base_fingerprint()},
    )


def base_fingerprint() -> str:
    """What a cached model must have been made from: the training data's bytes, this module
    and text.py (features, hyper-parameters, normalisation), and the versions of the
    libraries that tokenise and fit. Any change makes `load` refuse the cache and retrain,
    so nobody has to remember to bump FEATURE_VERSION after editing the data or code."""
    import jieba
    import opencc
    import sklearn

    from aftercare.assistant import text

    digest = hashlib.sha256(TRAIN_FILE.read_bytes())
    for source in (Path(__file__), Path(text.__file__)):
        digest.update(source.read_bytes())
    versions = (
        FEATURE_VERSION,
        sklearn.__version__,
        getattr(jieba, "__version__", ""),
        getattr(opencc, "__version__", ""),
    )
    digest.update(":".join(map(str, versions)).encode())
    return digest.hexdigest()[:16]


def model_path() -> Path:
    from django.conf import settings

    return Path(settings.DATA_DIR) / "assistant" / "model.joblib"


def save(model: Model, path: Path | None = None) -> Path:
    """Write atomically: a reader in another process never sees half a model."""
    import joblib

    path = path or model_path()
    path.parent.mkdir(parents=True, exist_ok=True)
    temporary = path.with_suffix(f".{os.getpid()}.tmp")
    joblib.dump(model, temporary, compress=3)
    os.replace(temporary, path)
    return path


def load(path: Path | None = None) -> Model | None:
    """The stored model, or None when missing, unreadable or made from other data/code."""
    import joblib

    path = path or model_path()
    if not path.exists():
        return None
    try:
        model = joblib.load(path)
    except Exception:  # a truncated or foreign file: retrain rather than fail the request
        return None
    if not isinstance(model, Model) or model.meta.get("fingerprint") != base_fingerprint():
        return None
    return model


def current_model() -> Model:
    """The model in use by this process: loaded once, trained from the shipped data if none."""
    global _current
    if _current is None:
        with _lock:
            if _current is None:
                model = load()
                if model is None:
                    model = fit(load_examples(TRAIN_FILE), meta={"corrections": 0})
                    save(model)
                _current = model
    return _current


def use_model(model: Model | None) -> None:
    """Swap the process's model (after a retrain, or None to reload from disk)."""
    global _current
    with _lock:
        _current = model


def classify(texts: Sequence[str]) -> list[tuple[Label, Label]]:
    return current_model().predict(texts)
