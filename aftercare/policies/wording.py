"""Rendering a decision's trace as sentences a customer reads, in en, zh-Hans and zh-Hant.

The wording lives here as data rather than in gettext catalogues because the sentence is in
the *customer's* language, not the language of whoever is looking at the console, and
because the engine and this module must stay importable without Django.

Each line becomes one sentence: the clauses that decided ("requested within 7 days of
delivery (3 days)", "unopened") and the outcome ("approved automatically").
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from aftercare.policies.domain import Decision, LineDecision, Step

EN, HANS, HANT = "en", "zh-Hans", "zh-Hant"

W: dict[str, dict[str, str]] = {
    "window_ok": {
        EN: "requested within {limit} days of delivery ({days} days)",
        HANS: "签收后第{days}天申请（{limit}天内可退）",
        HANT: "簽收後第{days}天申請（{limit}天內可退）",
    },
    "window_ok_order": {
        EN: "requested within {limit} days of the order ({days} days, not yet delivered)",
        HANS: "下单后第{days}天申请（尚未签收，{limit}天内可退）",
        HANT: "下單後第{days}天申請（尚未簽收，{limit}天內可退）",
    },
    "window_late": {
        EN: "requested {days} days after delivery, past the {limit}-day window",
        HANS: "签收已{days}天，超过{limit}天的期限",
        HANT: "簽收已{days}天，超過{limit}天的期限",
    },
    "window_late_order": {
        EN: "requested {days} days after the order, past the {limit}-day window",
        HANS: "下单已{days}天，超过{limit}天的期限",
        HANT: "下單已{days}天，超過{limit}天的期限",
    },
    "quantity": {
        EN: "{actual} requested but only {expected} can still be returned",
        HANS: "申请数量{actual}件，超过可退数量{expected}件",
        HANT: "申請數量{actual}件，超過可退數量{expected}件",
    },
    "claim_side": {
        EN: "claims are for missing, wrong or defective items",
        HANS: "仅退款/补发仅适用于少件、发错或质量问题",
        HANT: "僅退款/補發僅適用於少件、發錯或品質問題",
    },
    "refund_only_side": {
        EN: "a refund without sending the item back is checked by our team",
        HANS: "不退货仅退款需客服核实",
        HANT: "不退貨僅退款需客服核實",
    },
    "non_returnable": {
        EN: "this item cannot be returned",
        HANS: "该商品不支持退货",
        HANT: "該商品不支援退貨",
    },
    "custom_made": {
        EN: "custom-made items cannot be returned without a fault",
        HANS: "定制商品不支持无理由退货",
        HANT: "訂製商品不支援無理由退貨",
    },
    "perishable": {
        EN: "perishable goods cannot be returned without a fault",
        HANS: "生鲜易腐商品不支持无理由退货",
        HANT: "生鮮易腐商品不支援無理由退貨",
    },
    "digital": {
        EN: "digital goods cannot be returned once delivered",
        HANS: "数字商品一经交付不支持无理由退货",
        HANT: "數位商品一經交付不支援無理由退貨",
    },
    "hygiene_opened": {
        EN: "personal care items cannot be returned once opened",
        HANS: "个人护理用品拆封后不支持无理由退货",
        HANT: "個人護理用品拆封後不支援無理由退貨",
    },
    "unopened": {EN: "unopened", HANS: "商品未拆封", HANT: "商品未拆封"},
    "opened_needs_unopened": {
        EN: "opened, and this item can only be returned unopened",
        HANS: "商品已拆封，该商品仅支持未拆封退货",
        HANT: "商品已拆封，該商品僅支援未拆封退貨",
    },
    "tags_on_ok": {EN: "tags still on", HANS: "吊牌完好", HANT: "吊牌完好"},
    "tags_on_no": {EN: "the tags have been removed", HANS: "吊牌已拆除", HANT: "吊牌已拆除"},
    "tags_on_unknown": {
        EN: "we need to know whether the tags are still on",
        HANS: "需确认吊牌是否完好",
        HANT: "需確認吊牌是否完好",
    },
    "accessories_ok": {EN: "accessories complete", HANS: "配件齐全", HANT: "配件齊全"},
    "accessories_no": {EN: "accessories missing", HANS: "配件不全", HANT: "配件不全"},
    "accessories_unknown": {
        EN: "we need to check the accessories",
        HANS: "需确认配件是否齐全",
        HANT: "需確認配件是否齊全",
    },
    "hours": {
        EN: "requested within {expected} hours of delivery ({actual} hours)",
        HANS: "签收后{expected}小时内申请（{actual}小时）",
        HANT: "簽收後{expected}小時內申請（{actual}小時）",
    },
    "days": {
        EN: "requested within {expected} days of delivery ({actual} days)",
        HANS: "签收后{expected}天内申请（第{actual}天）",
        HANT: "簽收後{expected}天內申請（第{actual}天）",
    },
    "no_reason": {EN: "no-reason return", HANS: "无理由退货", HANT: "無理由退貨"},
    "fault": {EN: "a problem on our side", HANS: "商家责任问题", HANT: "商家責任問題"},
    "flagged": {
        EN: "your account needs a manual check",
        HANS: "账户需人工核实",
        HANT: "帳戶需人工核實",
    },
    "tier": {EN: "{value} member", HANS: "{value}会员", HANT: "{value}會員"},
    "value_lte": {
        EN: "order value up to {expected}",
        HANS: "订单金额不超过{expected}",
        HANT: "訂單金額不超過{expected}",
    },
    "value_gte": {
        EN: "order value of {expected} or more",
        HANS: "订单金额达到{expected}",
        HANT: "訂單金額達到{expected}",
    },
    "reason": {EN: "reason: {value}", HANS: "原因：{value}", HANT: "原因：{value}"},
    "rule": {EN: "per the rule “{rule}”", HANS: "依据规则“{rule}”", HANT: "依據規則「{rule}」"},
    "auto": {EN: "approved automatically", HANS: "已自动同意", HANT: "已自動同意"},
    "eligible": {
        EN: "eligible, our team will confirm shortly",
        HANS: "符合条件，等待客服确认",
        HANT: "符合條件，等待客服確認",
    },
    "needs_review": {
        EN: "our team will review this request",
        HANS: "需要人工审核",
        HANT: "需要人工審核",
    },
    "not_eligible": {EN: "not eligible", HANS: "不符合售后条件", HANT: "不符合售後條件"},
    "payer_merchant": {
        EN: "Return shipping is paid by the merchant.",
        HANS: "退货运费由商家承担。",
        HANT: "退貨運費由商家承擔。",
    },
    "payer_customer": {
        EN: "Return shipping is paid by you.",
        HANS: "退货运费由您承担。",
        HANT: "退貨運費由您承擔。",
    },
    "payer_insurance": {
        EN: "Return shipping is covered by your order's return-shipping insurance.",
        HANS: "退货运费由订单的运费险承担。",
        HANT: "退貨運費由訂單的運費險承擔。",
    },
    "shipping_back": {
        EN: "The original shipping fee of {amount} is refunded too.",
        HANS: "原运费{amount}一并退还。",
        HANT: "原運費{amount}一併退還。",
    },
}

REASONS: dict[str, dict[str, str]] = {
    "size": {EN: "size", HANS: "尺码不合适", HANT: "尺碼不合適"},
    "colour_style": {EN: "colour or style", HANS: "颜色/款式不喜欢", HANT: "顏色/款式不喜歡"},
    "quality_defect": {EN: "quality defect", HANS: "质量问题", HANT: "品質問題"},
    "damaged_in_transit": {EN: "damaged in transit", HANS: "运输途中损坏", HANT: "運送途中損壞"},
    "wrong_item": {EN: "wrong item", HANS: "发错货", HANT: "發錯貨"},
    "missing_parts": {EN: "missing parts", HANS: "少件/缺配件", HANT: "少件/缺配件"},
    "not_as_described": {EN: "not as described", HANS: "与描述不符", HANT: "與描述不符"},
    "changed_mind": {EN: "changed mind", HANS: "不想要了", HANT: "不想要了"},
    "late_delivery": {EN: "late delivery", HANS: "发货/送达太慢", HANT: "發貨/送達太慢"},
    "other": {EN: "other", HANS: "其他", HANT: "其他"},
}


def normalise_language(language: str | None) -> str:
    code = (language or "").replace("_", "-").lower()
    if code in {"zh-hant", "zh-tw", "zh-hk", "zh-mo"}:
        return HANT
    if code.startswith("zh"):
        return HANS
    return EN


def _say(key: str, language: str, **values: Any) -> str:
    return W[key][language].format(**{k: _plain(v) for k, v in values.items()})


def _plain(value: Any) -> Any:
    if isinstance(value, float):
        return int(value) if value == int(value) else round(value, 1)
    if isinstance(value, Decimal):
        return str(int(value)) if value == value.to_integral() else str(value)
    if isinstance(value, frozenset | set):
        return ", ".join(sorted(str(v) for v in value))
    return value


def _fixed_check(step: Step, language: str, decision: Decision) -> str | None:
    """Clauses for the policy's own checks (window, exclusions, requirements)."""
    if step.code == "window":
        if step.op == "no_limit":
            return None
        undelivered = step.field == "days_since_order"
        key = ("window_ok" if step.passed else "window_late") + ("_order" if undelivered else "")
        return _say(key, language, limit=step.expected, days=step.actual)
    if step.code == "quantity":
        return None if step.passed else _say("quantity", language, **step._asdict())
    if step.code == "type":
        return _say(
            "claim_side" if decision.request_type == "claim" else "refund_only_side", language
        )
    if step.code == "exclusion":
        return _say(step.field, language)
    if step.code == "requirement":
        return _requirement(step, language)
    return None


