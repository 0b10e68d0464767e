"""The after-sales case status machine (R2): statuses, types, reasons and the transitions table.

Every status change goes through `aftercare.core.transitions.transition(case, to=...,
table=TRANSITIONS, ...)`, which locks the case row, checks this table, saves and writes the
timeline row in one transaction. An illegal step raises InvalidTransition (409) and changes
nothing; two agents acting at once serialise on the row lock, so the second sees the first's
status and is refused.

The main line (what the customer sees):

    submitted -> under_review -> approved -> awaiting_return_shipment -> in_transit
      -> received -> inspecting -> inspection_passed -> refund_processing -> refunded -> closed
                                                    \\-> exchange_processing -> exchanged -> closed
                                                    \\-> repairing -> repaired -> closed

Branches:
- submitted -> approved directly when the policy auto-approves; submitted/under_review ->
  rejected by an agent.
- The refund point (the policy's `refund_point`) is where `refund_processing` starts:
  on_approval: approved -> refund_processing; on_receipt: received -> refund_processing (the
  inspection is skipped: the merchant chose to trust receipt); on_inspection_passed:
  inspection_passed -> refund_processing. Requests settled without sending anything back
  (refund_only, claim, or a rule's refund_without_return) go approved -> refund_processing.
  For a refund-on-approval case the goods still come back; following that parcel is the
  logistics issue's job, not a status here.
- awaiting_return_shipment -> received without in_transit: a parcel that arrives before the
  customer typed a tracking number (or is handed in at a counter).
- cancel: by the customer or an agent while nothing has reached the warehouse
  (submitted, under_review, approved, awaiting_return_shipment).
- appeal: rejected or inspection_failed -> disputed. A supervisor decides the appeal:
  uphold -> back to where it came from (rejected / inspection_failed); overturn -> approved
  (after a rejection) or inspection_passed (after a failed inspection).
- negotiation (R5): under_review, rejected, inspection_failed or disputed ->
  resolved_by_negotiation (partial refund, coupon, resend a part, keep-the-item refund).
- closed: from every finished state (refunded, exchanged, repaired, resolved_by_negotiation)
  and from the dead ends a customer did not appeal (rejected, inspection_failed).
- cancelled and closed are terminal.
"""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class CaseStatus(models.TextChoices):
    SUBMITTED = "submitted", _("Submitted")
    UNDER_REVIEW = "under_review", _("Under review")
    APPROVED = "approved", _("Approved")
    REJECTED = "rejected", _("Rejected")
    AWAITING_RETURN_SHIPMENT = "awaiting_return_shipment", _("Awaiting return shipment")
    IN_TRANSIT = "in_transit", _("In transit")
    RECEIVED = "received", _("Received")
    INSPECTING = "inspecting", _("Inspecting")
    INSPECTION_PASSED = "inspection_passed", _("Inspection passed")
    INSPECTION_FAILED = "inspection_failed", _("Inspection failed")
    REFUND_PROCESSING = "refund_processing", _("Refund processing")
    EXCHANGE_PROCESSING = "exchange_processing", _("Exchange processing")
    REPAIRING = "repairing", _("Repairing")
    REFUNDED = "refunded", _("Refunded")
    EXCHANGED = "exchanged", _("Exchanged")
    REPAIRED = "repaired", _("Repaired")
    CLOSED = "closed", _("Closed")
    CANCELLED = "cancelled", _("Cancelled")
    DISPUTED = "disputed", _("Disputed")
    RESOLVED_BY_NEGOTIATION = "resolved_by_negotiation", _("Resolved by negotiation")


class CaseType(models.TextChoices):
    RETURN_REFUND = "return_refund", _("Return and refund")
    EXCHANGE = "exchange", _("Exchange")
    REFUND_ONLY = "refund_only", _("Refund only")
    REPAIR = "repair", _("Repair")
    CLAIM = "claim", _("Claim (missing, wrong or defective item)")


class ReasonCode(models.TextChoices):
    SIZE = "size", _("Size")
    COLOUR_STYLE = "colour_style", _("Colour or style")
    QUALITY_DEFECT = "quality_defect", _("Quality defect")
    DAMAGED_IN_TRANSIT = "damaged_in_transit", _("Damaged in transit")
    WRONG_ITEM = "wrong_item", _("Wrong item")
    MISSING_PARTS = "missing_parts", _("Missing parts")
    NOT_AS_DESCRIBED = "not_as_described", _("Not as described")
    CHANGED_MIND = "changed_mind", _("Changed mind")
    LATE_DELIVERY = "late_delivery", _("Late delivery")
    OTHER = "other", _("Other")


