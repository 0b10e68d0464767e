"""Reads for tenancy: who is acting, and merchant-scoped lookups used by every app."""

from __future__ import annotations

import copy
import hashlib
import threading
import time
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


# A key that proved valid is trusted again for VERIFIED_FOR seconds by the same process without
# reading it: an integration sends hundreds of calls a second, and the read cost ~0.7 ms of
# CPU each. Revoking drops it at once in the revoking process (forget_api_key); other server
# processes stop accepting it within VERIFIED_FOR. Keys are immutable otherwise (ADR 0003).
VERIFIED_FOR = 10.0
MAX_VERIFIED = 1_000
_verified: dict[str, tuple[float, ApiKey]] = {}
_verified_lock = threading.Lock()


def actor_for_api_key(token: str) -> Actor | None:
    """Keys look like ak_<prefix>_<secret>; look up by prefix, compare hashes."""
    if not token.startswith(API_KEY_LEAD) or token.count("_") < 2:
        return None
    digest = hash_secret(token)
    key = _recently_verified(digest) or _verify(token, digest)
    if key is None:
        return None
    _touch(key)
    return Actor(
        # A copy per request: the cached row is shared by every thread of the process.
        merchant=copy.copy(key.merchant),
        label=f"api-key:{key.name}",
        role="integration",
        api_key=key,
        scopes=frozenset(key.scopes),
    )


def _recently_verified(digest: str) -> ApiKey | None:
    hit = _verified.get(digest)
    if hit is None or hit[0] < time.monotonic():
        return None
    return hit[1]


def _verify(token: str, digest: str) -> ApiKey | None:
    prefix = token[len(API_KEY_LEAD) :].split("_", 1)[0]
    key = ApiKey.objects.select_related("merchant").filter(prefix=prefix).first()
    if key is None or key.revoked_at is not None:
        return None
    if not _constant_time_equal(key.secret_hash, digest):
        return None
    with _verified_lock:
        if len(_verified) >= MAX_VERIFIED:
            _verified.clear()
        _verified[digest] = (time.monotonic() + VERIFIED_FOR, key)
    return key


def forget_api_key(key: ApiKey) -> None:
    """Stop trusting a key in this process at once (it was revoked)."""
    with _verified_lock:
        for digest, (_, cached) in list(_verified.items()):
            if cached.pk == key.pk:
                del _verified[digest]


def _touch(key: ApiKey) -> None:
    # At most one write a minute per key, so a busy integration does not write on every call.
    now = timezone.now()
    if key.last_used_at is None or (now - key.last_used_at).total_seconds() > 60:
        ApiKey.objects.filter(pk=key.pk).update(last_used_at=now)
        key.last_used_at = now


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
