"""Return policies as data: a policy per merchant (one active), and its immutable versions.

A case stores the PolicyVersion that judged it, so a version must never change after it is
written: editing a policy means adding a version (actions.add_version).
"""

from __future__ import annotations

from typing import Any

from django.db import models

from aftercare.merchants.models import MerchantScoped


class ReturnPolicy(MerchantScoped):
    name = models.CharField(max_length=200)
    is_active = models.BooleanField(default=False)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = "return policy"
        verbose_name_plural = "return policies"
        constraints = [
            # The database, not only the action, guarantees one policy judges a merchant's cases.
            models.UniqueConstraint(
                fields=["merchant"],
                condition=models.Q(is_active=True),
                name="one_active_policy_per_merchant",
            )
        ]

    def __str__(self) -> str:
        return self.name


class VersionIsImmutable(Exception):
    pass


class PolicyVersion(MerchantScoped):
    policy = models.ForeignKey(ReturnPolicy, on_delete=models.CASCADE, related_name="versions")
    number = models.PositiveIntegerField()
    spec = models.JSONField(help_text="A PolicySpec (aftercare/policies/spec.py), validated.")
    note = models.CharField(max_length=300, blank=True)
    created_by = models.CharField(max_length=128, help_text="The actor's label.")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["policy", "-number"]
        constraints = [
            models.UniqueConstraint(fields=["policy", "number"], name="policy_version_number"),
            models.CheckConstraint(condition=models.Q(number__gte=1), name="policy_version_gte_1"),
        ]

    def __str__(self) -> str:
        return f"{self.policy} v{self.number}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        # A case points at the version that judged it; rewriting one would rewrite history.
        if not self._state.adding:
            raise VersionIsImmutable("Policy versions are never changed; add a new version.")
        super().save(*args, **kwargs)

    @property
    def stamp(self) -> str:
        return self.created_at.isoformat()
