"""A3: FAQ answers. BM25 over every wording of every active entry (jieba tokens for Chinese,
Traditional folded to Simplified, lower-cased words otherwise); an answer only above a
confidence threshold, otherwise a hand-over to a person.

Answers quote the merchant's active return policy through {placeholders}, filled at answer
time, so they stay true when the policy changes. An entry that quotes the policy hands over
when the merchant has no active policy rather than state a rule that is not there.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass
from typing import Any

import numpy as np

from aftercare.assistant.language import detect_language
from aftercare.assistant.models import FaqEntry
from aftercare.assistant.text import normalise, tokens
from aftercare.merchants.models import Merchant
from aftercare.policies.spec import PolicySpec, ShippingRefund, Side, parse_spec

THRESHOLD = 0.55
FALLBACK_LANGUAGES = ("en", "zh-Hans", "zh-Hant")
# Words that carry no topic: a query made only of these matches nothing in particular.
STOPWORDS = frozenset(
    [
        "a",
        "an",
        "the",
        "i",
        "my",
        "me",
        "you",
        "your",
        "we",
        "our",
        "is",
        "are",
        "do",
        "does",
        "can",
        "could",
        "will",
        "would",
        "to",
        "of",
        "for",
        "it",
        "this",
        "that",
        "what",
        "how",
        "when",
        "where",
        "who",
        "and",
        "or",
        "in",
        "on",
        "if",
        "be",
        "have",
        "has",
        "there",
        "0",
        "的",
        "了",
        "吗",
        "嗎",
        "么",
        "我",
        "你",
        "您",
        "是",
        "吧",
        "呢",
        "啊",
        "要",
        "能",
        "可以",
        "请问",
        "請問",
        "请",
        "請",
        "一下",
        "怎么",
        "怎麼",
    ]
)
_lock = threading.Lock()
_indexes: dict[int, tuple[tuple[Any, ...], Index]] = {}


@dataclass(frozen=True)
class Answer:
    answer: str | None
    handover: bool
    entry_key: str | None
    score: float
    language: str


@dataclass
class Index:
    """BM25 over question wordings; doc i belongs to entries[owner[i]]."""

    bm25: Any
    owner: list[int]
    entries: list[FaqEntry]
    doc_tokens: list[frozenset[str]]
    self_scores: np.ndarray

    @classmethod
    def build(cls, entries: list[FaqEntry]) -> Index:
        import bm25s

        docs: list[list[str]] = []
        owner: list[int] = []
        for position, entry in enumerate(entries):
            for wordings in (entry.questions or {}).values():
                for wording in wordings:
                    docs.append(_content(wording) or ["∅"])
                    owner.append(position)
        bm25 = bm25s.BM25()
        bm25.index(docs or [["∅"]], show_progress=False)
        # A wording's score against itself: what a perfect match of it would score.
        self_scores = np.array([bm25.get_scores(doc)[i] for i, doc in enumerate(docs)])
        return cls(bm25, owner, entries, [frozenset(d) for d in docs], self_scores)

    def best(self, question: str) -> tuple[FaqEntry | None, float]:
        query = _content(question)
        if not query or not self.owner:
            return None, 0.0
        scores = self.bm25.get_scores(query)
        doc = int(scores.argmax())
        if scores[doc] <= 0:
            return None, 0.0
        # Half: how much of the wording the question covers; half: how much of the
        # question the wording explains (words the wording lacks lower the confidence).
        covered = min(1.0, float(scores[doc] / max(self.self_scores[doc], 1e-9)))
        explained = sum(t in self.doc_tokens[doc] for t in query) / len(query)
        return self.entries[self.owner[doc]], round((covered + explained) / 2, 4)


def _content(text: str) -> list[str]:
    return [t for t in tokens(normalise(text)) if t.strip() and t not in STOPWORDS]


def index_for(merchant: Merchant | int) -> Index:
    """Built once per merchant and rebuilt when any entry changes (count + last update)."""
    from django.db.models import Count, Max

    merchant_id = merchant if isinstance(merchant, int) else merchant.pk
    active = FaqEntry.objects.filter(merchant_id=merchant_id, is_active=True)
    stamp = tuple(active.aggregate(n=Count("pk"), last=Max("updated_at")).values())
    cached = _indexes.get(merchant_id)
    if cached is not None and cached[0] == stamp:
        return cached[1]
    index = Index.build(list(active.order_by("pk")))
    with _lock:
        _indexes[merchant_id] = (stamp, index)
    return index


def answer_question(*, merchant: Merchant, question: str, language: str | None = None) -> Answer:
    language = language or detect_language(question)
    entry, score = index_for(merchant).best(question)
    if entry is None or score < THRESHOLD:
        return Answer(None, True, None, score, language)
    text = _answer_text(entry, language)
    if text is None:
        return Answer(None, True, entry.key, score, language)
    rendered = render_answer(text, merchant=merchant, language=language)
    if rendered is None:
        return Answer(None, True, entry.key, score, language)
    return Answer(rendered, False, entry.key, score, language)


def _answer_text(entry: FaqEntry, language: str) -> str | None:
    answers = entry.answers or {}
    for code in (language, *FALLBACK_LANGUAGES):
        if answers.get(code):
            return str(answers[code])
    return None


# --- Policy placeholders ---------------------------------------------------------------------

POLICY_FIELDS = (
    "return_window_days",
    "exchange_window_days",
    "warranty_days",
    "review_business_days",
    "merchant_fault_return_shipping",
    "customer_return_shipping",
    "customer_original_shipping_refund",
)
_WORDS: dict[str, dict[str, str]] = {
    "days": {"en": "{n} days", "zh-Hans": "{n}天", "zh-Hant": "{n}天"},
    "unlimited": {"en": "any time", "zh-Hans": "不限时间", "zh-Hant": "不限時間"},
    "payer:merchant": {"en": "we pay", "zh-Hans": "我们", "zh-Hant": "我們"},
    "payer:customer": {"en": "you pay", "zh-Hans": "您", "zh-Hant": "您"},
    "refund:always": {"en": "refunded too", "zh-Hans": "同样退还", "zh-Hant": "同樣退還"},
    "refund:never": {"en": "not refunded", "zh-Hans": "不退还", "zh-Hant": "不退還"},
    "refund:full_return": {
        "en": "refunded only when the whole order comes back",
        "zh-Hans": "仅在整单退回时退还",
        "zh-Hant": "僅在整筆訂單退回時退還",
    },
}


def _word(key: str, language: str, **values: Any) -> str:
    table = _WORDS[key]
    return table.get(language, table["en"]).format(**values)


def policy_values(spec: PolicySpec, language: str) -> dict[str, str]:
    def days(value: int | None) -> str:
        return _word("unlimited", language) if value is None else _word("days", language, n=value)

    payer = spec.shipping.return_payer
    refund = spec.shipping.refund_original.get(Side.CUSTOMER, ShippingRefund.NEVER)
    return {
        "return_window_days": days(spec.windows.return_days),
        "exchange_window_days": days(spec.windows.exchange_days),
        "warranty_days": days(spec.windows.warranty_days),
        "review_business_days": str(spec.review_business_days),
        "merchant_fault_return_shipping": _word(
            f"payer:{payer.get(Side.MERCHANT, Side.MERCHANT)}", language
        ),
        "customer_return_shipping": _word(
            f"payer:{payer.get(Side.CUSTOMER, Side.CUSTOMER)}", language
        ),
        "customer_original_shipping_refund": _word(f"refund:{refund}", language),
    }


def render_answer(text: str, *, merchant: Merchant, language: str) -> str | None:
    """The answer with policy values filled in; None when it quotes a policy there isn't."""
    if "{" not in text:
        return text
    from aftercare.policies.queries import active_version

    version = active_version(merchant)
    if version is None:
        return None
    values = policy_values(parse_spec(version.spec), language)
    try:
        return text.format(**values)
    except (KeyError, IndexError, ValueError):
        # An editor's typo in a placeholder: a person answers instead of a broken sentence.
        return None
