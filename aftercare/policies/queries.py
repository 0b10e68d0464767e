"""Reads of policies, always scoped to one merchant (another merchant's policy looks missing)."""

from __future__ import annotations

from django.db.models import Max, Prefetch, QuerySet

from aftercare.core.errors import NotFound
from aftercare.merchants.models import Merchant
from aftercare.merchants.queries import get_scoped, scoped
from aftercare.policies.models import PolicyVersion, ReturnPolicy


def policies_of(merchant: Merchant | int) -> QuerySet[ReturnPolicy]:
    return (
        scoped(ReturnPolicy, merchant)
        .annotate(current_version=Max("versions__number"))
        .order_by("-is_active", "name", "id")
    )


def get_policy(merchant: Merchant | int, policy_id: int) -> ReturnPolicy:
    """One policy with its versions, newest first, in two queries."""
    versions = Prefetch("versions", queryset=PolicyVersion.objects.order_by("-number"))
    policy = policies_of(merchant).prefetch_related(versions).filter(pk=policy_id).first()
    if policy is None:
        raise NotFound("No return policy matches.")
    return policy


def active_version(merchant: Merchant | int) -> PolicyVersion | None:
    """The newest version of the merchant's active policy: what judges new requests."""
    return (
        scoped(PolicyVersion, merchant)
        .filter(policy__is_active=True)
        .select_related("policy")
        .order_by("-number")
        .first()
    )


def get_version(merchant: Merchant | int, version_id: int) -> PolicyVersion:
    return get_scoped(PolicyVersion, merchant, pk=version_id)


def latest_version(policy: ReturnPolicy) -> PolicyVersion | None:
    return policy.versions.order_by("-number").first()
