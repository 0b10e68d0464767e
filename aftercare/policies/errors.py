"""Error codes of the policy app (stable: clients match on them)."""

from __future__ import annotations

from aftercare.core.errors import NotFound, ValidationFailed


class InvalidSpec(ValidationFailed):
    code = "invalid_policy_spec"
    title = "The policy is not valid"


class UnknownPreset(NotFound):
    code = "unknown_preset"
    title = "No such preset"


class NoActivePolicy(ValidationFailed):
    code = "no_active_policy"
    title = "The merchant has no active return policy"


class InvalidRequestLines(ValidationFailed):
    code = "invalid_request_lines"
    title = "The requested lines do not match the order"