def _requirement(step: Step, language: str) -> str:
    if step.field == "request.condition":
        return _say("unopened" if step.passed else "opened_needs_unopened", language)
    stem = "tags_on" if step.field == "request.tags_on" else "accessories"
    state = "ok" if step.actual is True else ("no" if step.actual is False else "unknown")
    return _say(f"{stem}_{state}", language)


def _rule_condition(step: Step, language: str) -> str | None:
    field, op = step.field, step.op
    if field == "order.hours_since_delivery" and op == "lte":
        return _say("hours", language, expected=step.expected, actual=step.actual)
    if field == "order.days_since_delivery" and op == "lte":
        return _say("days", language, expected=step.expected, actual=step.actual)
    if field == "request.condition" and step.actual == "unopened":
        return _say("unopened", language)
    if field == "request.reason_side":
        return _say("no_reason" if step.actual == "customer" else "fault", language)
    if field == "request.reason":
        label = REASONS.get(str(step.actual), {}).get(language, str(step.actual))
        return _say("reason", language, value=label)
    if field == "customer.risk_tags" and op in {"present", "has_any"}:
        return _say("flagged", language)
    if field == "customer.tier" and op == "in":
        return _say("tier", language, value=str(step.actual).upper())
    if field == "order.value":
        return _say(f"value_{op}", language, expected=step.expected)
    return None


