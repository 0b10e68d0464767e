"""Policy endpoints: list, read, create, version, install a preset, and the dry-run evaluation.

Reads need "policy.read" (every role); writes need "policy.write" (admins and supervisors, or
a key with that scope).
"""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from ninja import Router, Status

from aftercare.core.actors import Actor
from aftercare.core.api import actor_of, require
from aftercare.policies import actions, queries
from aftercare.policies.domain import RequestLine
from aftercare.policies.engine import evaluate
from aftercare.policies.errors import NoActivePolicy
from aftercare.policies.facts import build_facts
from aftercare.policies.models import PolicyVersion, ReturnPolicy
from aftercare.policies.plan import plan_for
from aftercare.policies.schemas import (
    DecisionOut,
    EvaluateIn,
    PolicyDetailOut,
    PolicyIn,
    PolicyOut,
    VersionIn,
    VersionOut,
)
from aftercare.policies.serialize import decision_to_dict

router = Router(tags=["policies"])


@router.get("", response=list[PolicyOut], summary="The merchant's return policies")
def list_policies(request: HttpRequest) -> list[ReturnPolicy]:
    actor = actor_of(request)
    require(actor, "policy.read")
    return list(queries.policies_of(actor.merchant))


@router.get("/{int:policy_id}", response=PolicyDetailOut, summary="One policy with its versions")
def get_policy(request: HttpRequest, policy_id: int) -> ReturnPolicy:
    actor = actor_of(request)
    require(actor, "policy.read")
    return queries.get_policy(actor.merchant, policy_id)


@router.post("", response={201: PolicyDetailOut}, summary="Create a policy (version 1)")
def create_policy(request: HttpRequest, payload: PolicyIn) -> Status[ReturnPolicy]:
    actor = actor_of(request)
    require(actor, "policy.write")
    policy = actions.create_policy(
        actor=actor,
        name=payload.name,
        spec=payload.spec,
        activate=payload.activate,
        note=payload.note,
    )
    return Status(201, queries.get_policy(actor.merchant, policy.pk))


@router.post(
    "/{int:policy_id}/versions", response={201: VersionOut}, summary="Edit: add a new version"
)
def add_version(request: HttpRequest, policy_id: int, payload: VersionIn) -> Status[PolicyVersion]:
    actor = actor_of(request)
    require(actor, "policy.write")
    policy = queries.get_policy(actor.merchant, policy_id)
    version = actions.add_version(actor=actor, policy=policy, spec=payload.spec, note=payload.note)
    return Status(201, version)


@router.post(
    "/presets/{name}",
    response={201: PolicyDetailOut},
    summary="Install a preset: china_7day, eu_14day or custom",
)
def install_preset(request: HttpRequest, name: str) -> Status[ReturnPolicy]:
    actor = actor_of(request)
    require(actor, "policy.write")
    version = actions.install_preset(actor=actor, name=name)
    return Status(201, queries.get_policy(actor.merchant, version.policy_id))


@router.post("/evaluate", response=DecisionOut, summary="Dry run: what the policy would decide")
def evaluate_request(
    request: HttpRequest, payload: EvaluateIn, lang: str | None = None
) -> dict[str, Any]:
    """Takes what a case creation takes and answers what the policy decides. Writes nothing."""
    actor = actor_of(request)
    require(actor, "policy.read")
    version = _judging_version(actor, payload.policy_version_id)
    facts = build_facts(
        merchant=actor.merchant,
        order_id=payload.order_id,
        order_external_id=payload.order_external_id,
        lines=[
            RequestLine(
                line_id=line.order_line_id,
                quantity=line.quantity,
                stated_condition=str(line.stated_condition),
                tags_on=line.tags_on,
                accessories_complete=line.accessories_complete,
            )
            for line in payload.lines
        ],
        request_type=str(payload.type),
        reason=str(payload.reason),
        requested_at=payload.requested_at,
    )
    decision = evaluate(plan_for(version.pk, version.stamp, version.spec), facts)
    body = decision_to_dict(decision, lang or facts.customer.language)
    body.update(
        policy_id=version.policy_id,
        policy_version_id=version.pk,
        policy_version=version.number,
    )
    return body


def _judging_version(actor: Actor, version_id: int | None) -> PolicyVersion:
    if version_id is not None:
        return queries.get_version(actor.merchant, version_id)
    version = queries.active_version(actor.merchant)
    if version is None:
        raise NoActivePolicy(
            "Install a preset or create a policy first (POST /api/v1/policies/presets/{name})."
        )
    return version
