"""Policies are versioned: editing adds a version, old versions never change, one is active."""

from __future__ import annotations

import pytest
from django.db import IntegrityError, transaction

from aftercare.core.actors import Actor
from aftercare.core.audit import timeline_of
from aftercare.policies import actions, queries
from aftercare.policies.errors import UnknownPreset
from aftercare.policies.models import PolicyVersion, ReturnPolicy, VersionIsImmutable
from aftercare.policies.presets import china_7day, eu_14day
from aftercare.policies.spec import dump_spec


def test_editing_adds_a_version_and_leaves_the_old_one_unchanged(
    merchant, system_actor: Actor
) -> None:
    policy = actions.create_policy(actor=system_actor, name="Ours", spec=china_7day())
    first = policy.versions.get(number=1)
    before = dict(first.spec)

    second = actions.add_version(actor=system_actor, policy=policy, spec=eu_14day(), note="EU")

    first.refresh_from_db()
    assert first.spec == before == dump_spec(china_7day())
    assert second.number == 2 and second.spec == dump_spec(eu_14day())
    assert queries.active_version(merchant) == second
    kinds = [e.kind for e in timeline_of(policy, merchant_id=merchant.pk)]
    assert kinds == ["policy:created", "policy:activated", "policy:version_added"]


def test_a_saved_version_refuses_to_be_saved_again(system_actor: Actor) -> None:
    policy = actions.create_policy(actor=system_actor, name="Ours", spec=china_7day())
    version = policy.versions.get()
    version.spec = {"windows": {"return_days": 99}}

    with pytest.raises(VersionIsImmutable):
        version.save()

    assert PolicyVersion.objects.get(pk=version.pk).spec == dump_spec(china_7day())


def test_only_one_policy_is_active(merchant, system_actor: Actor) -> None:
    first = actions.create_policy(actor=system_actor, name="One", spec=china_7day())
    second = actions.create_policy(actor=system_actor, name="Two", spec=eu_14day())

    first.refresh_from_db()
    assert (first.is_active, second.is_active) == (False, True)
    with pytest.raises(IntegrityError), transaction.atomic():
        ReturnPolicy.objects.filter(pk=first.pk).update(is_active=True)


def test_installing_a_preset_twice_versions_the_active_policy(
    merchant, system_actor: Actor
) -> None:
    first = actions.install_preset(actor=system_actor, name="china_7day")
    second = actions.install_preset(actor=system_actor, name="eu_14day")

    assert (first.number, second.number) == (1, 2)
    assert first.policy_id == second.policy_id
    assert first.policy.name == "China 7-day no-reason returns"
    assert ReturnPolicy.objects.filter(merchant=merchant).count() == 1


def test_unknown_preset_changes_nothing(system_actor: Actor) -> None:
    with pytest.raises(UnknownPreset):
        actions.install_preset(actor=system_actor, name="us_30day")
    assert not ReturnPolicy.objects.exists()