S = CaseStatus

TRANSITIONS: dict[CaseStatus, frozenset[CaseStatus]] = {
    S.SUBMITTED: frozenset({S.UNDER_REVIEW, S.APPROVED, S.REJECTED, S.CANCELLED}),
    S.UNDER_REVIEW: frozenset({S.APPROVED, S.REJECTED, S.CANCELLED, S.RESOLVED_BY_NEGOTIATION}),
    S.APPROVED: frozenset({S.AWAITING_RETURN_SHIPMENT, S.REFUND_PROCESSING, S.CANCELLED}),
    S.REJECTED: frozenset({S.DISPUTED, S.RESOLVED_BY_NEGOTIATION, S.CLOSED}),
    S.AWAITING_RETURN_SHIPMENT: frozenset({S.IN_TRANSIT, S.RECEIVED, S.CANCELLED}),
    S.IN_TRANSIT: frozenset({S.RECEIVED}),
    S.RECEIVED: frozenset({S.INSPECTING, S.REFUND_PROCESSING}),
    S.INSPECTING: frozenset({S.INSPECTION_PASSED, S.INSPECTION_FAILED}),
    S.INSPECTION_PASSED: frozenset({S.REFUND_PROCESSING, S.EXCHANGE_PROCESSING, S.REPAIRING}),
    S.INSPECTION_FAILED: frozenset({S.DISPUTED, S.RESOLVED_BY_NEGOTIATION, S.CLOSED}),
    S.REFUND_PROCESSING: frozenset({S.REFUNDED}),
    S.EXCHANGE_PROCESSING: frozenset({S.EXCHANGED}),
    S.REPAIRING: frozenset({S.REPAIRED}),
    S.REFUNDED: frozenset({S.CLOSED}),
    S.EXCHANGED: frozenset({S.CLOSED}),
    S.REPAIRED: frozenset({S.CLOSED}),
    S.DISPUTED: frozenset(
        {
            S.REJECTED,  # appeal upheld after a rejection
            S.INSPECTION_FAILED,  # appeal upheld after a failed inspection
            S.APPROVED,  # overturned rejection
            S.INSPECTION_PASSED,  # overturned inspection
            S.RESOLVED_BY_NEGOTIATION,
        }
    ),
    S.RESOLVED_BY_NEGOTIATION: frozenset({S.CLOSED}),
    S.CLOSED: frozenset(),
    S.CANCELLED: frozenset(),
}

# Cases in these statuses no longer hold their lines' quantities: the same units may be asked
# for again. (A rejected case that is appealed and overturned takes them back, re-checked.)
RELEASED_STATUSES = frozenset({S.CANCELLED, S.REJECTED})
TERMINAL_STATUSES = frozenset({S.CLOSED, S.CANCELLED})
# Where the goods have not reached the warehouse yet: the customer may still cancel.
CANCELLABLE_STATUSES = frozenset(
    {S.SUBMITTED, S.UNDER_REVIEW, S.APPROVED, S.AWAITING_RETURN_SHIPMENT}
)
# Requests that send nothing back.
NO_RETURN_TYPES = frozenset({CaseType.REFUND_ONLY, CaseType.CLAIM})


class Stage(models.TextChoices):
    """The stage clocks of R7: each has its own deadline field on the case."""

    REVIEW = "review", _("Review")
    CUSTOMER_SHIPPING = "customer_shipping", _("Customer shipping")
    INSPECTION = "inspection", _("Inspection")
    REFUND = "refund", _("Refund")


# Which stage clock runs in which status, and the case field holding its deadline.
STAGE_OF_STATUS: dict[CaseStatus, Stage] = {
    S.SUBMITTED: Stage.REVIEW,
    S.UNDER_REVIEW: Stage.REVIEW,
    S.AWAITING_RETURN_SHIPMENT: Stage.CUSTOMER_SHIPPING,
    S.RECEIVED: Stage.INSPECTION,
    S.INSPECTING: Stage.INSPECTION,
    S.REFUND_PROCESSING: Stage.REFUND,
}
DEADLINE_FIELD: dict[Stage, str] = {
    Stage.REVIEW: "review_due_at",
    Stage.CUSTOMER_SHIPPING: "customer_ship_due_at",
    Stage.INSPECTION: "inspection_due_at",
    Stage.REFUND: "refund_due_at",
}


def allowed_from(status: str) -> frozenset[CaseStatus]:
    return TRANSITIONS.get(CaseStatus(status), frozenset())
