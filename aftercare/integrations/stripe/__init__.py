"""Stripe's refunds API (documented format): POST /v1/refunds, GET /v1/refunds/{id}.

Form-encoded request with `payment_intent` (pi_...) or `charge` (ch_...), `amount` in the
currency's minor units, and an `Idempotency-Key` header; the answer is a refund object
(`id` re_..., `status` succeeded | pending | requires_action | failed | canceled). Errors come
as {"error": {"type": ..., "message": ...}} with a 4xx status (permanent) or 5xx (retry).
"""

from __future__ import annotations

import json
from decimal import Decimal
from typing import Any
from urllib.parse import urlencode

from aftercare.core import http
from aftercare.core.errors import ExternalServiceError
from aftercare.integrations.refund_gateway import (
    FAILED,
    PENDING,
    SUCCEEDED,
    RefundRequest,
    RefundResult,
)

# Currencies Stripe counts in whole units (no minor unit).
ZERO_DECIMAL = frozenset(
    "BIF CLP DJF GNF JPY KMF KRW MGA PYG RWF UGX VND VUV XAF XOF XPF".split()  # noqa: SIM905
)
STATUSES = {
    "succeeded": SUCCEEDED,
    "pending": PENDING,
    "requires_action": PENDING,
    "failed": FAILED,
    "canceled": FAILED,
}


def minor_units(amount: Decimal, currency: str) -> int:
    if currency.upper() in ZERO_DECIMAL:
        return int(amount)
    return int((amount * 100).to_integral_value())


class StripeGateway:
    name = "stripe"

    def __init__(self, *, api_base: str, secret_key: str, timeout: float | None = None) -> None:
        if not secret_key:
            raise ExternalServiceError(
                "The Stripe gateway needs a secret key (refund settings).", permanent=True
            )
        self.base = api_base.rstrip("/")
        self.secret_key = secret_key
        self.timeout = timeout

    def _headers(self, **extra: str) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.secret_key}", **extra}

    def refund(self, request: RefundRequest) -> RefundResult:
        target = "payment_intent" if request.payment_reference.startswith("pi_") else "charge"
        form = {
            target: request.payment_reference,
            "amount": str(minor_units(request.amount, request.currency)),
            "metadata[grant_id]": str(request.grant_id),
            "metadata[order]": request.order_external_id,
        }
        headers = self._headers(
            **{
                "Content-Type": "application/x-www-form-urlencoded",
                "Idempotency-Key": request.idempotency_key,
            }
        )
        return self._call("POST", f"{self.base}/v1/refunds", urlencode(form).encode(), headers)

    def lookup(self, request: RefundRequest, reference: str) -> RefundResult:
        if not reference:
            # Never heard back: the same POST with the same key returns the refund Stripe made.
            return self.refund(request)
        return self._call("GET", f"{self.base}/v1/refunds/{reference}", None, self._headers())

    def _call(
        self, method: str, url: str, content: bytes | None, headers: dict[str, str]
    ) -> RefundResult:
        try:
            response = http.request(
                method, url, content=content, headers=headers, timeout=self.timeout
            )
        except ExternalServiceError as error:
            if error.permanent:
                return RefundResult(status=FAILED, message=error_message(error.detail))
            raise
        body = _json(response.text)
        status = STATUSES.get(str(body.get("status")), PENDING)
        message = str(body.get("failure_reason") or "")
        return RefundResult(
            status=status, reference=str(body.get("id", "")), message=message, raw=body
        )


def error_message(detail: str) -> str:
    """`error.type: error.message` from Stripe's error body inside the client's detail."""
    start = detail.find("{")
    if start >= 0:
        try:
            error = json.loads(detail[start:]).get("error", {})
            return f"{error.get('type', 'error')}: {error.get('message', '')}"
        except (ValueError, AttributeError):
            pass
    return detail


def _json(text: str) -> dict[str, Any]:
    try:
        body = json.loads(text)
    except ValueError:
        raise ExternalServiceError("Stripe answered 2xx without JSON.", permanent=False) from None
    if not isinstance(body, dict) or not str(body.get("id", "")).startswith("re_"):
        raise ExternalServiceError("Stripe answered without a refund object.", permanent=False)
    return body
