"""API keys: shown once, stored as a hash, refused when wrong or revoked."""

from __future__ import annotations

import pytest

from aftercare.core.actors import Actor
from aftercare.core.audit import timeline_of
from aftercare.core.errors import ValidationFailed
from aftercare.merchants.actions import create_api_key, revoke_api_key
from aftercare.merchants.models import ApiKey
from aftercare.merchants.queries import actor_for_api_key, hash_secret


def test_secret_is_returned_once_and_only_its_hash_is_stored(merchant, system_actor) -> None:
    key, secret = create_api_key(actor=system_actor, name="erp", scopes=["commerce.read"])

    stored = ApiKey.objects.get(pk=key.pk)
    assert secret.startswith(f"ak_{key.prefix}_")
    assert stored.secret_hash == hash_secret(secret)
    row = " ".join(str(value) for value in ApiKey.objects.filter(pk=key.pk).values().get().values())
    random_part = secret.split("_", 2)[2]
    assert random_part not in row  # neither the secret nor its random part is in any column


def test_the_right_secret_gives_an_actor_with_the_keys_scopes(merchant, system_actor) -> None:
    key, secret = create_api_key(actor=system_actor, name="erp", scopes=["commerce.read"])

    actor = actor_for_api_key(secret)

    assert isinstance(actor, Actor)
    assert actor.merchant == merchant and actor.api_key == key
    assert actor.scopes == frozenset({"commerce.read"})
    assert actor.can("commerce.read") and not actor.can("commerce.write")
    key.refresh_from_db()
    assert key.last_used_at is not None


@pytest.mark.parametrize(
    "mangle",
    [
        lambda s: s[:-1] + ("A" if s[-1] != "A" else "B"),  # right prefix, wrong secret
        lambda s: s.replace("ak_", "xx_", 1),
        lambda s: "ak_" + "0" * 8 + "_" + s.split("_", 2)[2],  # unknown prefix
        lambda s: "",
        lambda s: "ak_",
    ],
)
def test_a_wrong_secret_is_refused(merchant, system_actor, mangle) -> None:
    _, secret = create_api_key(actor=system_actor, name="erp", scopes=["*"])
    assert actor_for_api_key(mangle(secret)) is None


def test_a_revoked_key_is_refused_and_the_revocation_is_audited(merchant, system_actor) -> None:
    key, secret = create_api_key(actor=system_actor, name="erp", scopes=["*"])

    revoke_api_key(actor=system_actor, key=key)

    assert actor_for_api_key(secret) is None
    kinds = [e.kind for e in timeline_of(key, merchant_id=merchant.pk)]
    assert kinds == ["api_key:created", "api_key:revoked"]


def test_revoked_key_gets_401_from_the_api(merchant, system_actor, client) -> None:
    key, secret = create_api_key(actor=system_actor, name="erp", scopes=["*"])
    revoke_api_key(actor=system_actor, key=key)

    response = client.get("/api/v1/me", HTTP_AUTHORIZATION=f"Bearer {secret}")

    assert response.status_code == 401


@pytest.mark.parametrize("scopes", [[], ["commerce.read", "everything"]])
def test_unknown_or_empty_scopes_are_refused(merchant, system_actor, scopes) -> None:
    with pytest.raises(ValidationFailed):
        create_api_key(actor=system_actor, name="erp", scopes=scopes)


def test_a_key_in_use_is_refused_as_soon_as_it_is_revoked(merchant, system_actor) -> None:
    key, secret = create_api_key(actor=system_actor, name="erp", scopes=["*"])
    assert actor_for_api_key(secret) is not None  # now trusted for a few seconds

    revoke_api_key(actor=system_actor, key=key)

    assert actor_for_api_key(secret) is None


def test_a_verified_key_is_not_read_again_for_a_few_seconds(
    merchant, system_actor, django_assert_num_queries
) -> None:
    _, secret = create_api_key(actor=system_actor, name="erp", scopes=["commerce.read"])
    actor_for_api_key(secret)

    with django_assert_num_queries(0):
        again = actor_for_api_key(secret)

    assert again is not None and again.scopes == frozenset({"commerce.read"})
    assert again.merchant == merchant


def test_a_revocation_by_another_process_takes_effect_after_the_trust_window(
    merchant, system_actor, monkeypatch
) -> None:
    from django.utils import timezone

    from aftercare.merchants import queries
    from aftercare.merchants.models import ApiKey

    key, secret = create_api_key(actor=system_actor, name="erp", scopes=["*"])
    actor_for_api_key(secret)
    ApiKey.objects.filter(pk=key.pk).update(revoked_at=timezone.now())  # not this process

    assert actor_for_api_key(secret) is not None  # still inside VERIFIED_FOR
    expired = {d: (0.0, cached) for d, (_, cached) in queries._verified.items()}
    monkeypatch.setattr(queries, "_verified", expired)  # VERIFIED_FOR has passed
    assert actor_for_api_key(secret) is None
