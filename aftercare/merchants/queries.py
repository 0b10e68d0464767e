"""Reads for tenancy: who is acting, and merchant-scoped lookups used by every app."""

from __future__ import annotations

import hashlib
from typing import Any, TypeVar

from django.db import models
from django.utils import timezone

from aftercare.core.actors import Actor
from aftercare.core.errors import NotFound
from aftercare.merchants.models import ApiKey, Member, Merchant

M = TypeVar("M", bound=models.Model)

API_KEY_LEAD = "ak_"


def hash_secret(secret: str) -> str:
    # Keys are long random strings, so a fast hash is enough (no dictionary to guess from).
    return hashlib.sha256(secret.encode()).hexdigest()


def membership_for_user(user: Any) -> Member | None:
    if user is None or not getattr(user, "is_authenticated", False):
        return None
    return Member.objects.select_related("merchant").filter(user=user).first()


def actor_for_user(user: Any) -> Actor | None:
    membership = membership_for_user(user)
    if membership is None:
        return None
    return Actor(
        merchant=membership.merchant,
        label=membership.display_name or user.get_username(),
        role=membership.role,
        user=user,
    )


def actor_for_api_key(token: str) -> Actor | None:
    """Keys look like ak_<prefix>_<secret>; look up by prefix, compare hashes."""
    if not token.startswith(API_KEY_LEAD) or token.count("_") < 2:
        return None
    prefix = token[len(API_KEY_LEAD) :].split("_", 1)[0]
    key = ApiKey.objects.select_related("merchant").filter(prefix=prefix).first()
    if key is None or key.revoked_at is not None:
        return None
    if not _constant_time_equal(key.secret_hash, hash_secret(token)):
        return None
    _touch(key)
    return Actor(
        merchant=key.merchant,
        label=f"api-key:{key.name}",
        role="integration",
        api_key=key,
        scopes=frozenset(key.scopes),
    )


def _touch(key: ApiKey) -> None:
    # At most one write a minute per key, so a busy integration does not write on every call.
    now = timezone.now()
    if key.last_used_at is None or (now - key.last_used_at).total_seconds() > 60:
        ApiKey.objects.filter(pk=key.pk).update(last_used_at=now)


def _constant_time_equal(a: str, b: str) -> bool:
    import hmac

    return hmac.compare_digest(a.encode(), b.encode())


def scoped(model: type[M], merchant: Merchant | int) -> models.QuerySet[M]:
    """The only door to tenant data: every query a user or key can reach starts here."""
    merchant_id = merchant if isinstance(merchant, int) else merchant.pk
    return model._default_manager.filter(merchant_id=merchant_id)


def get_scoped(model: type[M], merchant: Merchant | int, **lookup: Any) -> M:
    """One object of this merchant, or NotFound: another merchant's object looks missing."""
    obj = scoped(model, merchant).filter(**lookup).first()
    if obj is None:
        raise NotFound(f"No {model._meta.verbose_name} matches.")
    return obj
