"""Who is acting: a member of a merchant's team, an API key, the customer, or the system.

Every action takes an Actor, so permissions and the audit trail see the same identity
whether the change came from the console, the API, a task, the bot or the IVR.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from aftercare.merchants.models import ApiKey, Merchant


@dataclass(frozen=True)
class Actor:
    merchant: Merchant
    label: str
    role: str = ""
    user: Any = None
    api_key: ApiKey | None = None
    scopes: frozenset[str] = field(default_factory=frozenset)

    @classmethod
    def system(cls, merchant: Merchant, label: str = "system") -> Actor:
        return cls(merchant=merchant, label=label, role="system", scopes=frozenset({"*"}))

    @property
    def merchant_id(self) -> int:
        return self.merchant.pk

    @property
    def user_id(self) -> int | None:
        return getattr(self.user, "pk", None)

    def can(self, permission: str) -> bool:
        """Roles grant permissions to people; scopes grant them to API keys."""
        from aftercare.merchants.roles import role_allows, scope_allows

        if self.role == "system":
            return True
        if self.api_key is not None:
            return scope_allows(self.scopes, permission)
        return role_allows(self.role, permission)
