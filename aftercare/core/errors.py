"""Domain errors. Each has a stable machine code and an HTTP status; the API renders them as
RFC 7807 problem+json, the web UI as a message, the CLI as a sentence and a non-zero exit."""

from __future__ import annotations

from typing import Any


class DomainError(Exception):
    status: int = 400
    code: str = "bad_request"
    title: str = "The request cannot be carried out"

    def __init__(
        self,
        detail: str,
        *,
        code: str | None = None,
        errors: list[dict[str, Any]] | None = None,
        extra: dict[str, Any] | None = None,
    ) -> None:
        super().__init__(detail)
        self.detail = detail
        if code:
            self.code = code
        self.errors = errors or []
        self.extra = extra or {}


class NotFound(DomainError):
    status = 404
    code = "not_found"
    title = "Not found"


class Forbidden(DomainError):
    status = 403
    code = "forbidden"
    title = "Not allowed"


class Unauthenticated(DomainError):
    status = 401
    code = "unauthenticated"
    title = "Authentication required"


class Conflict(DomainError):
    status = 409
    code = "conflict"
    title = "Conflicts with the current state"


class InvalidTransition(Conflict):
    code = "invalid_transition"
    title = "That step is not allowed from the current status"


class ValidationFailed(DomainError):
    status = 422
    code = "validation_failed"
    title = "The input is not valid"


class PayloadTooLarge(DomainError):
    status = 413
    code = "payload_too_large"
    title = "Too much in one request"


class RateLimited(DomainError):
    status = 429
    code = "rate_limited"
    title = "Too many requests"


class ExternalServiceError(DomainError):
    """An outside system failed. `permanent` tells retry loops whether to try again."""

    status = 502
    code = "external_service_error"
    title = "An outside service failed"

    def __init__(self, detail: str, *, permanent: bool, **kwargs: Any) -> None:
        super().__init__(detail, **kwargs)
        self.permanent = permanent


class InvalidSignature(Unauthenticated):
    """A signed webhook whose signature is missing, wrong, or too old to trust."""

    code = "invalid_signature"
    title = "The request signature is not valid"


class AddressRefused(ExternalServiceError):
    """The outbound client refused a URL before sending anything (scheme, credentials, or a
    private/loopback address). Permanent: the same URL will be refused again."""

    code = "address_refused"
    title = "That address may not be called"

    def __init__(self, detail: str, **kwargs: Any) -> None:
        super().__init__(detail, permanent=True, **kwargs)
