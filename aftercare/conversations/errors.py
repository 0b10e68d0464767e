"""Error codes of conversations (stable; the API renders them as problem+json)."""

from __future__ import annotations

from aftercare.core.errors import DomainError, PayloadTooLarge, ValidationFailed


class EmptyMessage(ValidationFailed):
    code = "empty_message"


class CannotReply(DomainError):
    status = 409
    code = "cannot_reply"
    title = "This conversation cannot be answered here"


class MalformedEmail(DomainError):
    status = 400
    code = "malformed_email"
    title = "The email cannot be read"


class EmailTooLarge(PayloadTooLarge):
    code = "email_too_large"


class UnknownRecipient(DomainError):
    status = 404
    code = "unknown_recipient"
    title = "No merchant receives messages at this address"


class InvalidChatToken(DomainError):
    status = 401
    code = "invalid_chat_token"
    title = "The chat session is not valid"
