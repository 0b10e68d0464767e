"""Tickets: SLA policies and clocks, routing, escalation, collaboration."""