_DAYS = "order.days_since_delivery"


def render_line(line: LineDecision, decision: Decision, language: str) -> str:
    language = normalise_language(language)
    clauses: list[str] = []
    deciders = set(line.decided_by)
    # A rule's "within N days of delivery" says what the window clause already said.
    window_said = any(step.code == "window" and step.passed for step in line.trace)
    for step in line.trace:
        if step.code == "rule_condition" and window_said and step.field == _DAYS:
            continue
        if step.code == "rule_condition":
            clause = _rule_condition(step, language) if step.rule in deciders else None
        else:
            clause = _fixed_check(step, language, decision)
        if clause and clause not in clauses:
            clauses.append(clause)
    if line.outcome != "eligible" and line.decided_by:
        clauses.append(_say("rule", language, rule=line.decided_by[0]))
    outcome = "auto" if line.auto_approve else str(line.outcome)
    return _sentence(clauses, _say(outcome, language), language)


def _sentence(clauses: list[str], outcome: str, language: str) -> str:
    if language == EN:
        body = f"{', '.join(clauses)}: {outcome}." if clauses else f"{outcome}."
        return body[0].upper() + body[1:]
    return f"{'，'.join(clauses)}：{outcome}。" if clauses else f"{outcome}。"


def render_trace(decision: Decision, language: str) -> list[str]:
    """One sentence per requested line, then who pays to send it back and the shipping refund."""
    language = normalise_language(language)
    sentences = [render_line(line, decision, language) for line in decision.lines]
    accepted = [line for line in decision.lines if line.outcome != "not_eligible"]
    payers = {line.shipping_payer for line in accepted}
    if len(payers) == 1 and (payer := payers.pop()) in {"merchant", "customer", "insurance"}:
        sentences.append(_say(f"payer_{payer}", language))
    if decision.shipping_refund > 0:
        amount = f"{decision.shipping_refund:.2f}"
        sentences.append(_say("shipping_back", language, amount=amount))
    return sentences
