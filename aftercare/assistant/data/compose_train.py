"""Build data/train.jsonl from the hand-written phrase banks: `python -m
aftercare.assistant.data.compose_train`. Deterministic (fixed seed), so the file in the repo is
reproducible. It combines an intent phrase with a reason clause, adds greetings, order numbers,
typos, shouting and mixed English/Chinese, and converts Simplified to Traditional for zh-Hant.
The held-out set is NOT built here: heldout.jsonl is written by hand, separately.
"""

from __future__ import annotations

import json
import random
from pathlib import Path
from typing import Any

from aftercare.assistant.data import (
    phrases_en_zh,
    phrases_extra,
    phrases_more,
    phrases_reasons,
    phrases_targeted,
)
from aftercare.assistant.text import to_traditional

OUT = Path(__file__).with_name("train.jsonl")
SEED = 20261107

# Which reasons go naturally with which intents.
REASONED = {
    "return_request": None,  # every reason
    "refund_request": None,
    "exchange_request": [
        "size",
        "colour_style",
        "quality_defect",
        "damaged_in_transit",
        "wrong_item",
        "missing_parts",
        "not_as_described",
    ],
    "repair_request": ["quality_defect"],
    "complaint": [
        "quality_defect",
        "damaged_in_transit",
        "wrong_item",
        "missing_parts",
        "not_as_described",
        "late_delivery",
    ],
    "order_status": ["late_delivery"],
    "cancel_order": ["late_delivery"],
}
# Intent phrases that carry a reason of their own.
PHRASE_REASON = {
    # An order placed by mistake is the buyer's own reason (拍错/多拍/不想要 are one reason
    # on Chinese platforms): changed_mind, like the reason banks' "bought it by accident".
    "I ordered by mistake, please cancel it": "changed_mind",
    "拍错了，取消订单": "changed_mind",
    "下单下错了帮我撤销": "changed_mind",
    "下錯單了請取消": "changed_mind",
    "need a refund for the missing item": "missing_parts",
    "少发的那件退款给我": "missing_parts",
    "不想要了，想退货": "changed_mind",
    "不要了，取消吧": "changed_mind",
    "I changed my mind, cancel the order before shipping": "changed_mind",
    "could you replace it with a working one": "quality_defect",
    "please fix my vacuum": "quality_defect",
}

PREFIX = {
    "en": ["", "", "hi, ", "hello ", "hey ", "excuse me, ", "good evening, ", "yo "],
    "zh": ["", "", "你好，", "亲，", "在吗？", "客服，", "您好，", "喂，"],
    "es": ["", "hola, ", "buenas, "],
    "pt": ["", "olá, ", "oi, "],
    "fr": ["", "bonjour, ", "salut, "],
    "de": ["", "hallo, ", "guten tag, "],
    "ja": ["", "すみません、", "こんにちは、"],
}
SUFFIX = {
    "en": [
        "",
        "",
        " thanks",
        " please",
        "!!",
        " asap",
        ". order #{n}",
        " (order {n})",
        " my order number is {n}",
        ". tracking SF{n}",
    ],
    "zh": [
        "",
        "",
        "，谢谢",
        "！！",
        "，订单号{n}",
        " 订单{n}",
        "，急",
        "啊",
        "。单号：{n}",
        "，麻烦了",
    ],
    "es": ["", " gracias", ", pedido {n}"],
    "pt": ["", " obrigado", ", pedido {n}"],
    "fr": ["", " merci", ", commande {n}"],
    "de": ["", " danke", ", bestellung {n}"],
    "ja": ["", "。よろしくお願いします", "。注文番号{n}"],
}
JOIN = {
    "en": [", ", ". ", " - ", " and ", " so ", ", "],
    "zh": ["，", "。", " ", "，所以", "，"],
    "ja": ["、", "。"],
}
MIXED_ZH = {
    "退货": "return",
    "退款": "refund",
    "订单": "order",
    "换货": "exchange",
    "快递": "express",
}
ANGRY_EN = ["WTF ", "seriously?? ", "this is the third time I ask. ", "ugh. "]
ANGRY_ZH = ["气死了，", "无语，", "搞什么啊，", "第三次问了！"]


def _family(lang: str) -> str:
    return "zh" if lang.startswith("zh") else lang


def _order_no(rng: random.Random) -> str:
    return str(rng.randint(10**9, 10**14))


def _typo(text: str, rng: random.Random) -> str:
    words = text.split(" ")
    candidates = [i for i, w in enumerate(words) if len(w) > 3]
    if not candidates:
        return text
    i = rng.choice(candidates)
    w = words[i]
    j = rng.randrange(1, len(w) - 1)
    kind = rng.random()
    if kind < 0.4:
        w = w[:j] + w[j + 1 :]  # dropped letter
    elif kind < 0.8:
        w = w[: j - 1] + w[j] + w[j - 1] + w[j + 1 :]  # swapped letters
    else:
        w = w[:j] + w[j] + w[j:]  # doubled letter
    words[i] = w
    return " ".join(words)


