"""A decision as JSON: what the dry-run endpoint returns and what a case stores with itself."""

from __future__ import annotations

from typing import Any

from aftercare.policies.domain import Decision, LineDecision
from aftercare.policies.wording import normalise_language, render_line, render_trace


def decision_to_dict(decision: Decision, language: str) -> dict[str, Any]:
    language = normalise_language(language)
    return {
        "policy_version_id": decision.policy_version_id,
        "outcome": str(decision.outcome),
        "auto_approve": decision.auto_approve,
        "request_type": decision.request_type,
        "reason": decision.reason,
        "side": decision.side,
        "refund_point": decision.refund_point,
        "refund_method": decision.refund_method,
        "review_business_days": decision.review_business_days,
        "currency": decision.currency,
        "delivered": decision.delivered,
        "shipping_refund": decision.shipping_refund,
        "refund_total": decision.refund_total,
        "bonus_credit_total": decision.bonus_credit_total,
        "language": language,
        "explanation": render_trace(decision, language),
        "lines": [_line(line, decision, language) for line in decision.lines],
        "trace": [step.as_dict() for step in decision.trace],
    }


def _line(line: LineDecision, decision: Decision, language: str) -> dict[str, Any]:
    return {
        "order_line_id": line.line_id,
        "quantity": line.quantity,
        "outcome": str(line.outcome),
        "auto_approve": line.auto_approve,
        "side": line.side,
        "shipping_payer": line.shipping_payer,
        "refund_without_return": line.refund_without_return,
        "bonus_credit": line.bonus_credit,
        "window_days": line.window_days,
        "days_since_start": line.days_since_start,
        "decided_by": list(line.decided_by),
        "refund": line.refund.as_dict(),
        "explanation": render_line(line, decision, language),
        "trace": [step.as_dict() for step in line.trace],
    }
