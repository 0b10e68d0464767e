"""Ready-made policies a merchant installs in one click: China 7-day, EU 14-day, blank custom.

Each preset is a validated PolicySpec; installing one (actions.install_preset) creates a
policy with version 1, or a new version of the merchant's active policy.
"""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal

from aftercare.policies.spec import PolicySpec, parse_spec

# The order value under which the China preset approves requests made within 48 hours of
# delivery without an agent: small enough that a mistake costs less than the review.
CHINA_FAST_LANE_MAX_ORDER = Decimal("500")

FLAGGED_TO_REVIEW = {
    "name": "Flagged customers go to review",
    "priority": 10,
    "conditions": [{"field": "customer.risk_tags", "op": "present"}],
    "actions": [{"kind": "needs_review"}],
}


def china_7day() -> PolicySpec:
    """七天无理由退货: the PRC consumer-protection rules plus the usual marketplace practice."""
    return parse_spec(
        {
            "windows": {"return_days": 7, "exchange_days": 15, "warranty_days": 365},
            "exclusions": {
                "hygiene_opened": True,
                "custom_made": True,
                "perishable": True,
                "digital": True,
                "non_returnable_skus": True,
            },
            "shipping": {
                "return_payer": {"merchant": "merchant", "customer": "customer"},
                "refund_original": {"merchant": "always", "customer": "never"},
            },
            "refund_point": "on_receipt",
            "review_business_days": 1,
            "rules": [
                FLAGGED_TO_REVIEW,
                {
                    "name": "7-day no-reason, unopened",
                    "priority": 20,
                    "conditions": [
                        {"field": "request.reason_side", "op": "in", "value": ["customer"]},
                        {"field": "request.condition", "op": "in", "value": ["unopened"]},
                        {"field": "order.days_since_delivery", "op": "lte", "value": 7},
                    ],
                    "actions": [{"kind": "auto_approve"}],
                },
                {
                    "name": "Within 48 hours of delivery",
                    "priority": 30,
                    "conditions": [
                        {"field": "order.hours_since_delivery", "op": "lte", "value": 48},
                        {
                            "field": "order.value",
                            "op": "lte",
                            "value": str(CHINA_FAST_LANE_MAX_ORDER),
                        },
                    ],
                    "actions": [{"kind": "auto_approve"}],
                },
            ],
        }
    )


def eu_14day() -> PolicySpec:
    """The EU right of withdrawal (Directive 2011/83/EU): 14 days from delivery, no reason."""
    return parse_spec(
        {
            "windows": {"return_days": 14, "exchange_days": 14, "warranty_days": 730},
            "exclusions": {
                "hygiene_opened": True,  # sealed goods unsealed for health reasons
                "custom_made": True,
                "perishable": True,
                "digital": True,
                "non_returnable_skus": True,
            },
            # The consumer bears the cost of sending back unless the merchant agreed to;
            # a merchant who pays changes return_payer.customer to "merchant".
            "shipping": {
                "return_payer": {"merchant": "merchant", "customer": "customer"},
                "refund_original": {"merchant": "always", "customer": "full_return"},
            },
            "refund_point": "on_receipt",
            "review_business_days": 2,
            "rules": [
                FLAGGED_TO_REVIEW,
                {
                    "name": "Withdrawal within 14 days",
                    "priority": 20,
                    "conditions": [
                        {"field": "request.reason_side", "op": "in", "value": ["customer"]},
                        {"field": "request.type", "op": "in", "value": ["return_refund"]},
                    ],
                    "actions": [{"kind": "auto_approve"}],
                },
            ],
        }
    )


def custom() -> PolicySpec:
    """A blank policy: no windows, no exclusions, no rules; an agent reviews everything."""
    return parse_spec(
        {
            "windows": {"return_days": None, "exchange_days": None, "warranty_days": None},
            "exclusions": {
                "hygiene_opened": False,
                "custom_made": False,
                "perishable": False,
                "digital": False,
                "non_returnable_skus": False,
            },
            "default_outcome": "needs_review",
            "refund_point": "on_inspection_passed",
            "review_business_days": 2,
        }
    )


PRESETS: dict[str, Callable[[], PolicySpec]] = {
    "china_7day": china_7day,
    "eu_14day": eu_14day,
    "custom": custom,
}
PRESET_TITLES = {
    "china_7day": "China 7-day no-reason returns",
    "eu_14day": "EU 14-day withdrawal",
    "custom": "Custom policy",
}
