"""Refunds and compensation: grants, approvals, gateway executions, the ledger, retention offers."""
