"""Writers of policies: create, add a version, activate, install a preset. Each is audited."""

from __future__ import annotations

from django.db import transaction

from aftercare.core.actors import Actor
from aftercare.core.audit import record_event
from aftercare.merchants.queries import scoped
from aftercare.policies.errors import UnknownPreset
from aftercare.policies.models import PolicyVersion, ReturnPolicy
from aftercare.policies.presets import PRESET_TITLES, PRESETS
from aftercare.policies.spec import PolicySpec, dump_spec


def create_policy(
    *, actor: Actor, name: str, spec: PolicySpec, activate: bool = True, note: str = ""
) -> ReturnPolicy:
    """A new policy with version 1; when `activate`, it replaces the active policy."""
    with transaction.atomic():
        policy = ReturnPolicy.objects.create(merchant=actor.merchant, name=name)
        version = _write_version(actor=actor, policy=policy, number=1, spec=spec, note=note)
        record_event(
            actor=actor, subject=policy, kind="policy:created", data={"version": version.number}
        )
        if activate:
            activate_policy(actor=actor, policy=policy)
    return policy


def add_version(
    *, actor: Actor, policy: ReturnPolicy, spec: PolicySpec, note: str = ""
) -> PolicyVersion:
    """Editing a policy: the old versions stay exactly as they were."""
    with transaction.atomic():
        # Lock the policy so two editors cannot both write version n+1.
        locked = scoped(ReturnPolicy, actor.merchant).select_for_update().get(pk=policy.pk)
        last = locked.versions.order_by("-number").values_list("number", flat=True).first()
        version = _write_version(
            actor=actor, policy=locked, number=(last or 0) + 1, spec=spec, note=note
        )
        locked.save(update_fields=["updated_at"])
        record_event(
            actor=actor,
            subject=locked,
            kind="policy:version_added",
            reason=note,
            data={"version": version.number},
        )
    return version


def activate_policy(*, actor: Actor, policy: ReturnPolicy) -> ReturnPolicy:
    with transaction.atomic():
        # Deactivate first: the partial unique index allows one active policy at a time.
        others = scoped(ReturnPolicy, actor.merchant).select_for_update().filter(is_active=True)
        others.exclude(pk=policy.pk).update(is_active=False)
        policy.is_active = True
        policy.save(update_fields=["is_active", "updated_at"])
        record_event(actor=actor, subject=policy, kind="policy:activated")
    return policy


def install_preset(*, actor: Actor, name: str, note: str = "") -> PolicyVersion:
    """Version 1 of a new active policy, or the next version of the active one."""
    if name not in PRESETS:
        raise UnknownPreset(f"No preset {name!r}; choose from {', '.join(PRESETS)}.")
    spec = PRESETS[name]()
    note = note or f"Preset {name}"
    with transaction.atomic():
        active = scoped(ReturnPolicy, actor.merchant).filter(is_active=True).first()
        if active is not None:
            return add_version(actor=actor, policy=active, spec=spec, note=note)
        policy = create_policy(actor=actor, name=PRESET_TITLES[name], spec=spec, note=note)
        version = policy.versions.get(number=1)
    return version


def _write_version(
    *, actor: Actor, policy: ReturnPolicy, number: int, spec: PolicySpec, note: str
) -> PolicyVersion:
    return PolicyVersion.objects.create(
        merchant_id=policy.merchant_id,
        policy=policy,
        number=number,
        spec=dump_spec(spec),
        note=note[:300],
        created_by=actor.label[:128],
    )
