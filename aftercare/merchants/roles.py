"""What each role may do, and what each API key scope allows. Data, not scattered checks."""

from __future__ import annotations

from collections.abc import Iterable

# Permission names are "<area>.<read|write|...>"; API scopes are the same names.
ROLE_PERMISSIONS: dict[str, frozenset[str]] = {
    "admin": frozenset({"*"}),
    "supervisor": frozenset(
        {
            "commerce.read",
            "commerce.write",
            "merchant.read",
            "policy.read",
            "policy.write",
            "desk.read",
            "desk.write",
            "cases.read",
            "cases.write",
            "cases.inspect",
            "cases.decide",
            "assistant.use",
            "desk.supervise",
            "refunds.read",
            "refunds.grant",
            "refunds.approve",
            "notifications.read",
            "notifications.manage",
        }
    ),
    "agent": frozenset(
        {
            "commerce.read",
            "merchant.read",
            "policy.read",
            "desk.read",
            "desk.write",
            "cases.read",
            "cases.write",
            "assistant.use",
            "refunds.read",
            "refunds.grant",
            "notifications.read",
        }
    ),
    # desk.read: tickets are assigned to warehouse staff (S5), who must be able to open them.
    "warehouse": frozenset(
        {
            "commerce.read",
            "merchant.read",
            "policy.read",
            "cases.read",
            "cases.inspect",
            "desk.read",
        }
    ),
    "finance": frozenset(
        {
            "commerce.read",
            "merchant.read",
            "policy.read",
            "cases.read",
            "desk.read",
            "refunds.read",
            "refunds.finance",
        }
    ),
}

API_SCOPES: dict[str, str] = {
    "commerce.read": "Read customers, products, orders and shipments",
    "commerce.write": "Create and update customers, products, orders and shipments",
    "merchant.read": "Read stores and the merchant's settings",
    "policy.read": "Read return policies and dry-run their decisions",
    "policy.write": "Create return policies, add versions, install presets",
    "cases.read": "Read after-sales cases, their timelines and decisions",
    "cases.write": "Open cases and act on them (approve, reject, ship, cancel, appeal, ...)",
    "cases.inspect": "Receive returned parcels and record inspections",
    "cases.decide": "Decide appeals, agree outcomes above agent limits, mark refunds paid",
    "assistant.use": "Analyse messages and answer questions from the FAQ",
    "desk.read": "Read conversations, tickets and the customer 360",
    "desk.write": "Reply, note, assign and move tickets and conversations",
    "desk.supervise": "Reassign, set SLA policies and routing rules, see every agent's load",
    "refunds.read": "Read refund grants, executions and the ledger",
    "refunds.grant": "Grant refunds and compensation within the role's authority limits",
    "refunds.approve": "Approve grants above an agent's limit (supervisor)",
    "refunds.finance": "Approve large refunds, execute, retry and mark manual refunds paid",
    "notifications.read": "Read notification templates, deliveries and webhook logs",
    "notifications.manage": "Edit templates, webhook subscriptions and resend deliveries",
    "*": "Everything the API offers",
}


def role_allows(role: str, permission: str) -> bool:
    granted = ROLE_PERMISSIONS.get(role, frozenset())
    return "*" in granted or permission in granted


def scope_allows(scopes: Iterable[str], permission: str) -> bool:
    scopes = set(scopes)
    return "*" in scopes or permission in scopes
