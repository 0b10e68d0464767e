"""Error codes of the returns app (stable: clients match on them)."""

from __future__ import annotations

from aftercare.core.errors import Conflict, PayloadTooLarge, ValidationFailed


class NotEligible(ValidationFailed):
    """The policy says no for at least one requested line; the errors name each line."""

    code = "not_eligible"
    title = "The policy does not allow this request"


class QuantityExceeded(ValidationFailed):
    code = "quantity_exceeded"
    title = "More units than were bought"


class InvalidInspection(ValidationFailed):
    code = "invalid_inspection"
    title = "The inspection results do not match the case"


class InvalidExchange(ValidationFailed):
    code = "invalid_exchange"
    title = "The exchange cannot be made"


class OutOfStock(Conflict):
    code = "out_of_stock"
    title = "The replacement is not in stock"


class InvalidAttachment(ValidationFailed):
    code = "invalid_attachment"
    title = "The file is not an accepted photo, video or voice recording"


class AttachmentTooLarge(PayloadTooLarge):
    code = "attachment_too_large"
    title = "The file is too large"


class AttachmentLimit(Conflict):
    code = "attachment_limit"
    title = "The case has as many attachments as it may"


class AboveAuthority(ValidationFailed):
    code = "above_authority"
    title = "Above your authority: a supervisor must approve"
