"""Reads of policies, always scoped to one merchant (another merchant's policy looks missing)."""

from __future__ import annotations

from typing import Any

from django.db import models
from django.db.models import Max, Prefetch, QuerySet
from django.db.models.expressions import RawSQL

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


def active_version_columns(merchant_column: str) -> dict[str, RawSQL]:
    """What active_version() reads (id, stamp, number), as subqueries to fold into another
    query whose row has the merchant's id in `merchant_column` (SQL, e.g. '"t"."merchant_id"').

    Case creation reads it this way rather than paying a query of its own; with
    plan.plan_of() the spec is read only on a version's first use in the process.
    The annotations are `active_version_id` (None: no active policy), `active_version_at`
    and `active_version_number`.
    """
    version_t, policy_t = PolicyVersion._meta.db_table, ReturnPolicy._meta.db_table
    newest = (
        f'SELECT v."{{}}" FROM "{version_t}" v INNER JOIN "{policy_t}" p ON p."id" = v."policy_id" '
        f'WHERE v."merchant_id" = {merchant_column} AND p."is_active" = %s '
        'ORDER BY v."number" DESC LIMIT 1'
    )
    outputs: dict[str, models.Field[Any, Any]] = {
        "id": models.BigIntegerField(),
        "at": models.DateTimeField(),
        "number": models.PositiveIntegerField(),
    }
    columns = {"id": "id", "at": "created_at", "number": "number"}
    return {
        f"active_version_{name}": RawSQL(newest.format(columns[name]), (True,), output_field=out)
        for name, out in outputs.items()
    }


def get_version(merchant: Merchant | int, version_id: int) -> PolicyVersion:
    return get_scoped(PolicyVersion, merchant, pk=version_id)


def latest_version(policy: ReturnPolicy) -> PolicyVersion | None:
    return policy.versions.order_by("-number").first()