def _decorate(text: str, lang: str, rng: random.Random, *, variant: int) -> str:
    fam = _family(lang)
    prefix = rng.choice(PREFIX[fam])
    suffix = rng.choice(SUFFIX[fam]).format(n=_order_no(rng))
    out = prefix + text + suffix
    if fam == "en" and variant == 1:
        out = _typo(out, rng)
    if variant == 2:
        if fam == "en":
            out = rng.choice(ANGRY_EN) + (out.upper() if rng.random() < 0.5 else out) + "!!!"
        elif fam == "zh":
            out = rng.choice(ANGRY_ZH) + out + "！！！"
            if rng.random() < 0.5:
                for zh, en in MIXED_ZH.items():
                    out = out.replace(zh, en, 1)
    if fam == "en" and rng.random() < 0.3:
        out = out.lower()
    return out


def _rows_for(
    lang: str,
    intents: dict[str, list[str]],
    reasons: dict[str, list[str]],
    rng: random.Random,
    combos: int,
) -> list[dict[str, Any]]:
    rows = []
    for intent, phrases in intents.items():
        for phrase in phrases:
            for variant in range(3):
                text = _decorate(phrase, lang, rng, variant=variant)
                rows.append(_row(text, intent, PHRASE_REASON.get(phrase, "other"), lang))
        if intent not in REASONED or not reasons:
            continue
        allowed = REASONED[intent] or list(reasons)
        fam = _family(lang)
        for reason in allowed:
            for clause in reasons.get(reason, []):
                for _ in range(combos):
                    phrase = rng.choice(phrases)
                    join = rng.choice(JOIN.get(fam, [", ", ". "]))
                    body = clause + join + phrase if rng.random() < 0.7 else phrase + join + clause
                    text = _decorate(body, lang, rng, variant=rng.randrange(3))
                    rows.append(_row(text, intent, reason, lang))
    return rows


def _labelled_rows(lang: str, rng: random.Random) -> list[dict[str, Any]]:
    """Whole sentences written with their own intent and reason, decorated like the rest."""
    rows = []
    for phrase, intent, reason in phrases_targeted.LABELLED.get(lang, []):
        for variant in range(3):
            rows.append(_row(_decorate(phrase, lang, rng, variant=variant), intent, reason, lang))
    return rows


def _row(text: str, intent: str, reason: str, lang: str) -> dict[str, Any]:
    return {"text": text, "intent": intent, "reason": reason, "language": lang}


def _merge(*banks: dict[str, list[str]]) -> dict[str, list[str]]:
    merged: dict[str, list[str]] = {}
    for bank in banks:
        for label, phrases in bank.items():
            merged.setdefault(label, []).extend(phrases)
    return merged


def _rng(section: str) -> random.Random:
    """One random stream per bank section: adding phrases to one section leaves the
    decorations of every other section's rows unchanged, so diffs of train.jsonl stay small
    and a score change can be traced to the phrases that were added."""
    return random.Random(f"{SEED}:{section}")


def build() -> list[dict[str, Any]]:
    rows: list[dict[str, Any]] = []
    for lang in ("en", "zh-Hans"):
        intents = _merge(phrases_en_zh.INTENTS[lang], phrases_extra.INTENTS[lang])
        reasons = _merge(
            phrases_en_zh.REASONS[lang],
            phrases_extra.REASONS[lang],
            phrases_targeted.REASONS[lang],
            phrases_reasons.REASONS[lang],
        )
        rows += _rows_for(lang, intents, reasons, _rng(lang), 2)
        rows += _labelled_rows(lang, _rng(f"{lang}:labelled"))
    # Traditional: the Simplified rows converted, plus wording only Traditional writers use.
    hans = [r for r in rows if r["language"] == "zh-Hans"]
    rows += [{**r, "text": to_traditional(r["text"]), "language": "zh-Hant"} for r in hans]
    hant_extra = phrases_more.INTENTS["zh-Hant"]
    rows += _rows_for("zh-Hant", hant_extra, {}, _rng("zh-Hant"), 0)
    rows += _labelled_rows("zh-Hant", _rng("zh-Hant:labelled"))
    for lang in ("es", "pt", "fr", "de", "ja"):
        reasons = _merge(phrases_more.REASONS[lang], phrases_reasons.REASONS[lang])
        rows += _rows_for(lang, phrases_more.INTENTS[lang], reasons, _rng(lang), 2)
    # The same text under two labels would only teach noise; keep the first.
    seen: set[str] = set()
    unique = []
    for row in rows:
        if row["text"] not in seen:
            seen.add(row["text"])
            unique.append(row)
    return unique


def main() -> None:
    rows = build()
    with OUT.open("w", encoding="utf-8") as out:
        for row in rows:
            out.write(json.dumps(row, ensure_ascii=False) + "\n")
    print(f"{len(rows)} rows -> {OUT}")


if __name__ == "__main__":
    main()
