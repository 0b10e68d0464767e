"""The RefundGateway capability: send one refund, look one up. Each provider implements it.

A gateway returns a RefundResult for every answer the provider gave (succeeded, pending, or
failed for a business reason such as "already refunded") and raises ExternalServiceError for
transport trouble: `permanent=False` (timeouts, 5xx) makes the outbox retry with the same
idempotency key; `permanent=True` (4xx) stops and puts the grant in the finance queue.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any, Protocol

SUCCEEDED = "succeeded"
PENDING = "pending"
FAILED = "failed"


@dataclass(frozen=True)
class RefundRequest:
    idempotency_key: str
    amount: Decimal
    currency: str
    grant_id: int
    order_id: int
    order_external_id: str
    payment_reference: str  # the provider's payment id (Stripe: pi_... or ch_...)
    case_number: str | None = None
    reason: str = ""
    lines: list[dict[str, Any]] = field(default_factory=list)


@dataclass(frozen=True)
class RefundResult:
    status: str  # succeeded | pending | failed
    reference: str = ""
    message: str = ""
    raw: dict[str, Any] = field(default_factory=dict)


class RefundGateway(Protocol):
    name: str

    def refund(self, request: RefundRequest) -> RefundResult:
        """Ask for the refund. Repeating the same idempotency key must not refund twice."""
        ...

    def lookup(self, request: RefundRequest, reference: str) -> RefundResult:
        """The refund's current state (reconcile); `reference` may be blank if never answered."""
        ...


class ManualGateway:
    """Finance pays by hand and marks the execution paid with a reference; nothing is sent."""

    name = "manual"

    def refund(self, request: RefundRequest) -> RefundResult:
        return RefundResult(status=PENDING, message="waiting for finance to mark it paid")

    def lookup(self, request: RefundRequest, reference: str) -> RefundResult:
        return RefundResult(status=PENDING, reference=reference)
