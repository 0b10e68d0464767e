"""Error codes of the tickets app (stable: clients match on them)."""

from __future__ import annotations

from aftercare.core.errors import Conflict, ValidationFailed


class TicketNotLive(Conflict):
    code = "ticket_not_live"
    title = "The ticket is closed or merged"


class AgentOffline(Conflict):
    code = "agent_offline"
    title = "The agent is offline"


class AgentAtCapacity(Conflict):
    code = "agent_at_capacity"
    title = "The agent has no room for another ticket"


class InvalidMerge(ValidationFailed):
    code = "invalid_merge"
    title = "These tickets cannot be merged"
