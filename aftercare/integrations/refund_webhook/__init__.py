"""Refunds through a signed HTTP webhook to the merchant's own system (docs/refunds-webhook.md).

POST <webhook_url> with a JSON body, `Aftercare-Signature` (HMAC-SHA256, core/inbox.py) and
`Idempotency-Key`; a 2xx answer with {"status": "succeeded"|"pending", "reference": ...} is the
outcome. The merchant's system must answer a repeated key with the first answer, so a retry or
a reconcile (which sends the same request again) never pays twice.
"""

from __future__ import annotations

import json
from typing import Any

from aftercare.core import http
from aftercare.core.errors import ExternalServiceError
from aftercare.core.inbox import SIGNATURE_HEADER, sign
from aftercare.integrations.refund_gateway import (
    FAILED,
    PENDING,
    SUCCEEDED,
    RefundRequest,
    RefundResult,
)

EVENT_TYPE = "refund.execute"


def request_body(request: RefundRequest) -> dict[str, Any]:
    return {
        "type": EVENT_TYPE,
        "idempotency_key": request.idempotency_key,
        "grant_id": request.grant_id,
        "order_id": request.order_id,
        "order_external_id": request.order_external_id,
        "payment_reference": request.payment_reference,
        "case_number": request.case_number,
        "amount": str(request.amount),
        "currency": request.currency,
        "reason": request.reason,
        "lines": request.lines,
    }


class WebhookGateway:
    name = "webhook"

    def __init__(self, *, url: str, secret: str, timeout: float | None = None) -> None:
        if not url or not secret:
            raise ExternalServiceError(
                "The refund webhook needs a URL and a secret (refund settings).", permanent=True
            )
        self.url, self.secret, self.timeout = url, secret, timeout

    def refund(self, request: RefundRequest) -> RefundResult:
        body = json.dumps(request_body(request), separators=(",", ":")).encode()
        headers = {
            "Content-Type": "application/json",
            "Idempotency-Key": request.idempotency_key,
            SIGNATURE_HEADER: sign(self.secret, body),
        }
        try:
            response = http.request(
                "POST", self.url, content=body, headers=headers, timeout=self.timeout
            )
        except ExternalServiceError as error:
            if error.permanent:
                # The merchant said no: keep their words for the finance queue.
                return RefundResult(status=FAILED, message=_their_message(error.detail))
            raise
        return _result(response.text)

    def lookup(self, request: RefundRequest, reference: str) -> RefundResult:
        # The format has no read endpoint: asking again with the same key is the lookup.
        return self.refund(request)


def _their_message(detail: str) -> str:
    start = detail.find("{")
    if start >= 0:
        try:
            body = json.loads(detail[start:])
            error = body.get("error", body)
            if isinstance(error, dict) and error.get("message"):
                return str(error["message"])
        except ValueError:
            pass
    return detail


def _result(text: str) -> RefundResult:
    try:
        body = json.loads(text or "{}")
    except ValueError:
        raise ExternalServiceError(
            "The refund webhook answered 2xx without a JSON body.", permanent=False
        ) from None
    if not isinstance(body, dict):
        body = {}
    status = str(body.get("status") or SUCCEEDED)
    reference = str(body.get("reference") or "")
    if status == FAILED:
        return RefundResult(status=FAILED, message=str(body.get("message", "")), raw=body)
    if status not in (SUCCEEDED, PENDING) or not reference:
        # 2xx without a reference is not the documented success: ask again (same key).
        raise ExternalServiceError(
            "The refund webhook answered 2xx without a status and reference.", permanent=False
        )
    return RefundResult(status=status, reference=reference, raw=body)
