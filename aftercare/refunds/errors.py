"""Error codes of the refunds app (stable: clients match on them)."""

from __future__ import annotations

from aftercare.core.errors import Conflict, ValidationFailed


class AmountExceedsPaid(ValidationFailed):
    """More would go back on an order or a line than the customer paid for it."""

    code = "amount_exceeds_paid"
    title = "More than was paid"


class InvalidGrant(ValidationFailed):
    code = "invalid_grant"
    title = "The grant is not complete"


class NotApprovable(Conflict):
    code = "not_approvable"
    title = "The grant does not wait for this approval"


class NotExecutable(Conflict):
    code = "not_executable"
    title = "The grant cannot be executed now"


class NoManualExecution(Conflict):
    code = "no_manual_execution"
    title = "Nothing waits to be marked paid"
