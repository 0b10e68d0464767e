"""Writers for merchants: onboarding, members, API keys."""

from __future__ import annotations

import secrets

from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils import timezone

from aftercare.core.actors import Actor
from aftercare.core.audit import record_event
from aftercare.core.errors import ValidationFailed
from aftercare.merchants.models import ApiKey, Member, Merchant, Role
from aftercare.merchants.queries import API_KEY_LEAD, forget_api_key, hash_secret
from aftercare.merchants.roles import API_SCOPES


def create_merchant(*, name: str, slug: str, **fields: str) -> Merchant:
    return Merchant.objects.create(name=name, slug=slug, **fields)


def add_member(
    *,
    merchant: Merchant,
    username: str,
    password: str,
    role: str,
    display_name: str = "",
    email: str = "",
) -> Member:
    if role not in Role.values:
        raise ValidationFailed(f"Unknown role {role!r}; use one of {', '.join(Role.values)}.")
    with transaction.atomic():
        user = get_user_model().objects.create_user(
            username=username, password=password, email=email
        )
        if role == Role.ADMIN:
            # Admins manage configuration in the Django admin, scoped to their merchant.
            user.is_staff = True
            user.save(update_fields=["is_staff"])
        return Member.objects.create(
            merchant=merchant, user=user, role=role, display_name=display_name
        )


def create_api_key(*, actor: Actor, name: str, scopes: list[str]) -> tuple[ApiKey, str]:
    """Create a key and return it with its secret, which is shown once and never stored."""
    unknown = sorted(set(scopes) - set(API_SCOPES))
    if unknown or not scopes:
        raise ValidationFailed(
            f"Unknown or empty scopes {unknown}; choose from {', '.join(API_SCOPES)}."
        )
    prefix = secrets.token_hex(4)
    secret = f"{API_KEY_LEAD}{prefix}_{secrets.token_urlsafe(32)}"
    with transaction.atomic():
        key = ApiKey.objects.create(
            merchant=actor.merchant,
            name=name,
            prefix=prefix,
            secret_hash=hash_secret(secret),
            scopes=sorted(set(scopes)),
        )
        record_event(actor=actor, subject=key, kind="api_key:created", data={"scopes": scopes})
    return key, secret


def revoke_api_key(*, actor: Actor, key: ApiKey) -> ApiKey:
    with transaction.atomic():
        key.revoked_at = timezone.now()
        key.save(update_fields=["revoked_at"])
        record_event(actor=actor, subject=key, kind="api_key:revoked")
    forget_api_key(key)
    return key
