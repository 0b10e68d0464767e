"""The R1/A2 reason codes and the request types are one vocabulary across apps.

The policy engine (pure, no Django), the cases (translated TextChoices for forms and the admin)
and the assistant (classifier labels) each declare them for their own needs; a reason the
assistant predicts must be one a case accepts and a policy judges.
"""

from __future__ import annotations

from aftercare.assistant.labels import Reason as AssistantReason
from aftercare.policies.spec import Reason as PolicyReason
from aftercare.policies.spec import RequestType
from aftercare.returns.states import CaseType, ReasonCode


def test_every_app_uses_the_same_reason_codes() -> None:
    policy = {reason.value for reason in PolicyReason}

    assert set(ReasonCode.values) == policy
    assert set(AssistantReason.values) == policy


def test_cases_and_policies_use_the_same_request_types() -> None:
    assert set(CaseType.values) == {kind.value for kind in RequestType}
